//! Records (§4.1, §4.2): write 201, read 200 (with `?field=` projection), update 200 with a new
//! version (409 when stale), delete 204. Data fields are opaque ciphertext to the server.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use toz::sdk::wire;

use super::AppState;
use super::auth::Caller;
use super::errors::{
    ApiError, ApiResult, JsonBody, Params, created, json_response, no_content, ok,
};
use crate::ids::parse_uuid;
use crate::store::{ClientRow, NewRecord, RecordChange, RecordRow, StoreError};
use crate::time::format_micros;

/// Record types longer than this are refused (they are used raw in URL paths).
const MAX_TYPE_LEN: usize = 1024;

/// The wire meta of a stored record; a file record's `file_meta` has `file_url` "".
pub fn meta(r: &RecordRow) -> wire::Meta {
    meta_with_url(r, "")
}

/// The wire meta of a stored record whose `file_meta.file_url` (if a file) is `file_url`.
pub fn meta_with_url(r: &RecordRow, file_url: &str) -> wire::Meta {
    wire::Meta {
        record_id: Some(r.id.clone()),
        writer_id: r.writer_id.clone(),
        user_id: r.user_id.clone(),
        r#type: r.record_type.clone(),
        plain: r.plain.clone(),
        created: Some(format_micros(r.created)),
        last_modified: Some(format_micros(r.last_modified)),
        version: Some(r.version.clone()),
        file_meta: r.file.as_ref().map(|f| {
            let out = wire::FileMetaOut {
                file_url: file_url.to_string(),
                file_name: f.meta.file_name.clone().unwrap_or_default(),
                checksum: f.meta.checksum.clone(),
                compression: f.meta.compression.clone(),
                size: f.meta.size,
            };
            serde_json::to_value(out).expect("file meta always serialises")
        }),
    }
}

fn render(r: RecordRow, fields: &[String]) -> wire::Record {
    let m = meta(&r);
    let mut data = r.data.unwrap_or_default();
    if !fields.is_empty() {
        data.retain(|k, _| fields.iter().any(|f| f == k));
    }
    wire::Record {
        meta: m,
        data,
        rec_sig: r.rec_sig,
    }
}

/// The caller's own id check for writes: SDKs always send writer_id == user_id == caller; empty
/// ids mean the caller.
pub(crate) fn owner_ids(meta: &wire::Meta, caller: &ClientRow) -> ApiResult<()> {
    for (what, id) in [("writer_id", &meta.writer_id), ("user_id", &meta.user_id)] {
        if !id.is_empty() && parse_uuid(id).as_deref() != Some(caller.id.as_str()) {
            return Err(ApiError::forbidden(format!(
                "{what} must be the authenticated client"
            )));
        }
    }
    Ok(())
}

/// A record type must be non-empty and at most [`MAX_TYPE_LEN`] bytes.
pub(crate) fn check_type(record_type: &str) -> ApiResult<()> {
    if record_type.is_empty() || record_type.len() > MAX_TYPE_LEN {
        return Err(ApiError::bad_request(
            "meta.type must be a non-empty string of at most 1024 bytes",
        ));
    }
    Ok(())
}

/// `POST /v1/storage/records` → 201.
pub async fn write(
    State(state): State<AppState>,
    Caller(caller): Caller,
    JsonBody(rec): JsonBody<wire::Record>,
) -> ApiResult {
    owner_ids(&rec.meta, &caller)?;
    let record_type = rec.meta.r#type.clone();
    check_type(&record_type)?;
    let row = state
        .store
        .insert_record(NewRecord {
            writer_id: caller.id.clone(),
            user_id: caller.id.clone(),
            record_type,
            plain: rec.meta.plain,
            data: rec.data,
            rec_sig: rec.rec_sig,
        })
        .await?;
    created(&render(row, &[]))
}

/// `?field=a&field=b` or `?field=a,b`.
fn fields(uri: &Uri) -> Vec<String> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .filter(|(k, _)| k == "field" || k == "fields")
        .flat_map(|(_, v)| v.split(',').map(str::to_string).collect::<Vec<_>>())
        .filter(|f| !f.is_empty())
        .collect()
}

/// A record the caller may read: its own, or one of a type shared with it.
pub(crate) async fn readable(
    state: &AppState,
    caller: &ClientRow,
    id: &str,
) -> ApiResult<RecordRow> {
    let id = parse_uuid(id).ok_or_else(|| ApiError::not_found("record not found"))?;
    let r = state
        .store
        .get_record(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("record not found"))?;
    if r.writer_id != caller.id
        && !state
            .store
            .can_read(&r.writer_id, &caller.id, &r.record_type)
            .await?
    {
        return Err(ApiError::forbidden("not allowed to read this record"));
    }
    Ok(r)
}

