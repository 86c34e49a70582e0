//! Records, query and search through a `toz_client`. Records cross as JSON:
//! `{"meta":{"record_id","writer_id","user_id","type","plain","created","last_modified",
//! "version"},"data":{"<field>":"<plaintext>",...}}`.

use std::ffi::c_char;

use crate::sdk::Error;
use crate::sdk::json::{from_object, object as json_object, string_map};
use crate::sdk::records::PlainRecord;
use crate::sdk::wire;

use super::boundary::{ffi_boundary, opt_str_arg, out_arg, ref_arg, str_arg, write_json};
use super::client::toz_client;
use super::error::toz_error;

/// Encrypts and writes a new record. `data_json` is an object of strings (encrypted field by
/// field); `plain_json` (NULL for none) an object of strings stored as searchable plaintext.
///
/// **Ownership**: `*record_json_out` (the stored record with plaintext data) is owned by the
/// caller (`toz_free_string`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_write_record(
    client: *const toz_client,
    record_type: *const c_char,
    data_json: *const c_char,
    plain_json: *const c_char,
    record_json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(record_json_out, "record_json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        let record_type = unsafe { str_arg(record_type, "record_type") }?;
        let data = json_object(unsafe { str_arg(data_json, "data_json") }?, "data_json")?;
        let plain = match unsafe { opt_str_arg(plain_json, "plain_json") }? {
            Some(text) => string_map(&json_object(text, "plain_json")?, "plain_json")?,
            None => Default::default(),
        };
        unsafe { write_json(out, &client.inner.write_record(record_type, &data, plain)?) }
    })
}

/// Reads and decrypts a record. `fields_json` may be NULL (all fields) or a JSON array of field
/// names to return.
///
/// **Ownership**: `*record_json_out` is owned by the caller (`toz_free_string`).
/// **Errors**: `TOZ_ERROR_KIND_NOT_FOUND`; `TOZ_ERROR_KIND_FORBIDDEN` (or `NOT_FOUND`) when the
/// record is not shared with this client or was revoked.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_read_record(
    client: *const toz_client,
    record_id: *const c_char,
    fields_json: *const c_char,
    record_json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(record_json_out, "record_json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        let record_id = unsafe { str_arg(record_id, "record_id") }?;
        let fields: Option<Vec<String>> = match unsafe { opt_str_arg(fields_json, "fields_json") }?
        {
            Some(text) => Some(
                serde_json::from_str(text).map_err(|e| Error::from(e).context("fields_json"))?,
            ),
            None => None,
        };
        unsafe {
            write_json(
                out,
                &client.inner.read_record(record_id, fields.as_deref())?,
            )
        }
    })
}

/// Updates a record: `record_json` is a record as returned by a read or write, with `data`
/// and/or `meta.plain` changed; `meta.record_id`, `meta.version` and `meta.type` identify it.
///
/// **Ownership**: `*record_json_out` (the record with its new version) is owned by the caller.
/// **Errors**: `TOZ_ERROR_KIND_CONFLICT` when the record changed since `meta.version`.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_update_record(
    client: *const toz_client,
    record_json: *const c_char,
    record_json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(record_json_out, "record_json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        let record: PlainRecord = from_object(
            unsafe { str_arg(record_json, "record_json") }?,
            "record_json",
        )?;
        unsafe { write_json(out, &client.inner.update_record(&record)?) }
    })
}

/// Deletes a record. With `version` (from the record's meta) the delete fails with
/// `TOZ_ERROR_KIND_CONFLICT` if the record changed; with `version` NULL it is unconditional.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_delete_record(
    client: *const toz_client,
    record_id: *const c_char,
    version: *const c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let client = unsafe { ref_arg(client, "client") }?;
        let record_id = unsafe { str_arg(record_id, "record_id") }?;
        client
            .inner
            .delete_record(record_id, unsafe { opt_str_arg(version, "version") }?)
    })
}

/// Runs a v1 query (spec §6.1). `query_json` takes the wire fields: `count`, `include_data`,
/// `writer_ids`, `user_ids`, `record_ids`, `content_types`, `plain` (an `eq`/`and`/`or`/`not`
/// filter or a flat object), `after_index`, `include_all_writers`.
///
/// **Ownership**: `*results_json_out` = `{"results":[record...],"last_index":N}` (data
/// decrypted when `include_data`), owned by the caller (`toz_free_string`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_query(
    client: *const toz_client,
    query_json: *const c_char,
    results_json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(results_json_out, "results_json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        let query: wire::QueryRequest =
            from_object(unsafe { str_arg(query_json, "query_json") }?, "query_json")?;
        unsafe { write_json(out, &client.inner.query(&query)?) }
    })
}

/// Runs a v2 search (spec §6.2): `limit`, `next_token`, `include_all_writers`, `include_data`,
/// `match` and `exclude` blocks (`condition`, `strategy`, `terms`), `range`, `order`.
///
/// **Ownership**: `*results_json_out` = `{"results":[...],"last_index":N,"total_results":N}`,
/// owned by the caller (`toz_free_string`).
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn toz_client_search(
    client: *const toz_client,
    search_json: *const c_char,
    results_json_out: *mut *mut c_char,
) -> *mut toz_error {
    ffi_boundary(|| {
        let out = out_arg(results_json_out, "results_json_out")?;
        let client = unsafe { ref_arg(client, "client") }?;
        let search: wire::SearchRequest = from_object(
            unsafe { str_arg(search_json, "search_json") }?,
            "search_json",
        )?;
        unsafe { write_json(out, &client.inner.search(&search)?) }
    })
}
