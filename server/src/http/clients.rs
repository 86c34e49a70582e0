//! Registration (§2.1), credential backup (§2.2), client info (§7) and client admin (§2.3).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use toz::sdk::wire;

use super::AppState;
use super::auth::{AccountCaller, Caller};
use super::errors::{ApiError, ApiResult, JsonBody, Params, json_response, ok};
use crate::ids::parse_uuid;
use crate::ops;
use crate::secrets::{self, Kind};
use crate::store::ClientRow;
use crate::time::now_micros;

/// The admin/registration view of a client; `api_secret` only at creation.
pub fn details(c: &ClientRow, api_secret: Option<String>) -> wire::ClientDetails {
    wire::ClientDetails {
        client_id: c.id.clone(),
        api_key_id: c.api_key_id.clone(),
        api_secret,
        name: c.name.clone(),
        r#type: c.client_type.clone(),
        enabled: c.enabled,
        has_backup: c.has_backup,
        public_key: wire::PublicKey {
            curve25519: c.public_key.clone(),
        },
        signing_key: wire::SigningKey {
            ed25519: c.signing_key.clone(),
        },
        created: Some(crate::time::format_micros(c.created)),
    }
}

/// `POST /v1/account/e3db/clients/register` → 201 + `X-Backup-Client`.
pub async fn register(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<wire::RegisterRequest>,
) -> ApiResult {
    if req.token.is_empty() {
        return Err(ApiError::bad_request("token is required"));
    }
    let client_type = req
        .client
        .r#type
        .clone()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "general".into());
    let signing = req
        .client
        .signing_key
        .as_ref()
        .and_then(|k| k.ed25519.as_deref());
    let (new_client, secret) = ops::new_client(
        &req.client.name,
        &client_type,
        &req.client.public_key.curve25519,
        signing,
    )?;
    let token_hash = secrets::hash(Kind::RegistrationToken, &req.token);
    let (client, queen) = state
        .store
        .register_client(&token_hash, now_micros(), new_client)
        .await?;
    let mut resp = json_response(StatusCode::CREATED, &details(&client, Some(secret)));
    if let Ok(v) = HeaderValue::from_str(&queen) {
        resp.headers_mut().insert("X-Backup-Client", v);
    }
    Ok(resp)
}

/// `POST /v1/account/backup/{token}/{client_id}`: authorised by the token (JS sends no
/// Authorization header), which must belong to the client's account.
pub async fn backup(
    State(state): State<AppState>,
    Params((token, client_id)): Params<(String, String)>,
) -> ApiResult {
    let client_id =
        parse_uuid(&client_id).ok_or_else(|| ApiError::not_found("client not found"))?;
    let token = state
        .store
        .token_by_hash(&secrets::hash(Kind::RegistrationToken, &token))
        .await?
        .ok_or_else(|| ApiError::forbidden("registration token is not valid"))?;
    let client = state
        .store
        .client(&client_id)
        .await?
        .ok_or_else(|| ApiError::not_found("client not found"))?;
    if client.account_id != token.account_id {
        return Err(ApiError::forbidden(
            "registration token does not belong to the client's account",
        ));
    }
    state.store.set_has_backup(&client.id).await?;
    ok(&serde_json::json!({}))
}

/// `GET /v1/storage/clients/{id}`: any authenticated client may look up any client; 404 for
/// unknown or malformed ids (PY `client_info('doesnt exist')`).
pub async fn info(
    State(state): State<AppState>,
    _caller: Caller,
    Params(id): Params<String>,
) -> ApiResult {
    let id = parse_uuid(&id).ok_or_else(|| ApiError::not_found("client not found"))?;
    let c = state
        .store
        .client(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("client not found"))?;
    ok(&wire::ClientInfo {
        client_id: c.id,
        public_key: wire::PublicKey {
            curve25519: c.public_key,
        },
        signing_key: c.signing_key.map(|k| wire::SigningKey { ed25519: Some(k) }),
        validated: true,
    })
}

/// `GET /v1/client/admin?next=&limit=`: the account's clients, by registration order.
pub async fn admin_list(
    State(state): State<AppState>,
    AccountCaller(account): AccountCaller,
    uri: axum::http::Uri,
) -> ApiResult {
    let mut offset = 0i64;
    let mut limit = 50i64;
    for (k, v) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        let n = v
            .parse::<i64>()
            .map_err(|_| ApiError::bad_request(format!("{k} must be an integer")));
        match k.as_ref() {
            "next" | "next_token" => offset = n?,
            "limit" => limit = n?,
            _ => {}
        }
    }
    if offset < 0 || !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request(
            "next must be >= 0 and limit between 1 and 1000",
        ));
    }
    let rows = state.store.list_clients(&account.id, offset, limit).await?;
    let next_token = if rows.len() as i64 == limit {
        offset + limit
    } else {
        0
    };
    ok(&wire::ClientList {
        clients: rows.iter().map(|c| details(c, None)).collect(),
        next_token,
    })
}

async fn own_client(state: &AppState, account_id: &str, id: &str) -> ApiResult<ClientRow> {
    let id = parse_uuid(id).ok_or_else(|| ApiError::not_found("client not found"))?;
    match state.store.client(&id).await? {
        Some(c) if c.account_id == account_id => Ok(c),
        _ => Err(ApiError::not_found("client not found")),
    }
}

/// `GET /v1/client/admin/{id}`.
pub async fn admin_get(
    State(state): State<AppState>,
    AccountCaller(account): AccountCaller,
    Params(id): Params<String>,
) -> ApiResult {
    ok(&details(&own_client(&state, &account.id, &id).await?, None))
}

/// `PATCH /v1/client/admin/{id}/enable {enabled}`; the queen client cannot disable itself.
pub async fn admin_enable(
    State(state): State<AppState>,
    AccountCaller(account): AccountCaller,
    Params(id): Params<String>,
    JsonBody(body): JsonBody<wire::EnableRequest>,
) -> ApiResult<Response> {
    let client = own_client(&state, &account.id, &id).await?;
    if client.id == account.queen_client_id && !body.enabled {
        return Err(ApiError::bad_request(
            "the account's queen client cannot be disabled",
        ));
    }
    state
        .store
        .set_client_enabled(&account.id, &client.id, body.enabled)
        .await?;
    let updated = own_client(&state, &account.id, &client.id).await?;
    ok(&details(&updated, None))
}
