//! Policies, sharing and authorizers (§5): PUT allow/deny → 201, listings as JSON arrays.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use toz::sdk::wire;

use super::AppState;
use super::auth::Caller;
use super::errors::{ApiError, ApiResult, JsonBody, Params, json_response, ok};
use crate::ids::parse_uuid;
use crate::store::{PolicyChange, PolicyListing, PolicyRow};

fn apply(change: &mut PolicyChange, actions: &[wire::PolicyAction], value: bool) -> ApiResult<()> {
    for a in actions {
        let mut any = false;
        if a.read.is_some() {
            change.read = Some(value);
            any = true;
        }
        if a.authorizer.is_some() {
            change.authorizer = Some(value);
            any = true;
        }
        if a.edit.is_some() {
            change.edit = Some(value);
            any = true;
        }
        if !any {
            return Err(ApiError::bad_request(
                "policy action must be read, authorizer or edit",
            ));
        }
    }
    Ok(())
}

/// The owner from the two id segments: PY/GO/JV/SW send `<user>/<writer>`, JS `<writer>/<user>`;
/// user == writer in all SDK traffic, so both must name the same client.
fn owner_of(a: &str, b: &str) -> ApiResult<String> {
    let (a, b) = (parse_uuid(a), parse_uuid(b));
    match (a, b) {
        (Some(a), Some(b)) if a == b => Ok(a),
        (Some(_), Some(_)) => Err(ApiError::bad_request(
            "user id and writer id of a policy must be the same client",
        )),
        _ => Err(ApiError::not_found("client not found")),
    }
}

/// `PUT /v1/storage/policy/<user>/<writer>/<reader>/<type>` → 201.
pub async fn put_policy(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Params((a, b, reader, record_type)): Params<(String, String, String, String)>,
    JsonBody(body): JsonBody<wire::PolicyRequest>,
) -> ApiResult {
    let owner = owner_of(&a, &b)?;
    let reader =
        parse_uuid(&reader).ok_or_else(|| ApiError::not_found("reader client not found"))?;
    if record_type.is_empty() {
        return Err(ApiError::bad_request("record type is required"));
    }
    let mut change = PolicyChange::default();
    // Allows first, then denies: a body carrying both ends with the denial.
    apply(&mut change, body.allow.as_deref().unwrap_or_default(), true)?;
    apply(&mut change, body.deny.as_deref().unwrap_or_default(), false)?;
    if change == PolicyChange::default() {
        return Err(ApiError::bad_request("policy must allow or deny something"));
    }
    state
        .store
        .put_policy(&caller.id, &owner, &reader, &record_type, change)
        .await?;
    Ok(json_response(StatusCode::CREATED, &serde_json::json!({})))
}

/// `DELETE /v1/storage/policy/<user>/<writer>/<reader>` (JV): remove an authorizer for all types.
pub async fn remove_authorizer(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Params((a, b, reader)): Params<(String, String, String)>,
) -> ApiResult {
    let owner = owner_of(&a, &b)?;
    if owner != caller.id {
        return Err(ApiError::forbidden(
            "only the writer may remove its authorizers",
        ));
    }
    let reader = parse_uuid(&reader).ok_or_else(|| ApiError::not_found("client not found"))?;
    state.store.remove_authorizer_all(&owner, &reader).await?;
    Ok(StatusCode::OK.into_response())
}

async fn listing(
    state: &AppState,
    caller: &str,
    which: PolicyListing,
) -> ApiResult<Vec<PolicyRow>> {
    Ok(state.store.list_policies(caller, which).await?)
}

/// `GET /v1/storage/policy/outgoing`.
pub async fn outgoing(State(state): State<AppState>, Caller(caller): Caller) -> ApiResult {
    let rows = listing(&state, &caller.id, PolicyListing::Outgoing).await?;
    ok(&rows
        .into_iter()
        .map(|p| wire::OutgoingSharing {
            reader_id: p.reader_id,
            reader_name: p.other_name,
            record_type: p.record_type,
        })
        .collect::<Vec<_>>())
}

