//! The one error type of the Rust core. Its kinds cross the C ABI unchanged.

use std::fmt;

/// Stable error kinds. The numbers are part of the ABI: never reuse or renumber one; retire a
/// kind by leaving its number unused. 0 is reserved for "no error".
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// An argument was present but not acceptable (bad base64, wrong key length, bad option).
    InvalidArgument = 1,
    /// A required pointer argument was NULL.
    NullArgument = 2,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 3,
    /// A JSON argument or response could not be parsed or had the wrong shape.
    Json = 4,
    /// Decryption or key handling failed (wrong key, corrupted or tampered ciphertext).
    Crypto = 5,
    /// The server could not be reached or the connection broke.
    Network = 6,
    /// The server answered with an HTTP error that has no more specific kind.
    Http = 7,
    /// HTTP 401: credentials, token or signature rejected.
    Unauthorized = 8,
    /// HTTP 404 or an item that does not exist.
    NotFound = 9,
    /// HTTP 409: stale version or an item that already exists on the server.
    Conflict = 10,
    /// HTTP 403: authenticated but not allowed.
    Forbidden = 11,
    /// HTTP 429.
    RateLimited = 12,
    /// HTTP 5xx.
    Server = 13,
    /// The request timed out.
    Timeout = 14,
    /// TLS handshake or certificate verification failed.
    Tls = 15,
    /// A local file could not be read or written.
    Io = 16,
    /// A sealed credential blob was opened with the wrong passphrase (or was tampered with).
    WrongPassphrase = 17,
    /// A local file that would be overwritten already exists.
    AlreadyExists = 18,
    /// A signature did not verify.
    Signature = 19,
    /// Plain http to a non-loopback host without the caller opting in.
    InsecureTransport = 20,
    /// A handle was used after it was closed (raised by bindings, never by the library).
    Closed = 21,
    /// The caller cancelled the operation: a progress callback asked a file transfer to stop.
    Cancelled = 22,
    /// A Rust panic was caught at the ABI boundary; the process keeps running.
    Panic = 255,
}

impl ErrorKind {
    /// Every kind, for binding-coverage checks and tests.
    ///
    /// cbindgen:ignore
    pub const ALL: [ErrorKind; 23] = [
        ErrorKind::InvalidArgument,
        ErrorKind::NullArgument,
        ErrorKind::InvalidUtf8,
        ErrorKind::Json,
        ErrorKind::Crypto,
        ErrorKind::Network,
        ErrorKind::Http,
        ErrorKind::Unauthorized,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::Forbidden,
        ErrorKind::RateLimited,
        ErrorKind::Server,
        ErrorKind::Timeout,
        ErrorKind::Tls,
        ErrorKind::Io,
        ErrorKind::WrongPassphrase,
        ErrorKind::AlreadyExists,
        ErrorKind::Signature,
        ErrorKind::InsecureTransport,
        ErrorKind::Closed,
        ErrorKind::Cancelled,
        ErrorKind::Panic,
    ];

    /// The kind an HTTP error status maps to.
    pub fn from_http_status(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Http,
        }
    }
}

/// An error with a stable kind, a message and, for HTTP failures, the status code.
///
/// Messages describe what failed and never contain secrets, tokens or plaintext: code that
/// builds one names the value ("api_secret", "field 'ssn'") rather than quoting it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    http_status: u16,
}

/// Result alias used across the core.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A new error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            http_status: 0,
        }
    }

    /// An error for an HTTP response with `status`; `message` is the server's reason if any.
    pub fn http(status: u16, message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::from_http_status(status),
            message: message.into(),
            http_status: status,
        }
    }

    /// The stable kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// HTTP status, or 0 when the error did not come from an HTTP response.
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// A transfer stopped because its progress callback asked it to.
    pub fn cancelled() -> Self {
        Error::new(
            ErrorKind::Cancelled,
            "the transfer was cancelled by its progress callback",
        )
    }

    /// The same error with `context: ` put before its message.
    pub fn context(mut self, context: &str) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.http_status != 0 {
            write!(f, "{} (HTTP {})", self.message, self.http_status)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for Error {}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        // serde_json's own message can quote the offending value ("invalid type: string \"...\""),
        // which may be a secret, so only the category and position are kept.
        let what = match e.classify() {
            serde_json::error::Category::Io => "I/O error while reading JSON",
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Data => "JSON has the wrong shape",
            serde_json::error::Category::Eof => "truncated JSON",
        };
        let text = e.to_string();
        if text.starts_with("missing field") {
            // "missing field `client_id` at line 1 column 2": names a field, quotes no value.
            return Error::new(ErrorKind::Json, format!("{what}: {text}"));
        }
        Error::new(
            ErrorKind::Json,
            format!("{what} (line {}, column {})", e.line(), e.column()),
        )
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                Error::new(ErrorKind::AlreadyExists, e.to_string())
            }
            std::io::ErrorKind::NotFound => Error::new(ErrorKind::NotFound, e.to_string()),
            _ => Error::new(ErrorKind::Io, e.to_string()),
        }
    }
}
