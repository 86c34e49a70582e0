package dev.toz

/**
 * The stable error kinds of the C ABI: each entry is named like the `TOZ_ERROR_KIND_*` constant
 * of include/toz.h without the prefix, with the same number as [code].
 */
public enum class ErrorKind(public val code: Int) {
    /** `TOZ_ERROR_KIND_INVALID_ARGUMENT`: an argument was present but not acceptable. */
    INVALID_ARGUMENT(1),

    /** `TOZ_ERROR_KIND_NULL_ARGUMENT`: a required pointer argument was NULL. */
    NULL_ARGUMENT(2),

    /** `TOZ_ERROR_KIND_INVALID_UTF8`: a string argument was not valid UTF-8. */
    INVALID_UTF8(3),

    /** `TOZ_ERROR_KIND_JSON`: a JSON argument or response could not be parsed. */
    JSON(4),

    /** `TOZ_ERROR_KIND_CRYPTO`: decryption or key handling failed. */
    CRYPTO(5),

    /** `TOZ_ERROR_KIND_NETWORK`: the server could not be reached or the connection broke. */
    NETWORK(6),

    /** `TOZ_ERROR_KIND_HTTP`: an HTTP error without a more specific kind. */
    HTTP(7),

    /** `TOZ_ERROR_KIND_UNAUTHORIZED`: HTTP 401. */
    UNAUTHORIZED(8),

    /** `TOZ_ERROR_KIND_NOT_FOUND`: HTTP 404 or an item that does not exist. */
    NOT_FOUND(9),

    /** `TOZ_ERROR_KIND_CONFLICT`: HTTP 409, a stale version or an existing item. */
    CONFLICT(10),

    /** `TOZ_ERROR_KIND_FORBIDDEN`: HTTP 403. */
    FORBIDDEN(11),

    /** `TOZ_ERROR_KIND_RATE_LIMITED`: HTTP 429. */
    RATE_LIMITED(12),

    /** `TOZ_ERROR_KIND_SERVER`: HTTP 5xx. */
    SERVER(13),

    /** `TOZ_ERROR_KIND_TIMEOUT`: the request timed out. */
    TIMEOUT(14),

    /** `TOZ_ERROR_KIND_TLS`: TLS handshake or certificate verification failed. */
    TLS(15),

    /** `TOZ_ERROR_KIND_IO`: a local file could not be read or written. */
    IO(16),

    /** `TOZ_ERROR_KIND_WRONG_PASSPHRASE`: sealed credentials opened with the wrong passphrase. */
    WRONG_PASSPHRASE(17),

    /** `TOZ_ERROR_KIND_ALREADY_EXISTS`: a local file that would be overwritten exists. */
    ALREADY_EXISTS(18),

    /** `TOZ_ERROR_KIND_SIGNATURE`: a signature did not verify. */
    SIGNATURE(19),

    /** `TOZ_ERROR_KIND_INSECURE_TRANSPORT`: plain http to a non-loopback host without opt-in. */
    INSECURE_TRANSPORT(20),

    /** `TOZ_ERROR_KIND_CLOSED`: a handle was used after it was closed (raised by this binding). */
    CLOSED(21),

    /** `TOZ_ERROR_KIND_CANCELLED`: a progress callback cancelled a file transfer. */
    CANCELLED(22),

    /** `TOZ_ERROR_KIND_PANIC`: a Rust panic was caught at the ABI boundary. */
    PANIC(255),

    /**
     * Not a C kind: a number this binding does not know (a newer library within the same ABI
     * version). [TozException.code] holds the number the library returned.
     */
    UNKNOWN(-1),
    ;

    public companion object {
        private val byCode = entries.associateBy { it.code }

        /** The kind with this `TOZ_ERROR_KIND_*` number, or [UNKNOWN]. */
        @JvmStatic
        public fun fromCode(code: Int): ErrorKind = byCode[code]?.takeIf { it != UNKNOWN } ?: UNKNOWN
    }
}

/**
 * An error returned by libtoz (or [ClosedException], raised by this binding): the error's
 * [kind], the HTTP status of the response that caused it ([httpStatus], 0 when it did not come
 * from a response) and its message, which never contains secrets or plaintext. [code] is the
 * raw `TOZ_ERROR_KIND_*` number (equal to `kind.code` except for [ErrorKind.UNKNOWN]).
 *
 * Catch a subclass for one family of kinds, or this class and switch on [kind].
 */
public open class TozException(
    public val kind: ErrorKind,
    public val httpStatus: Int,
    message: String,
    public val code: Int = kind.code,
) : RuntimeException(message) {
    override fun toString(): String {
        val status = if (httpStatus != 0) ", HTTP $httpStatus" else ""
        return "${javaClass.simpleName}($kind$status): $message"
    }
}

/** INVALID_ARGUMENT, NULL_ARGUMENT or INVALID_UTF8: the caller passed something unusable. */
public class InvalidArgumentException(kind: ErrorKind, httpStatus: Int, message: String) :
    TozException(kind, httpStatus, message)

/** JSON: malformed JSON or JSON of the wrong shape (an argument, a file or a response). */
public class JsonException(httpStatus: Int, message: String) : TozException(ErrorKind.JSON, httpStatus, message)

/** CRYPTO: wrong key, or corrupted or tampered ciphertext. */
public class CryptoException(httpStatus: Int, message: String) : TozException(ErrorKind.CRYPTO, httpStatus, message)

/** SIGNATURE: a signature did not verify. */
public class SignatureException(httpStatus: Int, message: String) :
    TozException(ErrorKind.SIGNATURE, httpStatus, message)

