//! Large files (§8.2): announce (`POST /v1/storage/files` → 202 with an upload URL), upload
//! (`PUT` of the encrypted bytes to that URL, no Authorization, Content-MD5 checked while
//! streaming), commit (`PATCH /v1/storage/files/<pending>` → 201 record) and download
//! (`GET /v1/storage/files/<record>` → the record with a download URL, then a plain `GET`).
//!
//! Upload and download URLs point at this server and carry a 256-bit secret that is stored only
//! as a hash; they expire after `HttpConfig::file_url_secs`. An upload URL works until one upload
//! through it succeeds. Bytes are never held whole in memory: they stream between the connection
//! and the blob store ([`crate::blobs`]).

use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use futures_util::StreamExt;
use toz::sdk::crypto::{self, Md5};
use toz::sdk::wire::{self, FileMeta};

use super::AppState;
use super::auth::Caller;
use super::errors::{ApiError, ApiResult, JsonBody, Params, created, json_response, ok};
use super::records::{check_type, meta_with_url, owner_ids, readable};
use crate::ids::parse_uuid;
use crate::secrets::{self, Kind};
use crate::store::{NewPendingFile, RecordRow};
use crate::time::now_micros;

/// An upload that sends nothing for this long is abandoned.
const UPLOAD_IDLE: Duration = Duration::from_secs(60);
/// Longest accepted `file_name`.
const MAX_NAME_LEN: usize = 1024;

fn blob_error(e: std::io::Error) -> ApiError {
    // I/O and database messages name paths and SQL, never file bytes.
    tracing::error!(error = %e, "blob store error");
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
}

/// The base URL clients reach this server at: `--public-url` when set, else `http://` and the
/// request's Host header (which must look like `host[:port]`).
fn base_url(state: &AppState, headers: &HeaderMap) -> ApiResult<String> {
    if let Some(url) = &state.config.public_url {
        return Ok(url.trim_end_matches('/').to_string());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let valid = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b));
    if !valid {
        return Err(ApiError::bad_request("missing or invalid Host header"));
    }
    Ok(format!("http://{host}"))
}

/// A new URL secret of `kind`: the secret, its stored hash, and when the URL expires.
fn new_url_secret(state: &AppState, kind: Kind) -> (String, String, i64) {
    let secret = secrets::generate();
    let hash = secrets::hash(kind, &secret);
    (
        secret,
        hash,
        now_micros() + state.config.file_url_secs * 1_000_000,
    )
}

/// Whether a presented URL secret is the stored one and the URL has not expired.
fn url_secret_valid(kind: Kind, presented: &str, stored_hash: &str, expires_at: i64) -> bool {
    secrets::verify(kind, presented, stored_hash) && expires_at > now_micros()
}

/// The record as returned, `file_meta.file_url` set to `file_url`.
fn file_record(r: RecordRow, file_url: &str) -> wire::Record {
    wire::Record {
        meta: meta_with_url(&r, file_url),
        data: r.data.unwrap_or_default(),
        rec_sig: r.rec_sig,
    }
}

/// The announced `file_meta`: a size, a checksum (standard base64 of 16 bytes) and a compression
/// (default "raw"). The checksum may be left out (toz's single-pass upload): the server then
/// computes it from the bytes it receives (docs/compatibility.md).
fn announced(file_meta: Option<&serde_json::Value>) -> ApiResult<FileMeta> {
    let value = file_meta.filter(|v| v.is_object()).ok_or_else(|| {
        ApiError::bad_request("meta.file_meta {size, checksum, compression} is required")
    })?;
    let mut meta: FileMeta = serde_json::from_value(value.clone()).map_err(|_| {
        ApiError::bad_request(
            "meta.file_meta needs size (a non-negative integer), checksum and compression (strings)",
        )
    })?;
    if !meta.checksum.is_empty() && md5_digest(&meta.checksum).is_none() {
        return Err(ApiError::bad_request(
            "meta.file_meta.checksum must be the standard base64 of an MD5 digest",
        ));
    }
    if meta.compression.is_empty() {
        meta.compression = "raw".into();
    }
    if meta
        .file_name
        .as_ref()
        .is_some_and(|n| n.len() > MAX_NAME_LEN)
    {
        return Err(ApiError::bad_request(
            "meta.file_meta.file_name must be at most 1024 bytes",
        ));
    }
    meta.file_url = None;
    Ok(meta)
}

