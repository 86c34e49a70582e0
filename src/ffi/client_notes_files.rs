//! Notes and large files through a `toz_client`.

use std::ffi::{c_char, c_int, c_void};
use std::ops::ControlFlow;
use std::path::Path;

use crate::sdk::files::ProgressStage;
use crate::sdk::json::{from_object, object as json_object, string_map};
use crate::sdk::notes::{NoteChallengeRequest, NoteOptions, NoteReadRequest, NoteRecipient};
use crate::sdk::{Client, Result, wire};

use super::boundary::{
    ffi_boundary, opt_str_arg, out_arg, ref_arg, str_arg, write_json, write_string,
};
use super::client::toz_client;
use super::error::toz_error;

/// Progress callback for file transfers: `stage` is 1 (encrypting; bytes are plaintext),
/// 2 (uploading) or 3 (downloading and decrypting; bytes are encrypted). Within a stage `done`
/// only grows; `total` is 0 when it is not known in advance (encrypting a pipe). An upload to toz-server runs in a single pass (encrypted as it is sent) and
/// reports stage 2 only; elsewhere stage 1 comes first (see `toz_client_write_file`). It runs
/// on the calling thread, synchronously, and must not unwind or longjmp out.
///
/// It returns 0 to go on, or any other value to cancel the transfer: the transfer stops at once,
/// nothing is stored (no record, and no file at a download's destination), and the call fails
/// with `TOZ_ERROR_KIND_CANCELLED`. A cancelled upload may leave an announced upload on the
/// server, which holds no record and is purged when its URL expires.
pub type toz_progress_fn = Option<
    unsafe extern "C" fn(user_data: *mut c_void, stage: u32, done: u64, total: u64) -> c_int,
>;

fn parse<T: serde::de::DeserializeOwned + Default>(text: Option<&str>, what: &str) -> Result<T> {
    match text {
        None => Ok(T::default()),
        Some(t) => from_object(t, what),
    }
}

type NoteCall = fn(
    &Client,
    &serde_json::Map<String, serde_json::Value>,
    &NoteRecipient,
    &NoteOptions,
) -> Result<wire::Note>;

unsafe fn note_write(
    client: *const toz_client,
    data_json: *const c_char,
    recipient_json: *const c_char,
    options_json: *const c_char,
    note_json_out: *mut *mut c_char,
    call: NoteCall,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(note_json_out, "note_json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        let data = json_object(unsafe { str_arg(data_json, "data_json") }?, "data_json")?;
        let recipient: NoteRecipient = from_object(
            unsafe { str_arg(recipient_json, "recipient_json") }?,
            "recipient_json",
        )?;
        let options: NoteOptions = parse(
            unsafe { opt_str_arg(options_json, "options_json") }?,
            "options_json",
        )?;
        unsafe { write_json(out, &call(&client.inner, &data, &recipient, &options)?) }
    })
}

/// Writes a note: `data_json` (an object of strings) is encrypted to the recipient
/// (`recipient_json` = `{"public_key":"<curve25519>","public_signing_key":"<ed25519>"}`) and every
/// field is signed with this client's signing key. `options_json` may be NULL or
/// `{"id_string","max_views","expiration","type","plain","eacp"}`; `eacp` gates the note
/// behind one-time codes (`{"tozny_otp_eacp":{"include":true}}`: see `toz_client_prime_note`;
/// `{"email_eacp":{"email_address":"…"}}`: see `toz_client_challenge_note`). A client made from unregistered
/// credentials writes anonymously (the server then drops `id_string`; view limits and expiry
/// still apply).
///
/// **Ownership**: `*note_json_out` (the stored note, data encrypted) is owned by the caller
/// (`toz_free_string`). **Errors**: `TOZ_ERROR_KIND_CONFLICT` for a name already taken.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_write_note(
    client: *const toz_client,
    data_json: *const c_char,
    recipient_json: *const c_char,
    options_json: *const c_char,
    note_json_out: *mut *mut c_char,
) -> *mut toz_error {
    unsafe {
        note_write(
            client,
            data_json,
            recipient_json,
            options_json,
            note_json_out,
            Client::write_note,
        )
    }
}

