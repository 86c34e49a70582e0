//! Authentication: OAuth client-credentials tokens (§3.1) and TSV1 signatures (§3.2), both
//! accepted on every authenticated endpoint; account sessions for the account API (§2.3).

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use toz::sdk::{crypto, tsv1, wire};

use super::AppState;
use super::errors::{ApiError, ApiResult, ok};
use crate::ids::parse_uuid;
use crate::secrets::{self, Kind};
use crate::store::{AccountRow, ClientRow};
use crate::time::{format_micros, now_micros, now_secs};

/// The request target exactly as received (before `//v1` is normalised), for TSV1.
#[derive(Clone, Debug)]
pub struct RawTarget {
    /// Percent-encoded path.
    pub path: String,
    /// Query without `?`.
    pub query: String,
}

/// Slot the request logger reads the authenticated client id from.
#[derive(Clone, Default)]
pub struct LogClient(pub Arc<OnceLock<String>>);

/// The authenticated client of a request.
pub struct Caller(pub ClientRow);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let client = authenticate(parts, state).await?;
        if let Some(slot) = parts.extensions.get::<LogClient>() {
            let _ = slot.0.set(client.id.clone());
        }
        Ok(Caller(client))
    }
}

fn authorization(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// Authenticates a client by Bearer token or TSV1 signature; 401 otherwise.
pub async fn authenticate(parts: &Parts, state: &AppState) -> ApiResult<ClientRow> {
    let value = authorization(parts)
        .ok_or_else(|| ApiError::unauthorized("missing Authorization header"))?;
    let client = if let Some(token) = value.strip_prefix("Bearer ") {
        let hash = secrets::hash(Kind::AccessToken, token.trim());
        state
            .store
            .client_by_access_token(&hash, now_micros())
            .await?
    } else if value.starts_with(tsv1::METHOD) {
        verify_tsv1(parts, state, value, false).await?.client
    } else {
        return Err(ApiError::unauthorized("unsupported Authorization scheme"));
    };
    match client {
        Some(c) if c.enabled => Ok(c),
        Some(_) => Err(ApiError::unauthorized("client is disabled")),
        None => Err(ApiError::unauthorized("invalid or expired access token")),
    }
}

/// A verified TSV1 signer: its key, and its client unless the request was anonymous.
pub struct Tsv1Signer {
    /// The signer's Ed25519 public key, unpadded b64url.
    pub key: String,
    /// The registered client (`uid:` non-empty); None for an anonymous request.
    pub client: Option<ClientRow>,
}

/// Verifies a TSV1 header: format, clock skew, signature, the `uid:` client's registered key
/// (when `uid:` is non-empty; an empty one is refused unless `allow_anonymous`), and the nonce.
async fn verify_tsv1(
    parts: &Parts,
    state: &AppState,
    value: &str,
    allow_anonymous: bool,
) -> ApiResult<Tsv1Signer> {
    let header = tsv1::parse(value)
        .map_err(|_| ApiError::unauthorized("malformed TSV1 signature header"))?;
    let window = state.config.tsv1_window_secs;
    if (now_secs() - header.timestamp).abs() > window {
        return Err(ApiError::unauthorized(
            "TSV1 timestamp outside the allowed clock skew",
        ));
    }
    let (path, query) = match parts.extensions.get::<RawTarget>() {
        Some(t) => (t.path.clone(), t.query.clone()),
        None => (
            parts.uri.path().to_string(),
            parts.uri.query().unwrap_or("").to_string(),
        ),
    };
    if !tsv1::verify(&header, &path, &query, parts.method.as_str()) {
        return Err(ApiError::unauthorized("TSV1 signature does not verify"));
    }
    let client = if header.uid.is_empty() && allow_anonymous {
        None
    } else {
        Some(registered_signer(state, &header).await?)
    };
    // The nonce is remembered (in the database, so every server sees it) until the timestamp
    // could no longer pass the skew check.
    let key = crypto::hex_lower(&crypto::blake2b_256(&[
        &header.public_key,
        header.nonce.as_bytes(),
    ]));
    let expires = (header.timestamp + window + 1) * 1_000_000;
    if !state.store.insert_nonce(&key, expires).await? {
        return Err(ApiError::unauthorized("TSV1 nonce already used (replay)"));
    }
    Ok(Tsv1Signer {
        key: crypto::b64url_encode(&header.public_key),
        client,
    })
}

/// The client named by `uid:`, which must have registered the signing key.
async fn registered_signer(state: &AppState, header: &tsv1::SignedHeader) -> ApiResult<ClientRow> {
    let uid = parse_uuid(&header.uid)
        .ok_or_else(|| ApiError::unauthorized("TSV1 request without a client id"))?;
    let client = state
        .store
        .client(&uid)
        .await?
        .ok_or_else(|| ApiError::unauthorized("unknown client"))?;
    let registered = client.signing_key.as_deref().unwrap_or("");
    let registered = crypto::b64url_decode(registered).unwrap_or_default();
    if !crypto::constant_time_eq(&registered, &header.public_key) {
        return Err(ApiError::unauthorized(
            "TSV1 key is not the client's signing key",
        ));
    }
    Ok(client)
}

/// The signer of a TSV1-only request (notes, §8.1): a registered client, or anyone with a key
/// (`uid:` empty). Bearer tokens are refused.
pub struct Signer(pub Tsv1Signer);

impl FromRequestParts<AppState> for Signer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let value = authorization(parts)
            .filter(|v| v.starts_with(tsv1::METHOD))
            .ok_or_else(|| ApiError::unauthorized("this endpoint needs a TSV1 signature"))?;
        let signer = verify_tsv1(parts, state, value, true).await?;
        if signer.client.as_ref().is_some_and(|c| !c.enabled) {
            return Err(ApiError::unauthorized("client is disabled"));
        }
        if let Some(slot) = parts.extensions.get::<LogClient>() {
            let who = signer.client.as_ref().map(|c| c.id.as_str());
            let _ = slot.0.set(who.unwrap_or("anonymous").to_string());
        }
        Ok(Signer(signer))
    }
}

