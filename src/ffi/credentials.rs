//! `toz_credentials`: a client's keys and API credentials, held as an opaque handle so the
//! secrets never have to exist as caller-visible text unless explicitly exported.

use std::ffi::c_char;
use std::path::Path;

use crate::sdk::Credentials;
use crate::sdk::sealed::{self, SealOptions};

use super::boundary::{
    ffi_boundary, free_handle, opt_str_arg, out_arg, ref_arg, str_arg, write_handle, write_string,
};
use super::error::toz_error;

/// A client's credentials (ids, API key, Curve25519 and Ed25519 key pairs). Opaque; free with
/// `toz_free_credentials`, which zeroes every secret. Immutable, so a `const toz_credentials *`
/// may be used from several threads at once.
pub struct toz_credentials {
    pub(crate) inner: Credentials,
}

/// Runs `make` and hands its credentials to the caller through `credentials_out` (checked before
/// `make` runs, written only on success).
///
/// # Safety
/// `credentials_out` is NULL or valid for writes.
pub(crate) unsafe fn credentials_result(
    credentials_out: *mut *mut toz_credentials,
    make: impl FnOnce() -> crate::sdk::Result<Credentials>,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(credentials_out, "credentials_out")?;
        let inner = make()?;
        unsafe { write_handle(out, toz_credentials { inner }) };
        Ok(())
    })
}

/// Generates fresh credentials: new Curve25519 and Ed25519 key pairs from libsodium's CSPRNG,
/// version 2, not yet registered (empty client_id, api_key_id and api_secret).
///
/// `api_url` may be NULL or "" for the default `https://api.e3db.com`.
///
/// **Ownership**: on success `*credentials_out` is a new handle owned by the caller, freed
/// with `toz_free_credentials`.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_credentials_generate(
    api_url: *const c_char,
    credentials_out: *mut *mut toz_credentials,
) -> *mut toz_error {
    let make = || {
        let api_url = unsafe { opt_str_arg(api_url, "api_url") }?.unwrap_or("");
        Credentials::generate(api_url)
    };
    unsafe { credentials_result(credentials_out, make) }
}

/// Parses credentials from JSON in Tozny's e3db.json format (`version` may be a string or an
/// integer) and checks that every public key matches its private key.
///
/// **Ownership**: `json` is borrowed. On success `*credentials_out` is owned by the caller
/// (`toz_free_credentials`).
/// **Errors**: `TOZ_ERROR_KIND_JSON` for malformed JSON or missing keys,
/// `TOZ_ERROR_KIND_INVALID_ARGUMENT` for bad or mismatched keys.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_credentials_from_json(
    json: *const c_char,
    credentials_out: *mut *mut toz_credentials,
) -> *mut toz_error {
    let make = || Credentials::from_json(unsafe { str_arg(json, "json") }?);
    unsafe { credentials_result(credentials_out, make) }
}

/// Serialises credentials as e3db.json text (`version` written as an integer).
///
/// **Sensitive**: the text contains the private keys and the API secret.
/// **Ownership**: on success `*json_out` is owned by the caller; free it with `toz_free_string`
/// (which zeroes it).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_credentials_to_json(
    credentials: *const toz_credentials,
    json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(json_out, "json_out")?;
        let creds = unsafe { ref_arg(credentials, "credentials") }?;
        unsafe { write_string(out, &creds.inner.to_json()) }
    })
}

/// The non-secret fields as a JSON object: version, client_id, api_key_id, client_email,
/// public_key, public_signing_key, api_url. Safe to log or display.
///
/// **Ownership**: `*json_out` is owned by the caller (`toz_free_string`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_credentials_public_info(
    credentials: *const toz_credentials,
    json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(json_out, "json_out")?;
        let creds = unsafe { ref_arg(credentials, "credentials") }?;
        unsafe { write_string(out, &creds.inner.public_info().to_string()) }
    })
}

/// Loads credentials from an e3db.json file at `path`.
///
/// **Ownership**: `*credentials_out` is owned by the caller (`toz_free_credentials`).
/// **Errors**: `TOZ_ERROR_KIND_NOT_FOUND` if the file does not exist, `TOZ_ERROR_KIND_IO`,
/// `TOZ_ERROR_KIND_JSON`, `TOZ_ERROR_KIND_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_credentials_load_file(
    path: *const c_char,
    credentials_out: *mut *mut toz_credentials,
) -> *mut toz_error {
    let make = || Credentials::load_file(Path::new(unsafe { str_arg(path, "path") }?));
    unsafe { credentials_result(credentials_out, make) }
}

