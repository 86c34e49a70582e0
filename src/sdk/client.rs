//! A TozStore client: credentials, transport, OAuth token cache and access-key cache.
//!
//! A `Client` is immutable after construction; its caches sit behind mutexes, so one client is
//! shared freely between threads (asserted at compile time below). Record, sharing, query and
//! backup operations live in their own modules as further `impl Client` blocks.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::access_key::AccessKey;
use super::credentials::Credentials;
use super::crypto;
use super::error::{Error, ErrorKind, Result};
use super::http::{Http, HttpOptions, Method, Request, Response, encode_segment};
use super::wire;

/// Refresh the OAuth token this long before the server says it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// (writer, user, reader, record type): the identity of one access key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct AkId {
    pub writer: String,
    pub user: String,
    pub reader: String,
    pub record_type: String,
}

struct CachedToken {
    value: String,
    refresh_at: Instant,
}

/// A connected TozStore client.
pub struct Client {
    pub(crate) credentials: Credentials,
    pub(crate) http: Http,
    token: Mutex<Option<CachedToken>>,
    access_keys: Mutex<HashMap<AkId, AccessKey>>,
    /// Whether files may be uploaded in one pass where the server offers it.
    pub(crate) single_pass_uploads: bool,
    /// What the server said of itself (`GET /v1/toz/server`), asked once; None for servers
    /// other than toz-server.
    server_info: once_cell::sync::OnceCell<Option<wire::ServerInfo>>,
}

const _: fn() = || {
    fn shared_between_threads<T: Send + Sync>() {}
    shared_between_threads::<Client>();
};

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("client_id", &self.credentials.client_id)
            .finish_non_exhaustive()
    }
}

/// How a request authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Auth {
    /// OAuth bearer token (refreshed and retried once on 401).
    Bearer,
    /// A TSV1 signature with this client's signing key (anonymous `uid:` when unregistered).
    Tsv1,
}