/// `GET /v1/storage/records/{id}` (or `{id1},{id2}` → array, the C core's legacy form).
pub async fn read(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Params(id): Params<String>,
    uri: Uri,
) -> ApiResult {
    let fields = fields(&uri);
    if id.contains(',') {
        let mut out = Vec::new();
        for one in id.split(',').filter(|s| !s.is_empty()) {
            out.push(render(readable(&state, &caller, one).await?, &fields));
        }
        return ok(&out);
    }
    ok(&render(readable(&state, &caller, &id).await?, &fields))
}

async fn update(
    state: AppState,
    caller: ClientRow,
    id: &str,
    version: Option<&str>,
    allow_edit: bool,
    rec: wire::Record,
) -> ApiResult {
    let id = parse_uuid(id).ok_or_else(|| ApiError::not_found("record not found"))?;
    let version = version.map(|v| parse_uuid(v).unwrap_or_else(|| v.to_string()));
    if !allow_edit {
        owner_ids(&rec.meta, &caller)?;
    }
    let row = state
        .store
        .update_record(
            &id,
            version.as_deref(),
            &caller.id,
            allow_edit,
            RecordChange {
                plain: rec.meta.plain,
                data: rec.data,
                rec_sig: rec.rec_sig,
            },
        )
        .await?;
    ok(&render(row, &[]))
}

/// `PUT /v1/storage/records/safe/{id}/{version}` → 200, 409 when stale.
pub async fn update_safe(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Params((id, version)): Params<(String, String)>,
    JsonBody(rec): JsonBody<wire::Record>,
) -> ApiResult {
    update(state, caller, &id, Some(&version), false, rec).await
}

/// `PUT /v1/storage/records/safe/edit/{id}/{version}` (JS): a reader with an edit grant.
pub async fn update_edit(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Params((id, version)): Params<(String, String)>,
    JsonBody(rec): JsonBody<wire::Record>,
) -> ApiResult {
    update(state, caller, &id, Some(&version), true, rec).await
}

/// `PUT /v1/storage/records/{id}` (CGO): no version check.
pub async fn update_unsafe(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Params(id): Params<String>,
    JsonBody(rec): JsonBody<wire::Record>,
) -> ApiResult {
    update(state, caller, &id, None, false, rec).await
}

async fn delete(state: AppState, caller: ClientRow, id: &str, version: Option<&str>) -> ApiResult {
    let id = parse_uuid(id).ok_or_else(|| ApiError::not_found("record not found"))?;
    let version = version.map(|v| parse_uuid(v).unwrap_or_else(|| v.to_string()));
    let blob = state
        .store
        .delete_record(&id, version.as_deref(), &caller.id)
        .await?;
    state.blobs.remove_all(blob.as_slice()).await;
    no_content()
}

/// `DELETE /v1/storage/records/safe/{id}/{version}` → 204, 409 when stale.
pub async fn delete_safe(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Params((id, version)): Params<(String, String)>,
) -> ApiResult {
    delete(state, caller, &id, Some(&version)).await
}

/// `DELETE /v1/storage/records/{id}` → 204.
pub async fn delete_unsafe(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Params(id): Params<String>,
) -> ApiResult {
    delete(state, caller, &id, None).await
}

/// `DELETE /v2/storage/records/bulk/delete {record_ids}` → 200 with failures grouped by writer
/// (`"N/A"` for records that do not exist), as JS expects.
pub async fn bulk_delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    JsonBody(req): JsonBody<wire::BulkDeleteRequest>,
) -> ApiResult {
    if req.record_ids.len() > 1000 {
        return Err(ApiError::bad_request("at most 1000 record ids per request"));
    }
    let mut out = wire::BulkDeleteResponse::default();
    for raw in &req.record_ids {
        let fail = |group: String, error: &str, out: &mut wire::BulkDeleteResponse| {
            out.record_delete_error
                .entry(group)
                .or_default()
                .push(wire::BulkDeleteError {
                    error: error.into(),
                    record_id: raw.clone(),
                });
        };
        let Some(id) = parse_uuid(raw) else {
            fail("N/A".into(), "Not Found", &mut out);
            continue;
        };
        match state.store.delete_record(&id, None, &caller.id).await {
            Ok(blob) => state.blobs.remove_all(blob.as_slice()).await,
            Err(StoreError::NotFound(_)) => fail("N/A".into(), "Not Found", &mut out),
            Err(StoreError::Forbidden(_)) => {
                let writer = state
                    .store
                    .get_record(&id)
                    .await?
                    .map(|r| r.writer_id)
                    .unwrap_or_else(|| "N/A".into());
                fail(writer, "Forbidden", &mut out)
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(json_response(StatusCode::OK, &out))
}
