//! Offline record encryption: a record's data object encrypted field by field (spec §4.3)
//! without a server.

use std::ffi::c_char;

use serde_json::Value;

use crate::sdk::fields;
use crate::sdk::json::object as json_object;

use super::access_key::toz_access_key;
use super::boundary::{ffi_boundary, out_arg, ref_arg, str_arg, write_string};
use super::error::toz_error;

/// Encrypts a record's data, a JSON object whose values are strings, with `access_key`. The
/// result is a JSON object with the same field names and `EDK.EDKN.EF.EFN` values, readable by
/// every TozStore SDK that holds the same access key.
///
/// **Ownership**: `*encrypted_json_out` is owned by the caller (`toz_free_string`).
/// **Errors**: `TOZ_ERROR_KIND_JSON` when `data_json` is not an object of strings.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_record_encrypt(
    access_key: *const toz_access_key,
    data_json: *const c_char,
    encrypted_json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(encrypted_json_out, "encrypted_json_out")?;
        let ak = unsafe { ref_arg(access_key, "access_key") }?;
        let data = json_object(unsafe { str_arg(data_json, "data_json") }?, "data_json")?;
        let encrypted = fields::encrypt_data(&ak.inner, &data)?;
        unsafe { write_string(out, &Value::Object(encrypted).to_string()) }
    })
}

/// Decrypts a record's encrypted data object back to its plaintext JSON object.
///
/// **Sensitive**: the output is plaintext; `toz_free_string` zeroes it.
/// **Ownership**: `*data_json_out` is owned by the caller (`toz_free_string`).
/// **Errors**: `TOZ_ERROR_KIND_CRYPTO` for a wrong key or tampered field (the message names the
/// field, never its content); `TOZ_ERROR_KIND_INVALID_ARGUMENT` for a malformed field.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_record_decrypt(
    access_key: *const toz_access_key,
    encrypted_json: *const c_char,
    data_json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(data_json_out, "data_json_out")?;
        let ak = unsafe { ref_arg(access_key, "access_key") }?;
        let encrypted = json_object(
            unsafe { str_arg(encrypted_json, "encrypted_json") }?,
            "encrypted_json",
        )?;
        let data = fields::decrypt_data(&ak.inner, &encrypted)?;
        let text = zeroize::Zeroizing::new(Value::Object(data).to_string());
        unsafe { write_string(out, &text) }
    })
}
