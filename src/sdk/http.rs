//! The HTTP transport: one ureq agent per client, TLS verified, plain http only to loopback unless
//! the caller opts in, retries for idempotent requests, and HTTP failures mapped to error kinds.
//!
//! Error messages here never include URLs (a registration token travels in the backup URL) or
//! bodies we sent; the server's own `{"error": ...}` text is kept, shortened.

use std::io::Read;
use std::net::IpAddr;
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::{Error, ErrorKind, Result};

/// Largest response body read into memory (query results with data can be large).
const MAX_RESPONSE_BYTES: u64 = 256 * 1024 * 1024;
/// How much of a server's error message is kept.
const MAX_SERVER_MESSAGE: usize = 300;

/// Client options, given as JSON across the ABI (every key optional):
/// `{"timeout_ms":30000,"retries":2,"ca_bundle":"/path/ca.pem","user_agent":"app/1.0",
///   "allow_insecure_http":false,"single_pass_uploads":true}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpOptions {
    /// Whole-request timeout in milliseconds. File uploads and downloads, which take as long as
    /// their size needs, instead fail when the connection makes no progress for this long.
    pub timeout_ms: u64,
    /// Extra attempts for idempotent requests (GET, PUT, DELETE) after a network error, 429 or
    /// 502/503/504.
    pub retries: u32,
    /// PEM file of CA certificates to trust instead of the built-in web roots.
    pub ca_bundle: Option<String>,
    /// User-Agent header.
    pub user_agent: Option<String>,
    /// Allow plain http to hosts other than loopback. Off by default: API secrets, tokens and
    /// private keys in backups would cross the network readable and forgeable.
    pub allow_insecure_http: bool,
    /// Upload files in one pass, encrypting as the bytes are sent, when the server offers it
    /// (toz-server does). Off, or with other servers, a file is encrypted to a temporary file
    /// first, to compute the MD5 checksum that Tozny's protocol announces before the upload.
    pub single_pass_uploads: bool,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout_ms: 30_000,
            retries: 2,
            ca_bundle: None,
            user_agent: None,
            allow_insecure_http: false,
            single_pass_uploads: true,
        }
    }
}

impl HttpOptions {
    /// Parses options JSON; None or an empty string gives the defaults.
    pub fn from_json(text: Option<&str>) -> Result<Self> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(HttpOptions::default()),
            Some(t) => super::json::from_object(t, "options"),
        }
    }
}

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    fn idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }
}

/// A request to send: method, path (already percent-encoded), canonical query, headers, body.
pub struct Request<'a> {
    /// Method.
    pub method: Method,
    /// Path below the base URL, starting with `/`.
    pub path: &'a str,
    /// Query string without `?` (empty for none).
    pub query: &'a str,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// Body bytes and their content type.
    pub body: Option<(Vec<u8>, &'static str)>,
}

impl<'a> Request<'a> {
    /// A request with no query, headers or body.
    pub fn new(method: Method, path: &'a str) -> Self {
        Request {
            method,
            path,
            query: "",
            headers: Vec::new(),
            body: None,
        }
    }

    /// Adds a JSON body.
    pub fn json(mut self, value: &impl serde::Serialize) -> Result<Self> {
        self.body = Some((serde_json::to_vec(value)?, "application/json"));
        Ok(self)
    }
}

/// A response that was received (any status).
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Response headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// A header value by (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Turns a non-2xx response into an error carrying the status and the server's message.
    pub fn error_for_status(self) -> Result<Response> {
        if (200..300).contains(&self.status) {
            return Ok(self);
        }
        Err(Error::http(
            self.status,
            server_message(self.status, &self.body),
        ))
    }

    /// Parses the JSON body of a 2xx response.
    pub fn json<T: DeserializeOwned>(self) -> Result<T> {
        let ok = self.error_for_status()?;
        serde_json::from_slice(&ok.body).map_err(|e| Error::from(e).context("server response"))
    }
}

