//! Sharing, authorizers, listings and credential recovery through a `toz_client`.

use std::ffi::c_char;

use serde::Serialize;

use crate::sdk::{Client, Result};

use super::boundary::{ffi_boundary, out_arg, ref_arg, str_arg, write_json};
use super::client::toz_client;
use super::credentials::{credentials_result, toz_credentials};
use super::error::toz_error;

/// Runs a listing call and returns its JSON.
unsafe fn listing<T: Serialize>(
    client: *const toz_client,
    json_out: *mut *mut c_char,
    list: impl FnOnce(&Client) -> Result<T>,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(json_out, "json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        unsafe { write_json(out, &list(&client.inner)?) }
    })
}

/// Runs a call taking a record type and another client's id.
unsafe fn for_type_and_client(
    client: *const toz_client,
    record_type: *const c_char,
    other: *const c_char,
    other_name: &str,
    call: impl FnOnce(&Client, &str, &str) -> Result<()>,
) -> *mut toz_error {
    ffi_boundary(|| {
        let client = unsafe { ref_arg(client, "client") }?;
        let record_type = unsafe { str_arg(record_type, "record_type") }?;
        call(&client.inner, record_type, unsafe {
            str_arg(other, other_name)
        }?)
    })
}

/// Shares this client's records of `record_type` (present and future) with `reader_id`.
/// Sharing again is harmless; sharing with oneself does nothing.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_share(
    client: *const toz_client,
    record_type: *const c_char,
    reader_id: *const c_char,
) -> *mut toz_error {
    unsafe { for_type_and_client(client, record_type, reader_id, "reader_id", Client::share) }
}

/// Revokes a share: the reader can no longer read records of `record_type`.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_revoke(
    client: *const toz_client,
    record_type: *const c_char,
    reader_id: *const c_char,
) -> *mut toz_error {
    unsafe { for_type_and_client(client, record_type, reader_id, "reader_id", Client::revoke) }
}

/// Appoints `authorizer_id` to share this client's `record_type` on its behalf.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_add_authorizer(
    client: *const toz_client,
    record_type: *const c_char,
    authorizer_id: *const c_char,
) -> *mut toz_error {
    unsafe {
        for_type_and_client(
            client,
            record_type,
            authorizer_id,
            "authorizer_id",
            Client::add_authorizer,
        )
    }
}

/// Withdraws an authorizer appointed with `toz_client_add_authorizer`.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_remove_authorizer(
    client: *const toz_client,
    record_type: *const c_char,
    authorizer_id: *const c_char,
) -> *mut toz_error {
    unsafe {
        for_type_and_client(
            client,
            record_type,
            authorizer_id,
            "authorizer_id",
            Client::remove_authorizer,
        )
    }
}

/// As an authorizer of `writer_id`, shares the writer's `record_type` with `reader_id`.
/// **Errors**: `TOZ_ERROR_KIND_FORBIDDEN` when this client is not an authorizer for it.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_share_on_behalf_of(
    client: *const toz_client,
    writer_id: *const c_char,
    record_type: *const c_char,
    reader_id: *const c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let client = unsafe { ref_arg(client, "client") }?;
        client.inner.share_on_behalf_of(
            unsafe { str_arg(writer_id, "writer_id") }?,
            unsafe { str_arg(record_type, "record_type") }?,
            unsafe { str_arg(reader_id, "reader_id") }?,
        )
    })
}

/// As an authorizer of `writer_id`, revokes a share made on the writer's behalf.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_revoke_on_behalf_of(
    client: *const toz_client,
    writer_id: *const c_char,
    record_type: *const c_char,
    reader_id: *const c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let client = unsafe { ref_arg(client, "client") }?;
        client.inner.revoke_on_behalf_of(
            unsafe { str_arg(writer_id, "writer_id") }?,
            unsafe { str_arg(record_type, "record_type") }?,
            unsafe { str_arg(reader_id, "reader_id") }?,
        )
    })
}

/// Readers this client shares with: `[{"reader_id","reader_name","record_type"}]`.
/// **Ownership**: `*json_out` is owned by the caller (`toz_free_string`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_outgoing_shares(
    client: *const toz_client,
    json_out: *mut *mut c_char,
) -> *mut toz_error {
    unsafe { listing(client, json_out, Client::outgoing_shares) }
}

/// Writers sharing with this client: `[{"writer_id","writer_name","record_type"}]`.
/// **Ownership**: `*json_out` is owned by the caller (`toz_free_string`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_incoming_shares(
    client: *const toz_client,
    json_out: *mut *mut c_char,
) -> *mut toz_error {
    unsafe { listing(client, json_out, Client::incoming_shares) }
}

/// Authorizers this client appointed:
/// `[{"authorizer_id","writer_id","user_id","record_type","authorized_by"}]`.
/// **Ownership**: `*json_out` is owned by the caller (`toz_free_string`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_authorizers(
    client: *const toz_client,
    json_out: *mut *mut c_char,
) -> *mut toz_error {
    unsafe { listing(client, json_out, Client::authorizers) }
}

/// Writers that appointed this client as their authorizer (same shape as
/// `toz_client_authorizers`). **Ownership**: `*json_out` is owned by the caller.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_granted_authorizations(
    client: *const toz_client,
    json_out: *mut *mut c_char,
) -> *mut toz_error {
    unsafe { listing(client, json_out, Client::granted_authorizations) }
}

/// For the account's backup client: the clients whose credentials are backed up to it,
/// `[{"client_id","record_id","created"}]`.
/// **Ownership**: `*json_out` is owned by the caller (`toz_free_string`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_list_backups(
    client: *const toz_client,
    json_out: *mut *mut c_char,
) -> *mut toz_error {
    unsafe { listing(client, json_out, Client::list_backups) }
}

/// For the account's backup client: recovers the full credentials of `client_id` from its
/// newest `tozny.key_backup` record (written by toz or by any Tozny SDK).
///
/// **Ownership**: `*credentials_out` is owned by the caller (`toz_free_credentials`).
/// **Errors**: `TOZ_ERROR_KIND_NOT_FOUND` when there is no backup of that client shared with
/// this one.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_recover_credentials(
    client: *const toz_client,
    client_id: *const c_char,
    credentials_out: *mut *mut toz_credentials,
) -> *mut toz_error {
    let make = || {
        let client = unsafe { ref_arg(client, "client") }?;
        client
            .inner
            .recover_credentials(unsafe { str_arg(client_id, "client_id") }?)
    };
    unsafe { credentials_result(credentials_out, make) }
}