/// `GET /v1/storage/policy/incoming`.
pub async fn incoming(State(state): State<AppState>, Caller(caller): Caller) -> ApiResult {
    let rows = listing(&state, &caller.id, PolicyListing::Incoming).await?;
    ok(&rows
        .into_iter()
        .map(|p| wire::IncomingSharing {
            writer_id: p.owner_id,
            writer_name: p.other_name,
            record_type: p.record_type,
        })
        .collect::<Vec<_>>())
}

fn authorizer_policies(rows: Vec<PolicyRow>) -> Vec<wire::AuthorizerPolicy> {
    rows.into_iter()
        .map(|p| wire::AuthorizerPolicy {
            authorizer_id: p.reader_id,
            writer_id: p.owner_id.clone(),
            user_id: p.owner_id.clone(),
            record_type: p.record_type,
            authorized_by: p.owner_id,
        })
        .collect()
}

/// `GET /v1/storage/policy/proxies`: authorizers the caller appointed.
pub async fn proxies(State(state): State<AppState>, Caller(caller): Caller) -> ApiResult {
    ok(&authorizer_policies(
        listing(&state, &caller.id, PolicyListing::Proxies).await?,
    ))
}

/// `GET /v1/storage/policy/granted`: authorizations granted to the caller.
pub async fn granted(State(state): State<AppState>, Caller(caller): Caller) -> ApiResult {
    ok(&authorizer_policies(
        listing(&state, &caller.id, PolicyListing::Granted).await?,
    ))
}

/// One page of a v2 share listing: the caller's outgoing (or incoming) read grants, filtered by
/// the other party and the type.
async fn share_page(
    state: &AppState,
    caller: &str,
    outgoing: bool,
    req: &wire::ShareListRequest,
) -> ApiResult {
    let (which, other) = if outgoing {
        (PolicyListing::Outgoing, req.reader_id.as_deref())
    } else {
        (PolicyListing::Incoming, req.writer_id.as_deref())
    };
    let other = other.and_then(parse_uuid);
    let entries: Vec<wire::ShareEntry> = listing(state, caller, which)
        .await?
        .into_iter()
        .map(|p| {
            if outgoing {
                (p.reader_id, p.record_type)
            } else {
                (p.owner_id, p.record_type)
            }
        })
        .filter(|(id, _)| other.as_ref().is_none_or(|o| o == id))
        .filter(|(_, t)| {
            req.record_type
                .as_ref()
                .is_none_or(|want| want.is_empty() || want == t)
        })
        .map(|(id, record_type)| {
            let (reader_id, writer_id) = if outgoing {
                (Some(id), None)
            } else {
                (None, Some(id))
            };
            wire::ShareEntry {
                reader_id,
                writer_id,
                record_type,
            }
        })
        .collect();
    let offset = match &req.next_token {
        None | Some(serde_json::Value::Null) => 0,
        Some(v) => super::search::parse_offset(v)? as usize,
    };
    let limit = req.limit.filter(|l| *l > 0).unwrap_or(100).min(1000) as usize;
    let total = entries.len();
    let shares: Vec<_> = entries.into_iter().skip(offset).take(limit).collect();
    let end = offset + shares.len();
    ok(&wire::ShareListResponse {
        shares,
        next_token: if end < total { end as i64 } else { 0 },
    })
}

/// `POST /v2/storage/share/outgoing {reader_id, record_type, next_token, limit}`.
pub async fn outgoing_v2(
    State(state): State<AppState>,
    Caller(caller): Caller,
    JsonBody(req): JsonBody<wire::ShareListRequest>,
) -> ApiResult {
    share_page(&state, &caller.id, true, &req).await
}

/// `POST /v2/storage/share/incoming {writer_id, record_type, next_token, limit}`.
pub async fn incoming_v2(
    State(state): State<AppState>,
    Caller(caller): Caller,
    JsonBody(req): JsonBody<wire::ShareListRequest>,
) -> ApiResult {
    share_page(&state, &caller.id, false, &req).await
}
