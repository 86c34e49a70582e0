//! Operations shared by the HTTP API and the command line: creating accounts and registration
//! tokens. Secrets are generated here and leave only once, in the return value.

use toz::sdk::crypto;
use toz::sdk::wire::{Profile, TokenPermissions};

use crate::secrets::{self, Kind};
use crate::store::{AccountRow, ClientRow, NewAccount, NewClient, Store, StoreError, TokenRow};
use crate::time::now_micros;

/// Checks a b64url public key of 32 bytes and returns it unchanged.
pub fn public_key_32(text: &str, what: &str) -> Result<String, StoreError> {
    match crypto::b64url_decode(text) {
        Ok(b) if b.len() == 32 => Ok(text.trim_end_matches('=').to_string()),
        _ => Err(StoreError::BadRequest(format!(
            "{what} must be 32 bytes of base64url"
        ))),
    }
}

/// A client to insert, with a fresh API key; returns it and the API secret (shown once).
pub fn new_client(
    name: &str,
    client_type: &str,
    public_key: &str,
    signing_key: Option<&str>,
) -> Result<(NewClient, String), StoreError> {
    let public_key = public_key_32(public_key, "public_key.curve25519")?;
    let signing_key = match signing_key.filter(|s| !s.is_empty()) {
        Some(k) => Some(public_key_32(k, "signing_key.ed25519")?),
        None => None,
    };
    let secret = secrets::generate();
    let client = NewClient {
        name: name.to_string(),
        client_type: client_type.to_string(),
        public_key,
        signing_key,
        api_key_id: secrets::generate_id(),
        api_secret_hash: secrets::hash(Kind::ApiSecret, &secret),
    };
    Ok((client, secret))
}

/// A newly created account with its queen client and that client's API secret.
pub struct CreatedAccount {
    /// The account.
    pub account: AccountRow,
    /// Its queen (backup) client.
    pub queen: ClientRow,
    /// The queen's API secret; not stored anywhere.
    pub api_secret: String,
}

/// Creates an account and its queen client from public keys only.
pub async fn create_account(
    store: &dyn Store,
    mut profile: Profile,
    company: &str,
    plan: &str,
    public_key: &str,
    signing_key: Option<&str>,
) -> Result<CreatedAccount, StoreError> {
    let email = profile.email.trim().to_lowercase();
    if !email.contains('@') {
        return Err(StoreError::BadRequest(
            "a valid e-mail address is required".into(),
        ));
    }
    profile.email = email.clone();
    let queen_name = if profile.name.is_empty() {
        format!("{email} backup client")
    } else {
        profile.name.clone()
    };
    let (queen, api_secret) = new_client(&queen_name, "general", public_key, signing_key)?;
    let (account, queen) = store
        .create_account(NewAccount {
            email,
            company: company.to_string(),
            plan: if plan.is_empty() {
                "free0".into()
            } else {
                plan.to_string()
            },
            profile,
            queen,
        })
        .await?;
    Ok(CreatedAccount {
        account,
        queen,
        api_secret,
    })
}

/// Creates a registration token; returns the raw token (shown once) and the stored row.
/// `total_uses_allowed` 0 means unlimited; `one_time` forces 1.
pub async fn create_token(
    store: &dyn Store,
    account_id: &str,
    name: &str,
    permissions: &TokenPermissions,
    total_uses_allowed: i64,
    expires_at: Option<i64>,
) -> Result<(String, TokenRow), StoreError> {
    if total_uses_allowed < 0 {
        return Err(StoreError::BadRequest(
            "total_uses_allowed must not be negative".into(),
        ));
    }
    let raw = secrets::generate();
    let row = TokenRow {
        id: crypto::random_uuid_v4(),
        account_id: account_id.to_string(),
        name: name.to_string(),
        enabled: permissions.enabled,
        one_time: permissions.one_time,
        allowed_types: permissions.allowed_types.clone(),
        uses: 0,
        total_uses_allowed: if permissions.one_time {
            1
        } else {
            total_uses_allowed
        },
        expires_at,
        created: now_micros(),
    };
    store
        .insert_token(&row, &secrets::hash(Kind::RegistrationToken, &raw))
        .await?;
    Ok((raw, row))
}