/// Replaces (or creates) this writer's note named `options.id_string`, atomically. Arguments
/// as `toz_client_write_note`; `options_json` must name the note.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_replace_note(
    client: *const toz_client,
    data_json: *const c_char,
    recipient_json: *const c_char,
    options_json: *const c_char,
    note_json_out: *mut *mut c_char,
) -> *mut toz_error {
    unsafe {
        note_write(
            client,
            data_json,
            recipient_json,
            options_json,
            note_json_out,
            Client::replace_note,
        )
    }
}

unsafe fn note_read(
    client: *const toz_client,
    key: *const c_char,
    key_name: &str,
    note_json_out: *mut *mut c_char,
    call: fn(&Client, &str) -> Result<wire::Note>,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(note_json_out, "note_json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        unsafe { write_json(out, &call(&client.inner, str_arg(key, key_name)?)?) }
    })
}

/// Reads a note addressed to this client's keys, decrypting it and verifying every signature.
/// Each read counts against the note's view limit.
///
/// **Ownership**: `*note_json_out` (the note with plaintext `data`) is owned by the caller
/// (`toz_free_string`, which zeroes it). **Errors**: `TOZ_ERROR_KIND_NOT_FOUND` (also after its
/// views or time ran out), `TOZ_ERROR_KIND_SIGNATURE` when a signature does not verify.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_read_note(
    client: *const toz_client,
    note_id: *const c_char,
    note_json_out: *mut *mut c_char,
) -> *mut toz_error {
    unsafe { note_read(client, note_id, "note_id", note_json_out, Client::read_note) }
}

/// Reads a note by its name (`id_string`); as `toz_client_read_note`.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_read_note_by_name(
    client: *const toz_client,
    id_string: *const c_char,
    note_json_out: *mut *mut c_char,
) -> *mut toz_error {
    unsafe {
        note_read(
            client,
            id_string,
            "id_string",
            note_json_out,
            Client::read_note_by_name,
        )
    }
}

/// Reads a note gated by extended access control policies (EACP). `request_json` names the
/// note, `{"note_id":"<uuid>"}` or `{"id_string":"<name>"}`, and carries the one-time codes it
/// asks for: `"tozny_otp"` (from `toz_client_prime_note`), `"email_otp"` (mailed after
/// `toz_client_challenge_note`), `"tozid_login_token"` (sent as `X-TOZID-LOGIN-TOKEN`; Tozny's
/// hosted service only). Each code works for one read. Otherwise as `toz_client_read_note`.
///
/// **Ownership**: `*note_json_out` is owned by the caller (`toz_free_string`). **Errors**:
/// `TOZ_ERROR_KIND_FORBIDDEN` when a code the note needs is missing, wrong, expired or used;
/// `TOZ_ERROR_KIND_INVALID_ARGUMENT` for a `request_json` that does not name one note.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_read_note_with_eacp(
    client: *const toz_client,
    request_json: *const c_char,
    note_json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(note_json_out, "note_json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        let request: NoteReadRequest = from_object(
            unsafe { str_arg(request_json, "request_json") }?,
            "request_json",
        )?;
        unsafe { write_json(out, &client.inner.read_note_with(&request)?) }
    })
}

/// For the writer of a note written with `"eacp":{"tozny_otp_eacp":{"include":true}}`: a new
/// one-time password to hand to its reader out of band (the previous one stops working).
/// `expiry_minutes` is how long it works; 0 takes the server's default (60 on toz-server).
///
/// **Ownership**: `*otp_out` is owned by the caller (`toz_free_string`, which zeroes it).
/// **Errors**: `TOZ_ERROR_KIND_FORBIDDEN` for anyone but the writer; `TOZ_ERROR_KIND_HTTP` with
/// status 400 when the note has no `tozny_otp_eacp`.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_prime_note(
    client: *const toz_client,
    note_id: *const c_char,
    expiry_minutes: i32,
    otp_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(otp_out, "otp_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        let note_id = unsafe { str_arg(note_id, "note_id") }?;
        let otp = client.inner.prime_note(note_id, expiry_minutes.into())?;
        unsafe { write_string(out, &otp) }
    })
}

