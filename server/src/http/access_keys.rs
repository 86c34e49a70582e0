//! Access keys (§4.4): `/v1/storage/access_keys/<writer>/<user>/<reader>/<type>`. PUT 201 (409
//! when one exists), GET 200 with the authorizer's public keys (404 when absent or not the
//! caller's), DELETE 204.

use axum::extract::State;
use toz::sdk::wire;

use super::AppState;
use super::auth::Caller;
use super::errors::{ApiError, ApiResult, JsonBody, Params, created, no_content, ok};
use crate::ids::parse_uuid;
use crate::store::{EakKey, EakRow};

type KeyPath = (String, String, String, String);

/// Parses the four path segments; malformed ids are "not found".
pub fn key_of((w, u, r, t): KeyPath) -> ApiResult<EakKey> {
    let id = |s: &str| parse_uuid(s).ok_or_else(|| ApiError::not_found("access key not found"));
    if t.is_empty() {
        return Err(ApiError::not_found("access key not found"));
    }
    Ok(EakKey {
        writer_id: id(&w)?,
        user_id: id(&u)?,
        reader_id: id(&r)?,
        record_type: t,
    })
}

/// The wire form of a stored EAK (also the `access_key` of query and search results).
pub fn eak_info(e: EakRow) -> wire::EakInfo {
    wire::EakInfo {
        eak: e.eak,
        authorizer_id: e.authorizer_id.clone(),
        authorizer_public_key: wire::PublicKey {
            curve25519: e.authorizer_public_key,
        },
        signer_id: Some(e.authorizer_id),
        signer_signing_key: e
            .authorizer_signing_key
            .map(|k| wire::SigningKey { ed25519: Some(k) }),
        access_key_wrappers: None,
    }
}

/// `GET`: only the reader itself, and (unless it is the writer) only while it holds a grant.
pub async fn get_key(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Params(path): Params<KeyPath>,
) -> ApiResult {
    let key = key_of(path)?;
    let eak = state
        .store
        .get_eak(&caller.id, &key)
        .await?
        .ok_or_else(|| ApiError::not_found("access key not found"))?;
    ok(&eak_info(eak))
}

/// `PUT {eak}` → 201; the caller becomes the key's authorizer.
pub async fn put_key(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Params(path): Params<KeyPath>,
    JsonBody(body): JsonBody<wire::PutEakRequest>,
) -> ApiResult {
    let key = key_of(path)?;
    if body.eak.is_empty() || body.eak.len() > 4096 {
        return Err(ApiError::bad_request("eak must be a non-empty string"));
    }
    state.store.put_eak(&caller.id, &key, &body.eak).await?;
    created(&wire::PutEakResponse {
        eak: body.eak,
        authorizer_id: caller.id,
    })
}

async fn delete(state: AppState, caller: &str, path: KeyPath, as_reader: bool) -> ApiResult {
    state
        .store
        .delete_eak(caller, &key_of(path)?, as_reader)
        .await?;
    no_content()
}

/// `DELETE` by the writer or its authorizer → 204.
pub async fn delete_key(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Params(path): Params<KeyPath>,
) -> ApiResult {
    delete(state, &caller.id, path, false).await
}

/// `DELETE /v1/storage/access_keys/reader/...` (JS): a reader drops its own key → 204.
pub async fn delete_own_key(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Params(path): Params<KeyPath>,
) -> ApiResult {
    delete(state, &caller.id, path, true).await
}
