package toz

/*
#include "toz.h"
*/
import "C"

import "fmt"

// ErrorKind is the stable kind of an error, one of the library's TOZ_ERROR_KIND_* values (the
// numbers are part of the ABI). Each kind is also a sentinel error for errors.Is:
//
//	if errors.Is(err, toz.ErrConflict) { ... }
//
// and it is the Kind of every *Error of that kind.
type ErrorKind uint32

// The error kinds, mapped one by one from the TOZ_ERROR_KIND_* constants of toz.h.
const (
	ErrInvalidArgument   ErrorKind = C.TOZ_ERROR_KIND_INVALID_ARGUMENT   // an argument was present but not acceptable
	ErrNullArgument      ErrorKind = C.TOZ_ERROR_KIND_NULL_ARGUMENT      // a required argument was nil
	ErrInvalidUTF8       ErrorKind = C.TOZ_ERROR_KIND_INVALID_UTF8       // a string argument was not valid UTF-8
	ErrJSON              ErrorKind = C.TOZ_ERROR_KIND_JSON               // JSON that could not be parsed or had the wrong shape
	ErrCrypto            ErrorKind = C.TOZ_ERROR_KIND_CRYPTO             // decryption or key handling failed
	ErrNetwork           ErrorKind = C.TOZ_ERROR_KIND_NETWORK            // the server could not be reached or the connection broke
	ErrHTTP              ErrorKind = C.TOZ_ERROR_KIND_HTTP               // an HTTP error without a more specific kind
	ErrUnauthorized      ErrorKind = C.TOZ_ERROR_KIND_UNAUTHORIZED       // HTTP 401
	ErrNotFound          ErrorKind = C.TOZ_ERROR_KIND_NOT_FOUND          // HTTP 404 or an item that does not exist
	ErrConflict          ErrorKind = C.TOZ_ERROR_KIND_CONFLICT           // HTTP 409: stale version or already on the server
	ErrForbidden         ErrorKind = C.TOZ_ERROR_KIND_FORBIDDEN          // HTTP 403
	ErrRateLimited       ErrorKind = C.TOZ_ERROR_KIND_RATE_LIMITED       // HTTP 429
	ErrServer            ErrorKind = C.TOZ_ERROR_KIND_SERVER             // HTTP 5xx
	ErrTimeout           ErrorKind = C.TOZ_ERROR_KIND_TIMEOUT            // the request timed out
	ErrTLS               ErrorKind = C.TOZ_ERROR_KIND_TLS                // TLS handshake or certificate verification failed
	ErrIO                ErrorKind = C.TOZ_ERROR_KIND_IO                 // a local file could not be read or written
	ErrWrongPassphrase   ErrorKind = C.TOZ_ERROR_KIND_WRONG_PASSPHRASE   // sealed credentials opened with the wrong passphrase
	ErrAlreadyExists     ErrorKind = C.TOZ_ERROR_KIND_ALREADY_EXISTS     // a local file that would be overwritten exists
	ErrSignature         ErrorKind = C.TOZ_ERROR_KIND_SIGNATURE          // a signature did not verify
	ErrInsecureTransport ErrorKind = C.TOZ_ERROR_KIND_INSECURE_TRANSPORT // plain http to a non-loopback host
	ErrClosed            ErrorKind = C.TOZ_ERROR_KIND_CLOSED             // a handle was used after Close (raised by the binding)
	ErrCancelled         ErrorKind = C.TOZ_ERROR_KIND_CANCELLED          // a file transfer stopped by its progress function
	ErrPanic             ErrorKind = C.TOZ_ERROR_KIND_PANIC              // a Rust panic caught at the ABI boundary
)

// kindNames is the one table of every kind, named as in toz.h without the TOZ_ERROR_KIND_ prefix.
var kindNames = map[ErrorKind]string{
	ErrInvalidArgument:   "INVALID_ARGUMENT",
	ErrNullArgument:      "NULL_ARGUMENT",
	ErrInvalidUTF8:       "INVALID_UTF8",
	ErrJSON:              "JSON",
	ErrCrypto:            "CRYPTO",
	ErrNetwork:           "NETWORK",
	ErrHTTP:              "HTTP",
	ErrUnauthorized:      "UNAUTHORIZED",
	ErrNotFound:          "NOT_FOUND",
	ErrConflict:          "CONFLICT",
	ErrForbidden:         "FORBIDDEN",
	ErrRateLimited:       "RATE_LIMITED",
	ErrServer:            "SERVER",
	ErrTimeout:           "TIMEOUT",
	ErrTLS:               "TLS",
	ErrIO:                "IO",
	ErrWrongPassphrase:   "WRONG_PASSPHRASE",
	ErrAlreadyExists:     "ALREADY_EXISTS",
	ErrSignature:         "SIGNATURE",
	ErrInsecureTransport: "INSECURE_TRANSPORT",
	ErrClosed:            "CLOSED",
	ErrCancelled:         "CANCELLED",
	ErrPanic:             "PANIC",
}

// String is the kind's name as in toz.h without the prefix, e.g. "NOT_FOUND"; a kind this
// binding does not know (from a newer library) is "UNKNOWN(<number>)".
func (k ErrorKind) String() string {
	if name, ok := kindNames[k]; ok {
		return name
	}
	return fmt.Sprintf("UNKNOWN(%d)", uint32(k))
}

// Error makes each kind a sentinel error.
func (k ErrorKind) Error() string { return "toz: " + k.String() }

// Error is every error the library (or the binding, for ErrClosed) reports.
type Error struct {
	Kind       ErrorKind // the stable kind
	HTTPStatus int       // status of the HTTP response behind the error, 0 if none
	Message    string    // human-readable; never contains secrets, tokens or plaintext
}

func (e *Error) Error() string {
	if e.HTTPStatus != 0 {
		return fmt.Sprintf("toz: %s (HTTP %d): %s", e.Kind.String(), e.HTTPStatus, e.Message)
	}
	return fmt.Sprintf("toz: %s: %s", e.Kind.String(), e.Message)
}

// Is reports whether target is e's kind, so errors.Is(err, toz.ErrNotFound) works.
func (e *Error) Is(target error) bool {
	k, ok := target.(ErrorKind)
	return ok && k == e.Kind
}
