"""Error kinds of libtoz (``TOZ_ERROR_KIND_*``) and the exception class each one raises."""

from __future__ import annotations

import enum
from typing import Dict, Type, Union


class ErrorKind(enum.IntEnum):
    """The stable ``TOZ_ERROR_KIND_*`` values of ``include/toz.h``."""

    INVALID_ARGUMENT = 1
    NULL_ARGUMENT = 2
    INVALID_UTF8 = 3
    JSON = 4
    CRYPTO = 5
    NETWORK = 6
    HTTP = 7
    UNAUTHORIZED = 8
    NOT_FOUND = 9
    CONFLICT = 10
    FORBIDDEN = 11
    RATE_LIMITED = 12
    SERVER = 13
    TIMEOUT = 14
    TLS = 15
    IO = 16
    WRONG_PASSPHRASE = 17
    ALREADY_EXISTS = 18
    SIGNATURE = 19
    INSECURE_TRANSPORT = 20
    CLOSED = 21
    CANCELLED = 22
    PANIC = 255


class TozError(Exception):
    """An error reported by libtoz (or, for ``CLOSED``, by this binding).

    ``kind`` is an :class:`ErrorKind` (a plain ``int`` for a kind newer than this binding),
    ``http_status`` the HTTP status behind the error (0 when there was none), ``message`` the
    library's text, which never contains secrets, tokens or plaintext.
    """

    def __init__(self, kind: Union[ErrorKind, int], message: str, http_status: int = 0) -> None:
        super().__init__(kind, message, http_status)
        self.kind = kind
        self.message = message
        self.http_status = http_status

    def __str__(self) -> str:
        name = self.kind.name if isinstance(self.kind, ErrorKind) else str(self.kind)
        status = f", HTTP {self.http_status}" if self.http_status else ""
        return f"{self.message} ({name}{status})"


class InvalidArgumentError(TozError, ValueError):
    """An argument was present but not acceptable."""


class NullArgumentError(InvalidArgumentError):
    """A required argument was missing (NULL at the C level)."""


class InvalidUtf8Error(InvalidArgumentError):
    """A string argument was not valid UTF-8."""


class JsonError(TozError, ValueError):
    """A JSON argument or response could not be parsed or had the wrong shape."""


class CryptoError(TozError):
    """Decryption or key handling failed (wrong key, corrupted or tampered ciphertext)."""


class SignatureError(CryptoError):
    """A signature did not verify."""


class WrongPassphraseError(CryptoError):
    """Sealed credentials were opened with the wrong passphrase (or were altered)."""


class NetworkError(TozError):
    """The server could not be reached or the connection broke."""


class TozTimeoutError(NetworkError):
    """The request timed out (named so as not to shadow the built-in ``TimeoutError``)."""


class TlsError(NetworkError):
    """The TLS handshake or certificate verification failed."""


class InsecureTransportError(TozError):
    """Plain http to a non-loopback host without ``allow_insecure_http``."""


class HttpError(TozError):
    """The server answered with an HTTP error."""


class UnauthorizedError(HttpError):
    """HTTP 401: credentials, token or signature rejected."""


class ForbiddenError(HttpError):
    """HTTP 403: authenticated but not allowed."""


class ConflictError(HttpError):
    """HTTP 409: stale version, or the item already exists on the server."""


class RateLimitedError(HttpError):
    """HTTP 429."""


class ServerError(HttpError):
    """HTTP 5xx."""


class NotFoundError(TozError, LookupError):
    """HTTP 404, or a record, client, backup or file that does not exist."""


class TozIOError(TozError):
    """A local file could not be read or written."""


class AlreadyExistsError(TozError):
    """A local file that would be overwritten already exists."""


class ClosedError(TozError):
    """A handle was used after ``close()``."""


class CancelledError(TozError):
    """A file transfer was cancelled by its progress callback. The binding's own transfers raise
    the exception of the progress callable that cancelled them instead, with this error as its
    ``__context__`` (see :meth:`toz.Client.write_file`)."""


class PanicError(TozError):
    """A Rust panic was caught at the library boundary (a bug in libtoz; please report it)."""


#: The class raised for each kind; every kind is listed explicitly.
ERROR_CLASSES: Dict[ErrorKind, Type[TozError]] = {
    ErrorKind.INVALID_ARGUMENT: InvalidArgumentError,
    ErrorKind.NULL_ARGUMENT: NullArgumentError,
    ErrorKind.INVALID_UTF8: InvalidUtf8Error,
    ErrorKind.JSON: JsonError,
    ErrorKind.CRYPTO: CryptoError,
    ErrorKind.NETWORK: NetworkError,
    ErrorKind.HTTP: HttpError,
    ErrorKind.UNAUTHORIZED: UnauthorizedError,
    ErrorKind.NOT_FOUND: NotFoundError,
    ErrorKind.CONFLICT: ConflictError,
    ErrorKind.FORBIDDEN: ForbiddenError,
    ErrorKind.RATE_LIMITED: RateLimitedError,
    ErrorKind.SERVER: ServerError,
    ErrorKind.TIMEOUT: TozTimeoutError,
    ErrorKind.TLS: TlsError,
    ErrorKind.IO: TozIOError,
    ErrorKind.WRONG_PASSPHRASE: WrongPassphraseError,
    ErrorKind.ALREADY_EXISTS: AlreadyExistsError,
    ErrorKind.SIGNATURE: SignatureError,
    ErrorKind.INSECURE_TRANSPORT: InsecureTransportError,
    ErrorKind.CLOSED: ClosedError,
    ErrorKind.CANCELLED: CancelledError,
    ErrorKind.PANIC: PanicError,
}


def error_for(kind: int, message: str, http_status: int = 0) -> TozError:
    """The exception for a kind number; an unknown (newer) kind gives a plain :class:`TozError`."""
    try:
        known = ErrorKind(kind)
    except ValueError:
        return TozError(kind, message, http_status)
    return ERROR_CLASSES[known](known, message, http_status)

__all__ = [
    "ERROR_CLASSES",
    "error_for",
    "ErrorKind",
    "TozError",
    "InvalidArgumentError",
    "NullArgumentError",
    "InvalidUtf8Error",
    "JsonError",
    "CryptoError",
    "SignatureError",
    "WrongPassphraseError",
    "NetworkError",
    "TozTimeoutError",
    "TlsError",
    "InsecureTransportError",
    "HttpError",
    "UnauthorizedError",
    "ForbiddenError",
    "ConflictError",
    "RateLimitedError",
    "ServerError",
    "NotFoundError",
    "TozIOError",
    "AlreadyExistsError",
    "ClosedError",
    "CancelledError",
    "PanicError",
]