/// The account a request acts for: an account session token, or the credentials (Bearer or
/// TSV1) of the account's queen client.
pub struct AccountCaller(pub AccountRow);

impl FromRequestParts<AppState> for AccountCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = authorization(parts).and_then(|v| v.strip_prefix("Bearer ")) {
            let hash = secrets::hash(Kind::AccountSession, token.trim());
            if let Some(account) = state.store.account_by_session(&hash, now_micros()).await? {
                return Ok(AccountCaller(account));
            }
        }
        let Caller(client) = Caller::from_request_parts(parts, state).await?;
        match state.store.account_by_id(&client.account_id).await? {
            Some(a) if a.queen_client_id == client.id => Ok(AccountCaller(a)),
            _ => Err(ApiError::forbidden(
                "only the account's queen client may use the account API",
            )),
        }
    }
}

/// `POST /v1/auth/token`: client credentials from Basic auth or form fields; the body is parsed
/// as a form whatever the Content-Type (JS sends `x-www-form-urlencoded`, JV `text/plain`).
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if field("grant_type").is_some_and(|g| g != "client_credentials") {
        return Err(ApiError::bad_request("unsupported grant_type"));
    }
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| crypto::b64std_decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (id, secret) = s.split_once(':')?;
            // GO's oauth2 URL-escapes both parts first (a no-op for hex).
            Some((
                tsv1::percent_decode(id, true)?,
                tsv1::percent_decode(secret, true)?,
            ))
        });
    let (id, secret) = basic
        .or_else(|| Some((field("client_id")?, field("client_secret")?)))
        .ok_or_else(|| ApiError::unauthorized("missing client credentials"))?;
    let client = state.store.client_by_api_key(&id).await?;
    let stored = client
        .as_ref()
        .map(|c| c.api_secret_hash.as_str())
        .unwrap_or("");
    let valid = secrets::verify(Kind::ApiSecret, &secret, stored);
    let client = match client {
        Some(c) if valid && c.enabled => c,
        _ => return Err(ApiError::unauthorized("invalid client credentials")),
    };
    let access_token = secrets::generate();
    let lifetime = state.config.access_token_secs;
    let expires_at = now_micros() + lifetime * 1_000_000;
    state
        .store
        .insert_access_token(
            &secrets::hash(Kind::AccessToken, &access_token),
            &client.id,
            expires_at,
        )
        .await?;
    ok(&wire::TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: lifetime,
        expires_at: format_micros(expires_at),
    })
}