fn server_message(status: u16, body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Body {
        error: serde_json::Value,
    }
    let reason = match serde_json::from_slice::<Body>(body) {
        Ok(Body {
            error: serde_json::Value::String(s),
        }) => s,
        Ok(Body { error }) => error.to_string(),
        Err(_) => String::new(),
    };
    let mut reason: String = reason
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_SERVER_MESSAGE)
        .collect();
    if reason.is_empty() {
        reason = match status {
            400 => "bad request".into(),
            401 => "unauthorized: credentials or token rejected".into(),
            403 => "forbidden".into(),
            404 => "not found".into(),
            409 => "conflict".into(),
            429 => "too many requests".into(),
            _ => format!("server answered HTTP {status}"),
        };
    }
    reason
}

/// The transport of one client: base URL plus a connection-pooling agent.
pub struct Http {
    agent: ureq::Agent,
    base_url: String,
    retries: u32,
    allow_insecure_http: bool,
    /// How long a file transfer may make no progress.
    stall_timeout: Duration,
}

impl Http {
    /// Builds the transport for `api_url`, enforcing the plain-http policy.
    pub fn new(api_url: &str, options: &HttpOptions) -> Result<Self> {
        let base_url = api_url.trim().trim_end_matches('/').to_string();
        check_transport(&base_url, options.allow_insecure_http)?;
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(path) = &options.ca_bundle {
            tls = tls.root_certs(load_ca_bundle(path)?);
        }
        let user_agent = options
            .user_agent
            .clone()
            .unwrap_or_else(|| format!("toz/{}", env!("CARGO_PKG_VERSION")));
        let timeout = Duration::from_millis(options.timeout_ms.max(1));
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Never follow redirects: they could carry the Authorization header to another host.
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .user_agent(user_agent)
            .tls_config(tls.build())
            // ureq's 128 KiB default buffers are allocated per request; above glibc's mmap
            // threshold that meant page faults and heap consolidation on every call.
            .input_buffer_size(16 * 1024)
            .output_buffer_size(16 * 1024)
            .build();
        let connector = ureq::unversioned::transport::DefaultConnector::new();
        Ok(Http {
            agent: ureq::Agent::with_parts(config, connector, LiteralFirstResolver),
            base_url,
            retries: options.retries.min(10),
            allow_insecure_http: options.allow_insecure_http,
            stall_timeout: timeout,
        })
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends a request, retrying idempotent ones on transient failures. Returns any received
    /// response, whatever its status; only transport failures are errors.
    pub fn send(&self, request: &Request<'_>) -> Result<Response> {
        let mut attempt = 0;
        loop {
            let result = self.send_once(request);
            let transient = match &result {
                Ok(r) => matches!(r.status, 429 | 502 | 503 | 504),
                Err(e) => matches!(e.kind(), ErrorKind::Network | ErrorKind::Timeout),
            };
            if !transient || !request.method.idempotent() || attempt >= self.retries {
                return result;
            }
            attempt += 1;
            std::thread::sleep(Duration::from_millis(100 << attempt.min(5)));
        }
    }

    fn send_once(&self, request: &Request<'_>) -> Result<Response> {
        let mut url = format!("{}{}", self.base_url, request.path);
        if !request.query.is_empty() {
            url.push('?');
            url.push_str(request.query);
        }
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(url);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value.as_str());
        }
        let body: &[u8] = match &request.body {
            Some((bytes, content_type)) => {
                builder = builder.header("content-type", *content_type);
                bytes
            }
            None => &[],
        };
        let http_request = builder.body(body).map_err(|_| {
            Error::new(
                ErrorKind::InvalidArgument,
                "could not build the HTTP request (bad URL?)",
            )
        })?;
        let mut response = self.agent.run(http_request).map_err(transport_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let mut body = Vec::new();
        response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .reader()
            .read_to_end(&mut body)
            .map_err(|e| {
                Error::new(
                    ErrorKind::Network,
                    format!("reading the response failed: {}", e.kind()),
                )
            })?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// Resolves IP-literal hosts directly and leaves names to ureq's resolver. ureq resolves before
/// every request (pooled connection or not) and, with a timeout set, does so on a new thread:
/// for `http://127.0.0.1:8000` that thread was most of the client's CPU per request.
#[derive(Debug)]
struct LiteralFirstResolver;

impl ureq::unversioned::resolver::Resolver for LiteralFirstResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> std::result::Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let host = uri
            .host()
            .unwrap_or("")
            .trim_start_matches('[')
            .trim_end_matches(']');
        let default_port = if uri.scheme_str() == Some("https") {
            443
        } else {
            80
        };
        if let Ok(ip) = host.parse::<IpAddr>() {
            let mut addrs = self.empty();
            addrs.push(std::net::SocketAddr::new(
                ip,
                uri.port_u16().unwrap_or(default_port),
            ));
            return Ok(addrs);
        }
        ureq::unversioned::resolver::DefaultResolver::default().resolve(uri, config, timeout)
    }
}

