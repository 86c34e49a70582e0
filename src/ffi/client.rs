//! `toz_client`: a connected TozStore client, and registration.

use std::ffi::c_char;

use crate::sdk::Client;
use crate::sdk::backup;
use crate::sdk::http::HttpOptions;

use super::boundary::{
    ffi_boundary, free_handle, opt_str_arg, out_arg, ref_arg, str_arg, value_boundary,
    write_handle, write_string,
};
use super::credentials::toz_credentials;
use super::error::toz_error;

/// A TozStore client bound to one set of credentials. Opaque; free with `toz_free_client`.
/// Immutable after creation (its token and access-key caches are internally locked), so one
/// `const toz_client *` may be used by many threads at once. Every call blocks on the network
/// for at most the configured timeout (per attempt).
pub struct toz_client {
    pub(crate) inner: Client,
}

/// Registers a new client with a registration token made in the Dashboard (or with
/// `toz-server token create`). The keys are generated here; only the public keys are sent.
///
/// With `backup` true, the credentials are also written as a `tozny.key_backup` record shared
/// with the account's backup client, so the account owner can recover them (spec §2.2); with
/// `backup` false the private keys exist only in the returned handle.
///
/// `api_url` is the server's base URL (plain http only to loopback unless
/// `"allow_insecure_http": true`); `options_json` may be NULL or a JSON object with any of
/// `timeout_ms`, `retries`, `ca_bundle` (PEM file path), `user_agent`, `allow_insecure_http`,
/// `single_pass_uploads` (default true; see `toz_client_write_file`). `timeout_ms` bounds
/// each request; a file transfer instead fails when it makes no progress for that long.
///
/// **Ownership**: on success `*credentials_out` is owned by the caller (`toz_free_credentials`).
/// **Errors**: `TOZ_ERROR_KIND_UNAUTHORIZED`/`_FORBIDDEN`/`_NOT_FOUND`/`_HTTP` when the token
/// is refused (unknown, used up, expired, deleted), `TOZ_ERROR_KIND_NETWORK`,
/// `TOZ_ERROR_KIND_TIMEOUT`, `TOZ_ERROR_KIND_TLS`, `TOZ_ERROR_KIND_INSECURE_TRANSPORT`. If the
/// client was registered but its backup failed, the error says so and names the client id.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_register(
    api_url: *const c_char,
    registration_token: *const c_char,
    client_name: *const c_char,
    backup: bool,
    options_json: *const c_char,
    credentials_out: *mut *mut toz_credentials,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(credentials_out, "credentials_out")?;
        let api_url = unsafe { str_arg(api_url, "api_url") }?;
        let token = unsafe { str_arg(registration_token, "registration_token") }?;
        let name = unsafe { str_arg(client_name, "client_name") }?;
        let options =
            HttpOptions::from_json(unsafe { opt_str_arg(options_json, "options_json") }?)?;
        let registration = backup::register(api_url, token, name, backup, &options)?;
        unsafe {
            write_handle(
                out,
                toz_credentials {
                    inner: registration.credentials,
                },
            )
        };
        Ok(())
    })
}

/// Creates a client from credentials (copied; the caller keeps and frees its own handle).
/// `options_json` as for `toz_register` (NULL for defaults). No network traffic happens until the
/// first call. Unregistered credentials (from `toz_credentials_generate`) give an *anonymous*
/// client that can only write and read notes.
///
/// **Ownership**: `*client_out` is owned by the caller (`toz_free_client`).
/// **Errors**: `TOZ_ERROR_KIND_INVALID_ARGUMENT` for credentials with a client id but no API key,
/// or a bad URL,
/// `TOZ_ERROR_KIND_INSECURE_TRANSPORT`, `TOZ_ERROR_KIND_JSON` for bad options.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_new(
    credentials: *const toz_credentials,
    options_json: *const c_char,
    client_out: *mut *mut toz_client,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(client_out, "client_out")?;
        let creds = unsafe { ref_arg(credentials, "credentials") }?;
        let options =
            HttpOptions::from_json(unsafe { opt_str_arg(options_json, "options_json") }?)?;
        let inner = Client::new(creds.inner.clone(), &options)?;
        unsafe { write_handle(out, toz_client { inner }) };
        Ok(())
    })
}

/// Public information about any client: `{"client_id","public_key":{"curve25519"},
/// "signing_key":{"ed25519"}|null,"validated"}`.
///
/// **Ownership**: `*json_out` is owned by the caller (`toz_free_string`).
/// **Errors**: `TOZ_ERROR_KIND_NOT_FOUND` for an unknown or malformed id.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_info(
    client: *const toz_client,
    client_id: *const c_char,
    json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(json_out, "json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        let info = client
            .inner
            .client_info(unsafe { str_arg(client_id, "client_id") }?)?;
        unsafe { write_string(out, &serde_json::to_string(&info)?) }
    })
}

/// The non-secret fields of this client's credentials, as `toz_credentials_public_info`
/// (client_id is "" for an anonymous client).
///
/// **Ownership**: `*json_out` is owned by the caller (`toz_free_string`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_public_info(
    client: *const toz_client,
    json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(json_out, "json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        unsafe { write_string(out, &client.inner.credentials().public_info().to_string()) }
    })
}

/// Frees a client and the secrets it holds. NULL is a no-op. Must not be called twice, nor while
/// another thread is still using the client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn toz_free_client(client: *mut toz_client) {
    value_boundary((), || unsafe { free_handle(client) })
}
