import CToz
import Foundation

/// The error every throwing function of this module throws: the library's stable kind, the HTTP
/// status of the response that caused it (0 when none) and a message that never contains
/// secrets, tokens or plaintext.
public struct TozError: Error, Sendable, Equatable, CustomStringConvertible {
    public let kind: ErrorKind
    public let httpStatus: Int
    public let message: String

    public init(kind: ErrorKind, httpStatus: Int = 0, message: String) {
        self.kind = kind
        self.httpStatus = httpStatus
        self.message = message
    }

    public var description: String {
        httpStatus == 0 ? "toz \(kind.name): \(message)" : "toz \(kind.name) (HTTP \(httpStatus)): \(message)"
    }
}

extension TozError: LocalizedError {
    public var errorDescription: String? { description }
}

/// The stable error kinds of include/toz.h (`TOZ_ERROR_KIND_*`, same numbers).
public enum ErrorKind: UInt32, Sendable, CaseIterable {
    /// A kind this binding does not know (from a newer libtoz), or a broken library contract.
    case unknown = 0
    /// An argument was present but not acceptable (bad base64, wrong key length, bad option).
    case invalidArgument = 1
    /// A required pointer argument was NULL.
    case nullArgument = 2
    /// A string argument was not valid UTF-8.
    case invalidUTF8 = 3
    /// A JSON argument or response could not be parsed or had the wrong shape.
    case json = 4
    /// Decryption or key handling failed (wrong key, corrupted or tampered ciphertext).
    case crypto = 5
    /// The server could not be reached or the connection broke.
    case network = 6
    /// The server answered with an HTTP error that has no more specific kind.
    case http = 7
    /// HTTP 401: credentials, token or signature rejected.
    case unauthorized = 8
    /// HTTP 404 or an item that does not exist.
    case notFound = 9
    /// HTTP 409: stale version or an item that already exists on the server.
    case conflict = 10
    /// HTTP 403: authenticated but not allowed.
    case forbidden = 11
    /// HTTP 429.
    case rateLimited = 12
    /// HTTP 5xx.
    case server = 13
    /// The request timed out.
    case timeout = 14
    /// TLS handshake or certificate verification failed.
    case tls = 15
    /// A local file could not be read or written.
    case io = 16
    /// Sealed credentials were opened with the wrong passphrase (or were tampered with).
    case wrongPassphrase = 17
    /// A local file that would be overwritten already exists.
    case alreadyExists = 18
    /// A signature did not verify.
    case signature = 19
    /// Plain http to a non-loopback host without `allowInsecureHTTP`.
    case insecureTransport = 20
    /// A handle was used after `close()` (raised by this binding, never by the library).
    case closed = 21
    /// A file transfer was cancelled by its progress handler. The binding's `writeFile` and
    /// `readFile` throw the handler's own error instead (see ``ProgressHandler``).
    case cancelled = 22
    /// A Rust panic was caught at the ABI boundary; the process keeps running.
    case panic = 255

    /// The mapping from the header's constants: (C code, Swift kind, stable name). Checked
    /// against the raw values above by the tests.
    static let table: [(code: UInt32, kind: ErrorKind, name: String)] = [
        (kindCode(TOZ_ERROR_KIND_INVALID_ARGUMENT), .invalidArgument, "INVALID_ARGUMENT"),
        (kindCode(TOZ_ERROR_KIND_NULL_ARGUMENT), .nullArgument, "NULL_ARGUMENT"),
        (kindCode(TOZ_ERROR_KIND_INVALID_UTF8), .invalidUTF8, "INVALID_UTF8"),
        (kindCode(TOZ_ERROR_KIND_JSON), .json, "JSON"),
        (kindCode(TOZ_ERROR_KIND_CRYPTO), .crypto, "CRYPTO"),
        (kindCode(TOZ_ERROR_KIND_NETWORK), .network, "NETWORK"),
        (kindCode(TOZ_ERROR_KIND_HTTP), .http, "HTTP"),
        (kindCode(TOZ_ERROR_KIND_UNAUTHORIZED), .unauthorized, "UNAUTHORIZED"),
        (kindCode(TOZ_ERROR_KIND_NOT_FOUND), .notFound, "NOT_FOUND"),
        (kindCode(TOZ_ERROR_KIND_CONFLICT), .conflict, "CONFLICT"),
        (kindCode(TOZ_ERROR_KIND_FORBIDDEN), .forbidden, "FORBIDDEN"),
        (kindCode(TOZ_ERROR_KIND_RATE_LIMITED), .rateLimited, "RATE_LIMITED"),
        (kindCode(TOZ_ERROR_KIND_SERVER), .server, "SERVER"),
        (kindCode(TOZ_ERROR_KIND_TIMEOUT), .timeout, "TIMEOUT"),
        (kindCode(TOZ_ERROR_KIND_TLS), .tls, "TLS"),
        (kindCode(TOZ_ERROR_KIND_IO), .io, "IO"),
        (kindCode(TOZ_ERROR_KIND_WRONG_PASSPHRASE), .wrongPassphrase, "WRONG_PASSPHRASE"),
        (kindCode(TOZ_ERROR_KIND_ALREADY_EXISTS), .alreadyExists, "ALREADY_EXISTS"),
        (kindCode(TOZ_ERROR_KIND_SIGNATURE), .signature, "SIGNATURE"),
        (kindCode(TOZ_ERROR_KIND_INSECURE_TRANSPORT), .insecureTransport, "INSECURE_TRANSPORT"),
        (kindCode(TOZ_ERROR_KIND_CLOSED), .closed, "CLOSED"),
        (kindCode(TOZ_ERROR_KIND_CANCELLED), .cancelled, "CANCELLED"),
        (kindCode(TOZ_ERROR_KIND_PANIC), .panic, "PANIC"),
    ]

    /// The kind of a `toz_error_get_kind` code; ``unknown`` for a code this binding does not know.
    init(code: UInt32) {
        self = Self.table.first { $0.code == code }?.kind ?? .unknown
    }

    /// The header's name of the kind without the prefix, e.g. "WRONG_PASSPHRASE".
    public var name: String {
        Self.table.first { $0.kind == self }?.name ?? "UNKNOWN"
    }
}