impl Http {
    /// A file transfer's request: no deadline for the whole exchange, which takes as long as the
    /// file's size needs, but every connect, read and write must make progress within the
    /// client's timeout.
    fn transfer<S: ureq::AsSendBody>(
        &self,
        request: ureq::http::Request<S>,
    ) -> ureq::http::Request<S> {
        self.agent
            .configure_request(request)
            .timeout_global(None)
            .timeout_connect(Some(self.stall_timeout))
            .timeout_per_read(Some(self.stall_timeout))
            .timeout_per_write(Some(self.stall_timeout))
            .build()
    }

    /// Streams `body` (`length` bytes) to an absolute URL, such as a file upload URL, with no
    /// Authorization. The URL obeys the same plain-http policy as the API URL.
    pub fn put_stream(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: &mut dyn Read,
        length: u64,
    ) -> Result<Response> {
        check_transport(url, self.allow_insecure_http)?;
        let mut builder = ureq::http::Request::builder().method("PUT").uri(url);
        for (name, value) in headers {
            builder = builder.header(*name, value.as_str());
        }
        builder = builder.header("content-length", length.to_string());
        let request = builder
            .body(ureq::SendBody::from_reader(body))
            .map_err(|_| Error::new(ErrorKind::InvalidArgument, "invalid upload URL"))?;
        let mut response = self
            .agent
            .run(self.transfer(request))
            .map_err(transport_error)?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_vec().unwrap_or_default();
        Ok(Response {
            status,
            headers: Vec::new(),
            body,
        })
    }

    /// GETs an absolute URL (a file download URL) with no Authorization and returns a reader of
    /// its body, or the HTTP error.
    pub fn get_stream(&self, url: &str) -> Result<Box<dyn Read + Send>> {
        check_transport(url, self.allow_insecure_http)?;
        let request = ureq::http::Request::builder()
            .method("GET")
            .uri(url)
            .body(())
            .map_err(|_| Error::new(ErrorKind::InvalidArgument, "invalid download URL"))?;
        let mut response = self
            .agent
            .run(self.transfer(request))
            .map_err(transport_error)?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let body = response.body_mut().read_to_vec().unwrap_or_default();
            return Err(Error::http(status, server_message(status, &body)));
        }
        Ok(Box::new(
            response
                .into_body()
                .into_with_config()
                .limit(u64::MAX)
                .reader(),
        ))
    }
}

