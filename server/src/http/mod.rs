//! The HTTP API: routing, CORS, request logging and the shared state of every handler.

pub mod access_keys;
pub mod accounts;
pub mod auth;
pub mod clients;
pub mod dashboard;
pub mod errors;
pub mod files;
pub mod note_codes;
pub mod notes;
pub mod policies;
pub mod query;
pub mod records;
pub mod search;
pub mod tokens;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post, put};

use crate::blobs::Blobs;
use crate::store::DynStore;
use auth::{LogClient, RawTarget};
use errors::ApiError;

/// Tunables of the HTTP layer.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Largest accepted request body.
    pub body_limit: usize,
    /// TSV1 clock-skew window, each way.
    pub tsv1_window_secs: i64,
    /// OAuth access token lifetime.
    pub access_token_secs: i64,
    /// Account session lifetime.
    pub session_secs: i64,
    /// Lifetime of file upload and download URLs; an upload not committed within twice this
    /// is abandoned.
    pub file_url_secs: i64,
    /// Base URL put into file URLs; None = `http://` + the request's Host header.
    pub public_url: Option<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            body_limit: 8 * 1024 * 1024,
            tsv1_window_secs: 300,
            access_token_secs: 3600,
            session_secs: 12 * 3600,
            file_url_secs: 3600,
            public_url: None,
        }
    }
}

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: DynStore,
    /// Where file bytes live.
    pub blobs: Arc<Blobs>,
    /// Tunables.
    pub config: Arc<HttpConfig>,
    /// Sends the mail of notes' e-mail challenges.
    pub mailer: Arc<crate::mail::Mailer>,
}

/// The routes, without the outer path normalisation and CORS (see [`service`]).
pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    Router::new()
        .merge(dashboard::routes())
        .route("/healthcheck", get(|| async { "ok" }))
        .route("/v1/toz/server", get(server_info))
        .route("/v1/auth/token", post(auth::token))
        .route("/v1/account/e3db/clients/register", post(clients::register))
        .route(
            "/v1/account/backup/{token}/{client_id}",
            post(clients::backup),
        )
        .route("/v1/account/profile", post(accounts::signup))
        .route("/v1/account/challenge", post(accounts::challenge))
        .route("/v1/account/auth", post(accounts::login))
        .route(
            "/v1/account/profile/meta",
            get(accounts::get_meta).put(accounts::put_meta),
        )
        .route("/v1/account/tokens", post(tokens::create).get(tokens::list))
        .route("/v1/account/tokens/{token}", delete(tokens::remove))
        .route("/v1/client/admin", get(clients::admin_list))
        .route("/v1/client/admin/{id}", get(clients::admin_get))
        .route("/v1/client/admin/{id}/enable", patch(clients::admin_enable))
        .route("/v1/storage/clients/{id}", get(clients::info))
        .route("/v1/storage/records", post(records::write))
        .route(
            "/v1/storage/records/{id}",
            get(records::read)
                .put(records::update_unsafe)
                .delete(records::delete_unsafe),
        )
        .route(
            "/v1/storage/records/safe/{id}/{version}",
            put(records::update_safe).delete(records::delete_safe),
        )
        .route(
            "/v1/storage/records/safe/edit/{id}/{version}",
            put(records::update_edit),
        )
        .route(
            "/v2/storage/records/bulk/delete",
            delete(records::bulk_delete),
        )
        .route(
            "/v1/storage/access_keys/{w}/{u}/{r}/{t}",
            get(access_keys::get_key)
                .put(access_keys::put_key)
                .delete(access_keys::delete_key),
        )
        .route(
            "/v1/storage/access_keys/reader/{w}/{u}/{r}/{t}",
            delete(access_keys::delete_own_key),
        )
        .route("/v1/storage/policy/outgoing", get(policies::outgoing))
        .route("/v1/storage/policy/incoming", get(policies::incoming))
        .route("/v1/storage/policy/proxies", get(policies::proxies))
        .route("/v1/storage/policy/granted", get(policies::granted))
        .route(
            "/v1/storage/policy/{a}/{b}/{r}/{t}",
            put(policies::put_policy),
        )
        .route(
            "/v1/storage/policy/{a}/{b}/{r}",
            delete(policies::remove_authorizer),
        )
        .route("/v2/storage/share/outgoing", post(policies::outgoing_v2))
        .route("/v2/storage/share/incoming", post(policies::incoming_v2))
        .route("/v1/storage/files", post(files::announce))
        .route(
            "/v1/storage/files/{id}",
            get(files::get).patch(files::commit),
        )
        .route("/v1/storage/files/upload/{id}/{token}", put(files::upload))
        .route(
            "/v1/storage/files/download/{id}/{token}",
            get(files::download),
        )
        .route(
            "/v2/storage/notes",
            post(notes::write).put(notes::replace).get(notes::read),
        )
        .route("/v2/storage/notes/views", get(notes::views))
        .route("/v2/storage/notes/prime", patch(note_codes::prime))
        .route("/v2/storage/notes/challenge", patch(note_codes::challenge))
        .route("/v2/storage/notes/{id}", delete(notes::delete))
        .route("/v1/storage/search", post(query::query))
        .route("/v2/search", post(search::search))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this endpoint",
            )
        })
        .layer(middleware::from_fn(log_request))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// `GET /v1/toz/server`: what this server is and which protocol extensions it offers, so a