/** WRONG_PASSPHRASE: sealed credentials opened with the wrong passphrase or altered. */
public class WrongPassphraseException(httpStatus: Int, message: String) :
    TozException(ErrorKind.WRONG_PASSPHRASE, httpStatus, message)

/** NETWORK: the server could not be reached or the connection broke. */
public class NetworkException(httpStatus: Int, message: String) : TozException(ErrorKind.NETWORK, httpStatus, message)

/** TIMEOUT: the request timed out. */
public class TimeoutException(httpStatus: Int, message: String) : TozException(ErrorKind.TIMEOUT, httpStatus, message)

/** TLS: the TLS handshake or certificate verification failed. */
public class TlsException(httpStatus: Int, message: String) : TozException(ErrorKind.TLS, httpStatus, message)

/** INSECURE_TRANSPORT: plain http to a host other than loopback without `allowInsecureHttp`. */
public class InsecureTransportException(httpStatus: Int, message: String) :
    TozException(ErrorKind.INSECURE_TRANSPORT, httpStatus, message)

/** HTTP: the server answered with an HTTP error that has no more specific kind. */
public class HttpException(httpStatus: Int, message: String) : TozException(ErrorKind.HTTP, httpStatus, message)

/** UNAUTHORIZED: HTTP 401, credentials, token or signature rejected. */
public class UnauthorizedException(httpStatus: Int, message: String) :
    TozException(ErrorKind.UNAUTHORIZED, httpStatus, message)

/** FORBIDDEN: HTTP 403, authenticated but not allowed. */
public class ForbiddenException(httpStatus: Int, message: String) :
    TozException(ErrorKind.FORBIDDEN, httpStatus, message)

/** NOT_FOUND: HTTP 404, or an item (record, client, file, profile, backup) that does not exist. */
public class NotFoundException(httpStatus: Int, message: String) :
    TozException(ErrorKind.NOT_FOUND, httpStatus, message)

/** CONFLICT: HTTP 409, a stale record version or an item that already exists on the server. */
public class ConflictException(httpStatus: Int, message: String) :
    TozException(ErrorKind.CONFLICT, httpStatus, message)

/** RATE_LIMITED: HTTP 429. */
public class RateLimitedException(httpStatus: Int, message: String) :
    TozException(ErrorKind.RATE_LIMITED, httpStatus, message)

/** SERVER: HTTP 5xx. */
public class ServerException(httpStatus: Int, message: String) : TozException(ErrorKind.SERVER, httpStatus, message)

/** IO: a local file could not be read or written. */
public class IoException(httpStatus: Int, message: String) : TozException(ErrorKind.IO, httpStatus, message)

/** ALREADY_EXISTS: a local file that would be overwritten already exists. */
public class AlreadyExistsException(httpStatus: Int, message: String) :
    TozException(ErrorKind.ALREADY_EXISTS, httpStatus, message)

/** CLOSED: a handle was used after [AutoCloseable.close] (raised by the binding). */
public class ClosedException(message: String) : TozException(ErrorKind.CLOSED, 0, message)

/**
 * CANCELLED: a progress callback cancelled a file transfer. Through this binding it comes
 * attached as suppressed to the exception the [TransferProgress] threw, which is what is thrown.
 */
public class CancelledException(httpStatus: Int, message: String) :
    TozException(ErrorKind.CANCELLED, httpStatus, message)

/** PANIC: a Rust panic was caught at the ABI boundary; the process keeps running. */
public class PanicException(httpStatus: Int, message: String) : TozException(ErrorKind.PANIC, httpStatus, message)

/** The one error mapper: every kind number to its exception class. */
internal fun tozException(code: Int, httpStatus: Int, message: String): TozException =
    when (val kind = ErrorKind.fromCode(code)) {
        ErrorKind.INVALID_ARGUMENT, ErrorKind.NULL_ARGUMENT, ErrorKind.INVALID_UTF8 ->
            InvalidArgumentException(kind, httpStatus, message)
        ErrorKind.JSON -> JsonException(httpStatus, message)
        ErrorKind.CRYPTO -> CryptoException(httpStatus, message)
        ErrorKind.SIGNATURE -> SignatureException(httpStatus, message)
        ErrorKind.WRONG_PASSPHRASE -> WrongPassphraseException(httpStatus, message)
        ErrorKind.NETWORK -> NetworkException(httpStatus, message)
        ErrorKind.TIMEOUT -> TimeoutException(httpStatus, message)
        ErrorKind.TLS -> TlsException(httpStatus, message)
        ErrorKind.INSECURE_TRANSPORT -> InsecureTransportException(httpStatus, message)
        ErrorKind.HTTP -> HttpException(httpStatus, message)
        ErrorKind.UNAUTHORIZED -> UnauthorizedException(httpStatus, message)
        ErrorKind.FORBIDDEN -> ForbiddenException(httpStatus, message)
        ErrorKind.NOT_FOUND -> NotFoundException(httpStatus, message)
        ErrorKind.CONFLICT -> ConflictException(httpStatus, message)
        ErrorKind.RATE_LIMITED -> RateLimitedException(httpStatus, message)
        ErrorKind.SERVER -> ServerException(httpStatus, message)
        ErrorKind.IO -> IoException(httpStatus, message)
        ErrorKind.ALREADY_EXISTS -> AlreadyExistsException(httpStatus, message)
        ErrorKind.CLOSED -> ClosedException(message)
        ErrorKind.CANCELLED -> CancelledException(httpStatus, message)
        ErrorKind.PANIC -> PanicException(httpStatus, message)
        ErrorKind.UNKNOWN -> TozException(kind, httpStatus, message, code)
    }