fn transport_error(e: ureq::Error) -> Error {
    use ureq::Error as U;
    match e {
        U::Timeout(_) => Error::new(ErrorKind::Timeout, "the request timed out"),
        U::Tls(_) | U::Pem(_) | U::Rustls(_) | U::TlsRequired => Error::new(
            ErrorKind::Tls,
            "TLS failed: the server's certificate could not be verified or the handshake failed",
        ),
        U::HostNotFound => Error::new(
            ErrorKind::Network,
            "could not resolve the server's host name",
        ),
        U::ConnectionFailed => Error::new(ErrorKind::Network, "could not connect to the server"),
        U::Io(io) => match io.kind() {
            std::io::ErrorKind::TimedOut => Error::new(ErrorKind::Timeout, "the request timed out"),
            // rustls reports certificate and handshake failures as InvalidData I/O errors.
            std::io::ErrorKind::InvalidData => Error::new(
                ErrorKind::Tls,
                "TLS failed: the server's certificate could not be verified or it does not speak TLS",
            ),
            kind => Error::new(ErrorKind::Network, format!("network error: {kind}")),
        },
        U::BodyExceedsLimit(_) => Error::new(ErrorKind::Network, "response too large"),
        U::BadUri(_) | U::Http(_) => Error::new(ErrorKind::InvalidArgument, "invalid API URL"),
        _ => Error::new(ErrorKind::Network, "HTTP transport failed"),
    }
}

/// Refuses plain http to anything but loopback unless `allow_insecure` (documented option).
pub fn check_transport(base_url: &str, allow_insecure: bool) -> Result<()> {
    let (scheme, rest) = base_url.split_once("://").ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidArgument,
            "API URL must start with https:// or http://",
        )
    })?;
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if allow_insecure || is_loopback_authority(rest) => Ok(()),
        "http" => Err(Error::new(
            ErrorKind::InsecureTransport,
            "plain http is allowed only to loopback hosts; use https or set allow_insecure_http",
        )),
        _ => Err(Error::new(
            ErrorKind::InvalidArgument,
            "API URL must start with https:// or http://",
        )),
    }
}

fn is_loopback_authority(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

fn load_ca_bundle(path: &str) -> Result<ureq::tls::RootCerts> {
    let pem = std::fs::read(path).map_err(|e| Error::from(e).context("ca_bundle"))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        if let Ok(ureq::tls::PemItem::Certificate(cert)) = item {
            certs.push(cert);
        }
    }
    if certs.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "ca_bundle contains no PEM certificates",
        ));
    }
    Ok(ureq::tls::RootCerts::new_with_certs(&certs))
}

/// Percent-encodes one path segment (record types may contain spaces or `/`).
pub fn encode_segment(segment: &str) -> String {
    super::tsv1::percent_encode(segment, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(check_transport("http://127.0.0.1:8000", false).is_ok());
        assert!(check_transport("http://127.9.9.9", false).is_ok());
        assert!(check_transport("http://localhost:1/x", false).is_ok());
        assert!(check_transport("http://[::1]:8000", false).is_ok());
        assert!(check_transport("https://api.e3db.com", false).is_ok());
        let e = check_transport("http://api.example.com", false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InsecureTransport);
        assert!(check_transport("http://127.0.0.1.evil.com", false).is_err());
        assert!(check_transport("http://localhost@evil.com", false).is_err());
        assert!(check_transport("http://api.example.com", true).is_ok());
        assert!(check_transport("ftp://x", true).is_err());
    }

    #[test]
    fn options_are_strict() {
        assert!(HttpOptions::from_json(Some("{\"timeout_ms\":5}")).is_ok());
        assert_eq!(
            HttpOptions::from_json(Some("{\"timeout\":5}"))
                .unwrap_err()
                .kind(),
            ErrorKind::Json
        );
        assert_eq!(HttpOptions::from_json(None).unwrap().retries, 2);
    }

    #[test]
    fn server_messages_are_kept_short() {
        assert_eq!(
            server_message(409, br#"{"error":"stale version"}"#),
            "stale version"
        );
        assert_eq!(server_message(404, b"<html>"), "not found");
        assert_eq!(
            server_message(
                400,
                format!("{{\"error\":\"{}\"}}", "x".repeat(1000)).as_bytes()
            )
            .len(),
            MAX_SERVER_MESSAGE
        );
    }
}