/// For the recipient (or writer) of a note with an `email_eacp`: has the server mail a new
/// one-time code to the note's address (the previous one stops working). `request_json` =
/// `{"note_id"|"id_string", "template_name"?, "expiry_minutes"?}`.
///
/// **Ownership**: `*challenge_json_out` (`{"email_eacp":{"expires_at","template_name"}}`) is
/// owned by the caller (`toz_free_string`). **Errors**: `TOZ_ERROR_KIND_HTTP` with status 400
/// when the note has no `email_eacp`, `TOZ_ERROR_KIND_SERVER` (502) when the server could not
/// send the mail; `TOZ_ERROR_KIND_FORBIDDEN` for anyone but its recipient and writer.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_challenge_note(
    client: *const toz_client,
    request_json: *const c_char,
    challenge_json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(challenge_json_out, "challenge_json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        let request: NoteChallengeRequest = from_object(
            unsafe { str_arg(request_json, "request_json") }?,
            "request_json",
        )?;
        unsafe { write_json(out, &client.inner.challenge_note(&request)?) }
    })
}

/// Deletes a note this client wrote.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_delete_note(
    client: *const toz_client,
    note_id: *const c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let client = unsafe { ref_arg(client, "client") }?;
        client
            .inner
            .delete_note(unsafe { str_arg(note_id, "note_id") }?)
    })
}

/// Adapts a C progress callback (or none) to the core's closure.
fn progress_adapter(
    progress: toz_progress_fn,
    user_data: *mut c_void,
) -> impl FnMut(ProgressStage, u64, u64) -> ControlFlow<()> {
    // The pointer is only handed back to the caller's own callback, on the calling thread.
    let user_data = user_data as usize;
    move |stage, done, total| match progress {
        Some(callback)
            if unsafe { callback(user_data as *mut c_void, stage as u32, done, total) } != 0 =>
        {
            ControlFlow::Break(())
        }
        _ => ControlFlow::Continue(()),
    }
}

/// Encrypts the file at `path` (streamed: memory does not grow with its size) and stores it as a
/// record of `record_type` with plaintext metadata `plain_json` (NULL for none). `progress` may
/// be NULL; `user_data` is passed to it unchanged.
///
/// With toz-server the file is encrypted as it is uploaded, in one pass. Tozny's protocol
/// needs the MD5 of the encrypted file before the upload, so with other servers (or with the
/// client option `"single_pass_uploads": false`) it is first encrypted to a private temporary
/// file, which is always removed. A file that changes while it is read fails with
/// `TOZ_ERROR_KIND_INVALID_ARGUMENT` and stores nothing.
///
/// **Ownership**: `*record_json_out` (the file record, with `meta.file_meta`) is owned by the
/// caller (`toz_free_string`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_write_file(
    client: *const toz_client,
    record_type: *const c_char,
    path: *const c_char,
    plain_json: *const c_char,
    progress: toz_progress_fn,
    user_data: *mut c_void,
    record_json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(record_json_out, "record_json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        let record_type = unsafe { str_arg(record_type, "record_type") }?;
        let path = Path::new(unsafe { str_arg(path, "path") }?);
        let plain = match unsafe { opt_str_arg(plain_json, "plain_json") }? {
            Some(text) => string_map(&json_object(text, "plain_json")?, "plain_json")?,
            None => Default::default(),
        };
        let mut report = progress_adapter(progress, user_data);
        unsafe {
            write_json(
                out,
                &client
                    .inner
                    .write_file(record_type, path, plain, &mut report)?,
            )
        }
    })
}

/// Downloads the file record `record_id` and decrypts it to `destination_path`. The destination
/// appears only when the whole file decrypted and verified (an existing file there is then
/// replaced, atomically); on any failure (tampering, truncation, network) nothing is written
/// there and an existing file is left as it was. `progress` may be NULL.
///
/// **Ownership**: `*record_json_out` is owned by the caller (`toz_free_string`).
/// **Errors**: `TOZ_ERROR_KIND_CRYPTO` for a tampered or truncated file.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_read_file(
    client: *const toz_client,
    record_id: *const c_char,
    destination_path: *const c_char,
    progress: toz_progress_fn,
    user_data: *mut c_void,
    record_json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(record_json_out, "record_json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        let record_id = unsafe { str_arg(record_id, "record_id") }?;
        let destination = Path::new(unsafe { str_arg(destination_path, "destination_path") }?);
        let mut report = progress_adapter(progress, user_data);
        unsafe {
            write_json(
                out,
                &client
                    .inner
                    .read_file(record_id, destination, &mut report)?,
            )
        }
    })
}