/// client can use them here and keep to the plain protocol elsewhere.
async fn server_info() -> errors::ApiResult {
    errors::ok(&toz::sdk::wire::ServerInfo {
        server: "toz-server".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        features: vec![toz::sdk::wire::FEATURE_SINGLE_PASS_UPLOAD.into()],
    })
}

/// The complete service: `//v1/...` is routed like `/v1/...` (JS and PY keep a trailing `/` of
/// the base URL), and CORS wraps everything, including errors and unknown paths. The rewrite has
/// to happen outside the inner router, which matches routes before its own middleware runs.
pub fn service(state: AppState) -> Router {
    let inner =
        tower::util::MapRequest::new(router(state), normalize_path as fn(Request) -> Request);
    Router::new()
        .fallback_service(inner)
        .layer(middleware::from_fn(cors))
}

fn normalize_path(mut req: Request) -> Request {
    let raw = RawTarget {
        path: req.uri().path().to_string(),
        query: req.uri().query().unwrap_or("").to_string(),
    };
    if raw.path.starts_with("//") {
        let trimmed = format!("/{}", raw.path.trim_start_matches('/'));
        let pq = if raw.query.is_empty() {
            trimmed
        } else {
            format!("{trimmed}?{}", raw.query)
        };
        let mut parts = req.uri().clone().into_parts();
        if let Ok(p) = pq.parse() {
            parts.path_and_query = Some(p);
            if let Ok(uri) = axum::http::Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
    }
    req.extensions_mut().insert(raw);
    req
}

async fn cors(req: Request, next: Next) -> Response {
    {
        let mut resp = if req.method() == Method::OPTIONS {
            StatusCode::OK.into_response()
        } else {
            next.run(req).await
        };
        let h = resp.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization, Content-Type, *"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("X-Backup-Client"),
        );
        resp
    }
}

/// One structured log line per request: method, route (the path only when it holds no secret),
/// status, latency and the authenticated client. Queries are never logged.
async fn log_request(mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let route = route.unwrap_or_else(|| "(unmatched)".into());
    // Registration tokens and file URL secrets travel in some paths; log those by their route
    // template only.
    let path = if route.contains("{token}") {
        route.clone()
    } else {
        req.uri().path().to_string()
    };
    let client = LogClient::default();
    req.extensions_mut().insert(client.clone());
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    let micros = start.elapsed().as_micros() as u64;
    let client_id = client.0.get().map(String::as_str).unwrap_or("-");
    if status >= 500 {
        tracing::error!(%method, %route, %path, status, latency_us = micros, client = client_id, "request");
    } else {
        tracing::info!(%method, %route, %path, status, latency_us = micros, client = client_id, "request");
    }
    resp
}