/// The 16 bytes of an MD5 digest given in standard base64, or None when it is not one.
fn md5_digest(text: &str) -> Option<Vec<u8>> {
    crypto::b64std_decode(text.trim())
        .ok()
        .filter(|d| d.len() == 16)
}

/// Deletes uploads that were announced but never committed, once their URL has been expired for
/// as long again (time for an upload that started just before expiry to finish), and their blobs.
pub async fn purge_abandoned(state: &AppState) {
    let before = now_micros() - state.config.file_url_secs * 1_000_000;
    match state.store.purge_pending_files(before).await {
        Ok(keys) => state.blobs.remove_all(&keys).await,
        Err(e) => tracing::warn!(error = ?e, "could not purge abandoned uploads"),
    }
}

/// `POST /v1/storage/files` → 202 `{id, file_url}`.
pub async fn announce(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    JsonBody(rec): JsonBody<wire::Record>,
) -> ApiResult {
    owner_ids(&rec.meta, &caller)?;
    check_type(&rec.meta.r#type)?;
    let meta = announced(rec.meta.file_meta.as_ref())?;
    let base = base_url(&state, &headers)?;
    let cleanup = state.clone();
    tokio::spawn(async move { purge_abandoned(&cleanup).await });
    let id = crypto::random_uuid_v4();
    let (secret, secret_hash, expires_at) = new_url_secret(&state, Kind::UploadUrl);
    state
        .store
        .insert_pending_file(NewPendingFile {
            id: id.clone(),
            writer_id: caller.id.clone(),
            record_type: rec.meta.r#type,
            plain: rec.meta.plain,
            data: rec.data,
            rec_sig: rec.rec_sig,
            meta,
            secret_hash,
            expires_at,
        })
        .await?;
    let file_url = format!("{base}/v1/storage/files/upload/{id}/{secret}");
    Ok(json_response(
        StatusCode::ACCEPTED,
        &wire::PendingFile { id, file_url },
    ))
}

/// `PUT /v1/storage/files/upload/{id}/{secret}` (no Authorization) → 200. The body streams into
/// the blob store while its MD5 and length are checked; a mismatch (400), an interrupted or
/// stalled upload, or a lost race with another upload through the same URL (409) keeps nothing.
/// The MD5 is checked against the announced checksum and any `Content-MD5`; an upload announced
/// without a checksum gets the MD5 of the bytes received as its checksum.
pub async fn upload(
    State(state): State<AppState>,
    Params((id, secret)): Params<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let refused = || ApiError::forbidden("invalid or expired upload URL");
    let id = parse_uuid(&id).ok_or_else(refused)?;
    let pending = state.store.pending_file(&id).await?.ok_or_else(refused)?;
    if !url_secret_valid(
        Kind::UploadUrl,
        &secret,
        &pending.secret_hash,
        pending.expires_at,
    ) {
        return Err(refused());
    }
    if pending.blob_key.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "this upload URL has already been used",
        ));
    }
    let size = pending.meta.size;
    let announced = md5_digest(&pending.meta.checksum);
    let content_md5 = match headers.get("content-md5") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(md5_digest)
                .ok_or_else(|| ApiError::bad_request("Content-MD5 is not a base64 MD5 digest"))?,
        ),
        None => None,
    };
    // Refused before reading the body (so before `100 Continue`) when the headers already tell.
    if announced.is_some() && content_md5.is_some() && announced != content_md5 {
        return Err(ApiError::bad_request(
            "Content-MD5 does not match the announced checksum",
        ));
    }
    let expected = announced.or(content_md5);
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if length.is_some_and(|l| l != size) {
        return Err(ApiError::bad_request(
            "Content-Length does not match the announced size",
        ));
    }
    let mut blob = state.blobs.begin().await.map_err(blob_error)?;
    let mut md5 = Md5::default();
    let mut received: u64 = 0;
    let mut stream = body.into_data_stream();
    loop {
        let next = tokio::time::timeout(UPLOAD_IDLE, stream.next())
            .await
            .map_err(|_| ApiError::new(StatusCode::REQUEST_TIMEOUT, "upload stalled"))?;
        let Some(chunk) = next else { break };
        let chunk = chunk.map_err(|_| ApiError::bad_request("upload interrupted"))?;
        received += chunk.len() as u64;
        if received > size {
            return Err(ApiError::bad_request("more bytes than the announced size"));
        }
        md5.update(&chunk);
        blob.write(&chunk).await.map_err(blob_error)?;
    }
    if received != size {
        return Err(ApiError::bad_request("fewer bytes than the announced size"));
    }
    let checksum = md5.finish_base64();
    let digest = md5_digest(&checksum).unwrap_or_default();
    if expected.is_some_and(|e| e != digest) {
        return Err(ApiError::bad_request(
            "the body's MD5 does not match the announced checksum or Content-MD5",
        ));
    }
    let file_meta = serde_json::to_string(&FileMeta {
        checksum,
        ..pending.meta
    })
    .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal server error"))?;
    if !blob
        .finish(state.store.as_ref(), &id, &file_meta)
        .await
        .map_err(blob_error)?
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "this upload URL has already been used",
        ));
    }
    let etag = format!("\"{}\"", crypto::hex_lower(&digest));
    let mut resp = StatusCode::OK.into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    Ok(resp)
}

