//! Registration tokens of the account API (§2.3). Only a hash of each token is stored, so a
//! listing shows the token's public id (also in the `token` key, so list-then-delete clients keep
//! working); the raw token is returned once, at creation. DELETE takes either.

use axum::extract::State;
use axum::http::StatusCode;
use toz::sdk::wire;

use super::AppState;
use super::auth::AccountCaller;
use super::errors::{ApiError, ApiResult, JsonBody, Params, json_response, no_content, ok};
use crate::ops;
use crate::secrets::{self, Kind};
use crate::store::TokenRow;
use crate::time::{format_micros, parse_rfc3339};

fn render(t: &TokenRow, token: String) -> wire::RegistrationToken {
    wire::RegistrationToken {
        token,
        id: t.id.clone(),
        name: t.name.clone(),
        permissions: wire::TokenPermissions {
            enabled: t.enabled,
            one_time: t.one_time,
            allowed_types: t.allowed_types.clone(),
        },
        uses: t.uses,
        total_uses_allowed: t.total_uses_allowed,
        expires_at: t.expires_at.map(format_micros),
        created: format_micros(t.created),
    }
}

/// `POST /v1/account/tokens` → 201 with the raw token.
pub async fn create(
    State(state): State<AppState>,
    AccountCaller(account): AccountCaller,
    JsonBody(req): JsonBody<wire::CreateTokenRequest>,
) -> ApiResult {
    let expires_at = match req.expires_at.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            parse_rfc3339(s)
                .ok_or_else(|| ApiError::bad_request("expires_at must be an RFC 3339 time"))?,
        ),
        None => None,
    };
    let (raw, row) = ops::create_token(
        state.store.as_ref(),
        &account.id,
        &req.name,
        &req.permissions,
        req.total_uses_allowed.unwrap_or(0),
        expires_at,
    )
    .await?;
    Ok(json_response(StatusCode::CREATED, &render(&row, raw)))
}

/// `GET /v1/account/tokens` → array (public ids, never raw tokens).
pub async fn list(
    State(state): State<AppState>,
    AccountCaller(account): AccountCaller,
) -> ApiResult {
    let rows = state.store.list_tokens(&account.id).await?;
    ok(&rows
        .iter()
        .map(|t| render(t, t.id.clone()))
        .collect::<Vec<_>>())
}

/// `DELETE /v1/account/tokens/{token or id}` → 204.
pub async fn remove(
    State(state): State<AppState>,
    AccountCaller(account): AccountCaller,
    Params(token): Params<String>,
) -> ApiResult {
    let hash = secrets::hash(Kind::RegistrationToken, &token);
    if !state.store.delete_token(&account.id, &token, &hash).await? {
        return Err(ApiError::not_found("registration token not found"));
    }
    no_content()
}