impl Client {
    /// A client for `credentials`. Unregistered credentials (no client_id, as made by
    /// [`Credentials::generate`]) give an *anonymous* client: it can write and read notes, signed
    /// with its throwaway keys, and nothing that needs an account.
    pub fn new(credentials: Credentials, options: &HttpOptions) -> Result<Self> {
        let registered = !credentials.client_id.is_empty();
        if registered && (credentials.api_key_id.is_empty() || credentials.api_secret.is_empty()) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "credentials have a client_id but no api_key_id or api_secret",
            ));
        }
        credentials.validate()?;
        let http = Http::new(&credentials.api_url, options)?;
        Ok(Client {
            credentials,
            http,
            token: Mutex::new(None),
            access_keys: Mutex::new(HashMap::new()),
            single_pass_uploads: options.single_pass_uploads,
            server_info: once_cell::sync::OnceCell::new(),
        })
    }

    /// The credentials this client acts with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// This client's id ("" for an anonymous client).
    pub fn client_id(&self) -> &str {
        &self.credentials.client_id
    }

    /// True for a client made from unregistered credentials.
    pub fn is_anonymous(&self) -> bool {
        self.credentials.client_id.is_empty()
    }

    // -----------------------------------------------------------------------------------------
    // Requests

    /// Sends a request with the given authentication and returns the response of any status.
    pub(crate) fn send(&self, mut request: Request<'_>, auth: Auth) -> Result<Response> {
        match auth {
            Auth::Tsv1 => {
                let header = self.tsv1_header(&request)?;
                request.headers.push(("authorization", header));
                return self.http.send(&request);
            }
            Auth::Bearer => {}
        }
        let token = self.bearer_token(false)?;
        request
            .headers
            .push(("authorization", format!("Bearer {token}")));
        let response = self.http.send(&request)?;
        if response.status != 401 {
            return Ok(response);
        }
        // The token may have been revoked or expired early (e.g. server restarted): once more.
        let token = self.bearer_token(true)?;
        request.headers.retain(|(n, _)| *n != "authorization");
        request
            .headers
            .push(("authorization", format!("Bearer {token}")));
        self.http.send(&request)
    }

    /// Sends and parses a JSON 2xx response.
    pub(crate) fn call<T: serde::de::DeserializeOwned>(&self, request: Request<'_>) -> Result<T> {
        self.send(request, Auth::Bearer)?.json()
    }

    /// Whether the server offers the TozStore protocol extension `feature` (toz-server's
    /// `GET /v1/toz/server`). Asked once per client; a server without that endpoint offers none.
    pub(crate) fn server_offers(&self, feature: &str) -> Result<bool> {
        let info = self.server_info.get_or_try_init(|| {
            let response = self
                .http
                .send(&Request::new(Method::Get, "/v1/toz/server"))?;
            match response.status {
                200..=299 => Ok(response.json::<wire::ServerInfo>().ok()),
                400..=499 => Ok(None),
                _ => Err(response.error_for_status().err().unwrap_or_else(|| {
                    Error::new(
                        ErrorKind::Server,
                        "unexpected response to GET /v1/toz/server",
                    )
                })),
            }
        })?;
        Ok(info
            .as_ref()
            .is_some_and(|i| i.features.iter().any(|f| f == feature)))
    }

    /// Sends and requires a 2xx response, ignoring its body.
    pub(crate) fn call_empty(&self, request: Request<'_>) -> Result<()> {
        self.send(request, Auth::Bearer)?
            .error_for_status()
            .map(|_| ())
    }

    fn tsv1_header(&self, request: &Request<'_>) -> Result<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Ok(super::tsv1::sign(
            request.path,
            request.query,
            request.method.as_str(),
            &self.credentials.signing_public()?,
            &*self.credentials.signing_secret()?,
            now,
            &crypto::random_uuid_v4(),
            &self.credentials.client_id,
        ))
    }

    fn bearer_token(&self, force_refresh: bool) -> Result<String> {
        if self.is_anonymous() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "this client was made from unregistered credentials: only notes are available",
            ));
        }
        let mut cached = self.token.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = cached
            .as_ref()
            .filter(|t| !force_refresh && Instant::now() < t.refresh_at)
        {
            return Ok(t.value.clone());
        }
        let basic = crypto::b64std_encode(
            format!(
                "{}:{}",
                self.credentials.api_key_id, self.credentials.api_secret
            )
            .as_bytes(),
        );
        let mut request = Request::new(Method::Post, "/v1/auth/token");
        request
            .headers
            .push(("authorization", format!("Basic {basic}")));
        request.body = Some((
            b"grant_type=client_credentials".to_vec(),
            "application/x-www-form-urlencoded",
        ));
        let response = self.http.send(&request)?;
        if response.status == 401 || response.status == 403 {
            return Err(Error::http(
                response.status,
                "API credentials were rejected (unknown, disabled or wrong secret)",
            ));
        }
        let token: wire::TokenResponse = response.json()?;
        let lifetime = Duration::from_secs(token.expires_in.max(0) as u64);
        let refresh_at = Instant::now()
            + lifetime
                .saturating_sub(TOKEN_MARGIN)
                .max(Duration::from_secs(1));
        let value = token.access_token.clone();
        *cached = Some(CachedToken {
            value: token.access_token,
            refresh_at,
        });
        Ok(value)
    }

    // -----------------------------------------------------------------------------------------
    // Client info (§7)

    /// Looks up another client's public keys.
    pub fn client_info(&self, client_id: &str) -> Result<wire::ClientInfo> {
        let path = format!("/v1/storage/clients/{}", encode_segment(client_id));
        self.call(Request::new(Method::Get, &path))
    }

    // -----------------------------------------------------------------------------------------
    // Access keys (§4.4, §4.5)

    fn access_key_path(id: &AkId) -> String {
        format!(
            "/v1/storage/access_keys/{}/{}/{}/{}",
            encode_segment(&id.writer),
            encode_segment(&id.user),
            encode_segment(&id.reader),
            encode_segment(&id.record_type)
        )
    }

    pub(crate) fn cached_access_key(&self, id: &AkId) -> Option<AccessKey> {
        self.access_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    pub(crate) fn cache_access_key(&self, id: AkId, ak: AccessKey) {
        self.access_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, ak);
    }

    pub(crate) fn forget_access_key(&self, id: &AkId) {
        self.access_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }

    /// Opens an EAK addressed to this client.
    pub(crate) fn open_eak(&self, info: &wire::EakInfo) -> Result<AccessKey> {
        let authorizer = crypto::b64url_decode_array::<32>(
            &info.authorizer_public_key.curve25519,
            "authorizer_public_key",
        )?;
        AccessKey::decrypt_eak(&info.eak, &authorizer, &*self.credentials.box_secret()?)
    }

    /// This client's copy of the access key `id` (reader must be this client); None when the
    /// server has none (404).
    pub(crate) fn fetch_access_key(&self, id: &AkId) -> Result<Option<AccessKey>> {
        if let Some(ak) = self.cached_access_key(id) {
            return Ok(Some(ak));
        }
        let response = self.send(
            Request::new(Method::Get, &Self::access_key_path(id)),
            Auth::Bearer,
        )?;
        if response.status == 404 {
            return Ok(None);
        }
        let info: wire::EakInfo = response.json()?;
        let ak = self.open_eak(&info)?;
        self.cache_access_key(id.clone(), ak.clone());
        Ok(Some(ak))
    }

    /// Boxes `ak` for `reader` (looking up its public key) and stores the EAK on the server.
    pub(crate) fn put_access_key(&self, id: &AkId, ak: &AccessKey) -> Result<()> {
        let reader_public = if id.reader == self.credentials.client_id {
            self.credentials.box_public()?
        } else {
            let info = self.client_info(&id.reader)?;
            *crypto::b64url_decode_array::<32>(&info.public_key.curve25519, "reader public key")?
        };
        let eak = ak.encrypt_for(&reader_public, &*self.credentials.box_secret()?);
        let path = Self::access_key_path(id);
        let request = Request::new(Method::Put, &path).json(&wire::PutEakRequest { eak })?;
        let response = self.send(request, Auth::Bearer)?;
        // 409: the reader already holds a key for this type (e.g. shared before); that is the
        // state we wanted.
        if response.status == 409 {
            return Ok(());
        }
        response.error_for_status().map(|_| ())
    }

    /// Deletes the EAK `id` from the server (absent is fine).
    pub(crate) fn delete_access_key(&self, id: &AkId) -> Result<()> {
        self.forget_access_key(id);
        let response = self.send(
            Request::new(Method::Delete, &Self::access_key_path(id)),
            Auth::Bearer,
        )?;
        if response.status == 404 {
            return Ok(());
        }
        response.error_for_status().map(|_| ())
    }

    /// The id of this client's own key for `record_type`.
    pub(crate) fn own_ak_id(&self, record_type: &str) -> AkId {
        let me = self.credentials.client_id.clone();
        AkId {
            writer: me.clone(),
            user: me.clone(),
            reader: me,
            record_type: record_type.to_string(),
        }
    }

    /// This client's access key for its own records of `record_type`, created (and stored on
    /// the server, boxed to itself) on first use.
    pub(crate) fn own_access_key(&self, record_type: &str) -> Result<AccessKey> {
        let id = self.own_ak_id(record_type);
        if let Some(ak) = self.fetch_access_key(&id)? {
            return Ok(ak);
        }
        let ak = AccessKey::generate()?;
        let path = Self::access_key_path(&id);
        let request = Request::new(Method::Put, &path).json(&wire::PutEakRequest {
            eak: ak.encrypt_for(
                &self.credentials.box_public()?,
                &*self.credentials.box_secret()?,
            ),
        })?;
        let response = self.send(request, Auth::Bearer)?;
        if response.status == 409 {
            // Another thread or process created it first: use theirs.
            return self
                .fetch_access_key(&id)?
                .ok_or_else(|| Error::new(ErrorKind::Conflict, "access key vanished"));
        }
        response.error_for_status()?;
        self.cache_access_key(id, ak.clone());
        Ok(ak)
    }

    /// The access key that decrypts records of (writer, user, type) for this client, from the
    /// cache, from `inline` (an EAK that came with a query result) or from the server.
    pub(crate) fn reader_access_key(
        &self,
        meta: &wire::Meta,
        inline: Option<&wire::EakInfo>,
    ) -> Result<AccessKey> {
        let id = AkId {
            writer: meta.writer_id.clone(),
            user: meta.user_id.clone(),
            reader: self.credentials.client_id.clone(),
            record_type: meta.r#type.clone(),
        };
        if let Some(ak) = self.cached_access_key(&id) {
            return Ok(ak);
        }
        if let Some(info) = inline {
            let ak = self.open_eak(info)?;
            self.cache_access_key(id, ak.clone());
            return Ok(ak);
        }
        self.fetch_access_key(&id)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Forbidden,
                format!(
                    "no access key for record type '{}' from this writer",
                    id.record_type
                ),
            )
        })
    }
}
