//! The account API (§2.3): signup creates an account and its queen client from public keys;
//! login is a challenge signed with the password-derived Ed25519 key, so the server never sees a
//! password or any private key.

use axum::extract::State;
use axum::http::StatusCode;
use toz::sdk::{crypto, wire};

use super::AppState;
use super::auth::AccountCaller;
use super::clients::details;
use super::errors::{ApiError, ApiResult, JsonBody, json_response, ok};
use crate::ops;
use crate::secrets::{self, Kind};
use crate::store::{AccountRow, ClientRow};
use crate::time::now_micros;

const CHALLENGE_SECS: i64 = 300;

async fn session(
    state: &AppState,
    account: &AccountRow,
    queen: &ClientRow,
    secret: Option<String>,
) -> ApiResult<wire::AccountSession> {
    let token = secrets::generate();
    let expires = now_micros() + state.config.session_secs * 1_000_000;
    state
        .store
        .insert_session(
            &secrets::hash(Kind::AccountSession, &token),
            &account.id,
            expires,
        )
        .await?;
    let mut profile = account.profile.clone();
    profile.id = Some(account.id.clone());
    profile.verified = Some(true);
    Ok(wire::AccountSession {
        token,
        profile,
        account: wire::AccountInfo {
            account_id: Some(account.id.clone()),
            company: account.company.clone(),
            plan: account.plan.clone(),
            public_key: wire::PublicKey {
                curve25519: queen.public_key.clone(),
            },
            signing_key: wire::SigningKey {
                ed25519: queen.signing_key.clone(),
            },
            client: Some(details(queen, secret)),
        },
    })
}

fn check_optional_key(key: &wire::SigningKey, what: &str) -> ApiResult<()> {
    if let Some(k) = key.ed25519.as_deref().filter(|k| !k.is_empty()) {
        ops::public_key_32(k, what)?;
    }
    Ok(())
}

/// `POST /v1/account/profile` → 201 `{token, profile, account:{..., client}}`; 409 when the
/// e-mail is taken.
pub async fn signup(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<wire::SignupRequest>,
) -> ApiResult {
    check_optional_key(&req.profile.signing_key, "profile.signing_key.ed25519")?;
    check_optional_key(
        &req.profile.paper_signing_key,
        "profile.paper_signing_key.ed25519",
    )?;
    let created = ops::create_account(
        state.store.as_ref(),
        req.profile,
        &req.account.company,
        &req.account.plan,
        &req.account.public_key.curve25519,
        req.account.signing_key.ed25519.as_deref(),
    )
    .await?;
    let body = session(
        &state,
        &created.account,
        &created.queen,
        Some(created.api_secret),
    )
    .await?;
    Ok(json_response(StatusCode::CREATED, &body))
}

async fn account_for(state: &AppState, email: &str) -> ApiResult<AccountRow> {
    state
        .store
        .account_by_email(&email.trim().to_lowercase())
        .await?
        .ok_or_else(|| ApiError::not_found("no account with this e-mail"))
}

/// `POST /v1/account/challenge {email}` → `{challenge, auth_salt, paper_auth_salt}`.
pub async fn challenge(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<wire::ChallengeRequest>,
) -> ApiResult {
    let account = account_for(&state, &req.email).await?;
    let challenge = crypto::b64url_encode(&crypto::random_array::<32>());
    state
        .store
        .insert_challenge(
            &account.id,
            &challenge,
            now_micros() + CHALLENGE_SECS * 1_000_000,
        )
        .await?;
    ok(&wire::ChallengeResponse {
        challenge,
        auth_salt: account.profile.auth_salt.clone(),
        paper_auth_salt: account.profile.paper_auth_salt.clone(),
    })
}

/// `POST /v1/account/auth {email, challenge, response, keyid}`: verifies the Ed25519 signature
/// over the decoded challenge with the profile's password (or paper) signing key.
pub async fn login(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<wire::AuthRequest>,
) -> ApiResult {
    let denied = || ApiError::unauthorized("login failed");
    let account = account_for(&state, &req.email).await?;
    let key = if req.keyid == "paper" {
        &account.profile.paper_signing_key
    } else {
        &account.profile.signing_key
    };
    let key = key.ed25519.as_deref().ok_or_else(denied)?;
    let key = crypto::b64url_decode_array::<32>(key, "signing key").map_err(|_| denied())?;
    let challenge = crypto::b64url_decode(&req.challenge).map_err(|_| denied())?;
    let signature = crypto::b64url_decode(&req.response).map_err(|_| denied())?;
    if !crypto::verify_detached(&signature, &challenge, &key) {
        return Err(denied());
    }
    // Single use: a captured response cannot be replayed.
    if !state
        .store
        .take_challenge(&account.id, &req.challenge, now_micros())
        .await?
    {
        return Err(denied());
    }
    let queen = state
        .store
        .client(&account.queen_client_id)
        .await?
        .ok_or_else(denied)?;
    ok(&session(&state, &account, &queen, None).await?)
}

/// `GET /v1/account/profile/meta`.
pub async fn get_meta(AccountCaller(account): AccountCaller) -> ApiResult {
    ok(&account.meta)
}

/// `PUT /v1/account/profile/meta`: replaces the map; returns it.
pub async fn put_meta(
    State(state): State<AppState>,
    AccountCaller(account): AccountCaller,
    JsonBody(meta): JsonBody<wire::StringMap>,
) -> ApiResult {
    state.store.set_account_meta(&account.id, &meta).await?;
    ok(&meta)
}