/// `PATCH /v1/storage/files/{pending}` → 201 with the committed record.
pub async fn commit(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Params(id): Params<String>,
) -> ApiResult {
    let id = parse_uuid(&id).ok_or_else(|| ApiError::not_found("pending file not found"))?;
    let row = state.store.commit_file(&id, &caller.id).await?;
    created(&file_record(row, ""))
}

/// `GET /v1/storage/files/{record}` → 200 with the record and a fresh download URL in
/// `meta.file_meta.file_url`. Readers are authorised exactly as for records.
pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    Params(id): Params<String>,
) -> ApiResult {
    let record = readable(&state, &caller, &id).await?;
    if record.file.is_none() {
        return Err(ApiError::not_found("this record is not a file"));
    }
    let base = base_url(&state, &headers)?;
    let grant = crypto::random_uuid_v4();
    let (secret, secret_hash, expires_at) = new_url_secret(&state, Kind::DownloadUrl);
    state
        .store
        .insert_download(&grant, &record.id, &secret_hash, expires_at)
        .await?;
    let url = format!("{base}/v1/storage/files/download/{grant}/{secret}");
    ok(&file_record(record, &url))
}

/// `GET /v1/storage/files/download/{id}/{secret}` (no Authorization) → 200 streaming the
/// encrypted bytes.
pub async fn download(
    State(state): State<AppState>,
    Params((id, secret)): Params<(String, String)>,
) -> ApiResult {
    let refused = || ApiError::forbidden("invalid or expired download URL");
    let id = parse_uuid(&id).ok_or_else(refused)?;
    let grant = state.store.download(&id).await?.ok_or_else(refused)?;
    if !url_secret_valid(
        Kind::DownloadUrl,
        &secret,
        &grant.secret_hash,
        grant.expires_at,
    ) {
        return Err(refused());
    }
    let file = grant
        .file
        .ok_or_else(|| ApiError::not_found("file not found"))?;
    let blob = state
        .blobs
        .open(&file.blob_key)
        .await
        .map_err(blob_error)?
        .ok_or_else(|| blob_error(std::io::Error::other("a file record's blob is missing")))?;
    let length = blob.len.unwrap_or(file.meta.size);
    let mut resp = Body::from_stream(blob.body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn announced_meta_is_validated() {
        let ok = super::announced(Some(
            &json!({"size": 3, "checksum": "1B2M2Y8AsgTpgAmY7PhCfg==", "compression": ""}),
        ))
        .unwrap();
        assert_eq!(ok.compression, "raw");
        let single_pass = super::announced(Some(&json!({"size": 3}))).unwrap();
        assert_eq!(single_pass.checksum, "");
        for bad in [
            json!(null),
            json!({"size": 3, "checksum": "nope"}),
            json!({"size": -1, "checksum": "1B2M2Y8AsgTpgAmY7PhCfg=="}),
            json!({"size": "3", "checksum": "1B2M2Y8AsgTpgAmY7PhCfg=="}),
        ] {
            assert!(super::announced(Some(&bad)).is_err(), "{bad}");
        }
    }
}