/// Writes credentials to an e3db.json file at `path`, created with mode 0600 (parent
/// directories 0700). An existing file is never replaced unless `overwrite` is true, in which
/// case it is replaced atomically.
///
/// **Errors**: `TOZ_ERROR_KIND_ALREADY_EXISTS` when the file exists and `overwrite` is false;
/// `TOZ_ERROR_KIND_IO`.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_credentials_save_file(
    credentials: *const toz_credentials,
    path: *const c_char,
    overwrite: bool,
) -> *mut toz_error {
    ffi_boundary(|| {
        let creds = unsafe { ref_arg(credentials, "credentials") }?;
        creds
            .inner
            .save_file(Path::new(unsafe { str_arg(path, "path") }?), overwrite)
    })
}

/// Loads the profile `~/.tozny/<profile>/e3db.json`, or `~/.tozny/e3db.json` when `profile` is
/// NULL or "". Profile names may contain only letters, digits, '.', '_' and '-'.
///
/// **Ownership**: `*credentials_out` is owned by the caller (`toz_free_credentials`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_credentials_load_profile(
    profile: *const c_char,
    credentials_out: *mut *mut toz_credentials,
) -> *mut toz_error {
    let make = || Credentials::load_profile(unsafe { opt_str_arg(profile, "profile") }?);
    unsafe { credentials_result(credentials_out, make) }
}

/// Saves credentials as the profile `~/.tozny/<profile>/e3db.json` (NULL or "" for the default
/// profile), mode 0600, never replacing an existing profile unless `overwrite` is true.
///
/// **Errors**: `TOZ_ERROR_KIND_ALREADY_EXISTS`, `TOZ_ERROR_KIND_IO`,
/// `TOZ_ERROR_KIND_INVALID_ARGUMENT` (bad profile name).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_credentials_save_profile(
    credentials: *const toz_credentials,
    profile: *const c_char,
    overwrite: bool,
) -> *mut toz_error {
    ffi_boundary(|| {
        let creds = unsafe { ref_arg(credentials, "credentials") }?;
        creds
            .inner
            .save_profile(unsafe { opt_str_arg(profile, "profile") }?, overwrite)
    })
}

/// Exports credentials encrypted under a passphrase (Argon2id + XChaCha20-Poly1305; format in
/// docs/sealed-credentials.md). `options_json` may be NULL for the defaults, or
/// `{"opslimit":N,"memlimit":BYTES}` (at least 1 and 8 MiB).
///
/// **Ownership**: `*sealed_out` is owned by the caller (`toz_free_string`). The sealed text is
/// safe to store anywhere the passphrase is not.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_credentials_seal(
    credentials: *const toz_credentials,
    passphrase: *const c_char,
    options_json: *const c_char,
    sealed_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(sealed_out, "sealed_out")?;
        let creds = unsafe { ref_arg(credentials, "credentials") }?;
        let passphrase = unsafe { str_arg(passphrase, "passphrase") }?;
        let options = match unsafe { opt_str_arg(options_json, "options_json") }? {
            None => SealOptions::default(),
            Some(text) => crate::sdk::json::from_object(text, "options_json")?,
        };
        let sealed = sealed::seal(&creds.inner, passphrase, options)?;
        unsafe { write_string(out, &sealed) }
    })
}

/// Imports credentials sealed by `toz_credentials_seal`.
///
/// **Ownership**: `*credentials_out` is owned by the caller (`toz_free_credentials`).
/// **Errors**: `TOZ_ERROR_KIND_WRONG_PASSPHRASE` for a wrong passphrase or altered data;
/// `TOZ_ERROR_KIND_JSON` / `TOZ_ERROR_KIND_INVALID_ARGUMENT` for malformed input.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_credentials_unseal(
    sealed: *const c_char,
    passphrase: *const c_char,
    credentials_out: *mut *mut toz_credentials,
) -> *mut toz_error {
    let make = || {
        let sealed = unsafe { str_arg(sealed, "sealed") }?;
        let passphrase = unsafe { str_arg(passphrase, "passphrase") }?;
        sealed::unseal(sealed, passphrase)
    };
    unsafe { credentials_result(credentials_out, make) }
}

/// Frees credentials, zeroing every field. NULL is a no-op. Must not be called twice on the same
/// pointer, nor while another thread uses the handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn toz_free_credentials(credentials: *mut toz_credentials) {
    super::boundary::value_boundary((), || unsafe { free_handle(credentials) })
}
