//! `toz_access_key`: a record-type access key, for offline encryption and key exchange.

use std::ffi::c_char;

use crate::sdk::AccessKey;
use crate::sdk::crypto;

use super::boundary::{
    ffi_boundary, free_handle, out_arg, ref_arg, str_arg, value_boundary, write_handle,
    write_string,
};
use super::credentials::toz_credentials;
use super::error::toz_error;

/// A 32-byte access key (the secretbox key of one record type). Opaque; zeroed by
/// `toz_free_access_key`. Immutable and safe to share between threads.
pub struct toz_access_key {
    pub(crate) inner: AccessKey,
}

/// Generates a random access key.
///
/// **Ownership**: `*access_key_out` is owned by the caller (`toz_free_access_key`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_access_key_generate(
    access_key_out: *mut *mut toz_access_key,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(access_key_out, "access_key_out")?;
        let inner = AccessKey::generate()?;
        unsafe { write_handle(out, toz_access_key { inner }) };
        Ok(())
    })
}

/// Parses an access key from its unpadded base64url text (padding accepted).
///
/// **Ownership**: `*access_key_out` is owned by the caller (`toz_free_access_key`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_access_key_from_string(
    text: *const c_char,
    access_key_out: *mut *mut toz_access_key,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(access_key_out, "access_key_out")?;
        let inner = AccessKey::from_b64url(unsafe { str_arg(text, "text") }?)?;
        unsafe { write_handle(out, toz_access_key { inner }) };
        Ok(())
    })
}

/// The access key as base64url text. **Sensitive.**
///
/// **Ownership**: `*text_out` is owned by the caller (`toz_free_string`, which zeroes it).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_access_key_to_string(
    access_key: *const toz_access_key,
    text_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(text_out, "text_out")?;
        let ak = unsafe { ref_arg(access_key, "access_key") }?;
        unsafe { write_string(out, &ak.inner.to_b64url()) }
    })
}

/// Encrypts the access key for a reader: the EAK string of spec §4.4, boxed from the
/// `authorizer`'s Curve25519 private key to `reader_public_key` (base64url).
///
/// **Ownership**: `*eak_out` is owned by the caller (`toz_free_string`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_access_key_wrap(
    access_key: *const toz_access_key,
    reader_public_key: *const c_char,
    authorizer: *const toz_credentials,
    eak_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(eak_out, "eak_out")?;
        let ak = unsafe { ref_arg(access_key, "access_key") }?;
        let reader = crypto::b64url_decode_array::<32>(
            unsafe { str_arg(reader_public_key, "reader_public_key") }?,
            "reader_public_key",
        )?;
        let authorizer = unsafe { ref_arg(authorizer, "authorizer") }?;
        let eak = ak
            .inner
            .encrypt_for(&reader, &*authorizer.inner.box_secret()?);
        unsafe { write_string(out, &eak) }
    })
}

/// Decrypts an EAK with the authorizer's public key (base64url) and the reader's private key.
///
/// **Ownership**: `*access_key_out` is owned by the caller (`toz_free_access_key`).
/// **Errors**: `TOZ_ERROR_KIND_CRYPTO` when the keys do not match or the EAK was altered.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_access_key_unwrap(
    eak: *const c_char,
    authorizer_public_key: *const c_char,
    reader: *const toz_credentials,
    access_key_out: *mut *mut toz_access_key,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(access_key_out, "access_key_out")?;
        let eak = unsafe { str_arg(eak, "eak") }?;
        let authorizer = crypto::b64url_decode_array::<32>(
            unsafe { str_arg(authorizer_public_key, "authorizer_public_key") }?,
            "authorizer_public_key",
        )?;
        let reader = unsafe { ref_arg(reader, "reader") }?;
        let inner = AccessKey::decrypt_eak(eak, &authorizer, &*reader.inner.box_secret()?)?;
        unsafe { write_handle(out, toz_access_key { inner }) };
        Ok(())
    })
}

/// Frees an access key, zeroing it. NULL is a no-op; must not be called twice.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn toz_free_access_key(access_key: *mut toz_access_key) {
    value_boundary((), || unsafe { free_handle(access_key) })
}
