// Package toz is the Go binding of libtoz, end-to-end encrypted storage wire-compatible with
// Tozny TozStore (E3DB).
//
// The binding is a thin cgo layer over include/toz.h and adds no logic of its own: it converts
// Go values to the JSON and C strings the ABI takes, copies every result into Go values and frees
// the C memory at once, maps every error to a *Error, and owns the lifetime of the three handle
// types ([Credentials], [AccessKey], [Client]).
//
// # Linking
//
// The package links with -ltoz. Build libtoz with `cargo build -p toz` and point cgo and the
// loader at it, for example
//
//	CGO_LDFLAGS="-L$PWD/target/debug" LD_LIBRARY_PATH="$PWD/target/debug" go test ./...
//
// # ABI version
//
// At package initialisation the binding compares toz_abi_version() with [SupportedABIVersion].
// On a mismatch it does not panic: every fallible function and method then returns an error
// wrapping [ErrABIMismatch] that names both versions ([CheckABI] returns it too).
//
// # Errors
//
// Every failure is a *[Error] carrying the library's [ErrorKind], HTTP status and message. Each
// ErrorKind is itself a sentinel error, so errors.Is(err, toz.ErrNotFound) and
// errors.As(err, &tozErr) both work.
//
// # Handles
//
// Credentials, AccessKey and Client wrap library handles. Close frees one at once (closing
// twice is harmless); a finalizer frees it if Close is never called. A closed handle returns
// ErrClosed from every method. Handles are safe for concurrent use, including a Close that races
// with calls: Close waits for calls in flight, later calls get ErrClosed.
//
// # Secrets
//
// Go strings cannot be wiped. Credentials therefore stay inside the Credentials handle and become
// text only through [Credentials.ToJSON] and [Credentials.Seal]; the C copies of string arguments
// are zeroed before they are freed.
package toz

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: -ltoz
#include <stdlib.h>
#include <string.h>
#include "toz.h"
*/
import "C"

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// SupportedABIVersion is the libtoz ABI version (TOZ_ABI_VERSION) this binding was written for.
const SupportedABIVersion = 2

// The header this package is compiled against must declare the same ABI version (a negative
// array length fails the build otherwise).
var (
	_ [C.TOZ_ABI_VERSION - SupportedABIVersion]struct{}
	_ [SupportedABIVersion - C.TOZ_ABI_VERSION]struct{}
)

// ErrABIMismatch is wrapped by the error every call returns when the loaded libtoz has another
// ABI version than [SupportedABIVersion].
var ErrABIMismatch = errors.New("toz: libtoz ABI version mismatch")

var abiErr = checkABI()

func checkABI() error {
	if v := ABIVersion(); v != SupportedABIVersion {
		return fmt.Errorf("%w: the loaded libtoz %s has ABI version %d, this Go binding needs ABI version %d; build the binding against a matching libtoz",
			ErrABIMismatch, Version(), v, SupportedABIVersion)
	}
	return nil
}

// CheckABI reports whether the loaded libtoz has the ABI version this binding needs: nil, or the
// error wrapping [ErrABIMismatch] that every call returns in that case.
func CheckABI() error { return abiErr }

// Version is the library version (toz_version), for example "0.1.0".
func Version() string { return C.GoString(C.toz_version()) }

// ABIVersion is the loaded library's ABI version (toz_abi_version).
func ABIVersion() uint32 { return uint32(C.toz_abi_version()) }

// cstr is one string argument of a C call: a Go string, NULL, or an error met while making it.
type cstr struct {
	s    string
	null bool
	err  error
}

func str(s string) cstr { return cstr{s: s} }

// nullIfEmpty passes NULL for "" (the ABI's "absent").
func nullIfEmpty(s string) cstr { return cstr{s: s, null: s == ""} }

// jsonArg passes v as JSON text, or NULL when null is true.
func jsonArg(v any, null bool) cstr {
	if null {
		return cstr{null: true}
	}
	var b []byte
	if m, ok := v.(map[string]string); ok && m != nil {
		b = appendStringMap(nil, m)
	} else {
		var err error
		if b, err = json.Marshal(v); err != nil {
			return cstr{err: &Error{Kind: ErrJSON, Message: "encoding an argument as JSON: " + err.Error()}}
		}
	}
	defer clear(b) // arguments may hold plaintext
	return cstr{s: string(b)}
}

// withCStrings copies args into NUL-terminated C strings, runs f with them and returns f's error
// converted; the C copies are zeroed and freed afterwards. A Go string containing a NUL byte
// cannot cross as a C string and is refused (it would otherwise be cut short silently).
func withCStrings(args []cstr, f func(s []*C.char) *C.toz_error) error {
	if abiErr != nil {
		return abiErr
	}
	cs := make([]*C.char, len(args))
	defer func() {
		for i, p := range cs {
			if p != nil {
				C.memset(unsafe.Pointer(p), 0, C.size_t(len(args[i].s)))
				C.free(unsafe.Pointer(p))
			}
		}
	}()
	for i, a := range args {
		switch {
		case a.err != nil:
			return a.err
		case a.null:
		case strings.IndexByte(a.s, 0) >= 0:
			return &Error{Kind: ErrInvalidArgument, Message: fmt.Sprintf("string argument %d contains a NUL byte", i+1)}
		default:
			cs[i] = C.CString(a.s)
		}
	}
	return check(f(cs))
}

// check turns a toz_error into a *Error and frees it at once; NULL is success.
func check(e *C.toz_error) error {
	if e == nil {
		return nil
	}
	defer C.toz_free_error(e)
	return &Error{
		Kind:       ErrorKind(C.toz_error_get_kind(e)),
		HTTPStatus: int(C.toz_error_get_http_status(e)),
		Message:    C.GoString(C.toz_error_get_message(e)),
	}
}

// stringResult runs call with a string out-parameter and returns the string copied into Go; the
// library's copy is freed (and zeroed) at once.
func stringResult(call func(out **C.char) error) (string, error) {
	var out *C.char
	if err := call(&out); err != nil {
		return "", err
	}
	defer C.toz_free_string(out)
	return C.GoString(out), nil
}

// jsonResult runs call with a string out-parameter and decodes the JSON into a T. The bytes are
// zeroed after decoding, since results may hold plaintext.
func jsonResult[T any](call func(out **C.char) error) (T, error) {
	var v T
	var out *C.char
	if err := call(&out); err != nil {
		return v, err
	}
	if out == nil { // never on success, by the ABI's contract; C.strlen(NULL) would crash
		return v, &Error{Kind: ErrNullArgument, Message: "the library returned no result"}
	}
	b := C.GoBytes(unsafe.Pointer(out), C.int(C.strlen(out)))
	C.toz_free_string(out)
	defer clear(b)
	if p, ok := any(&v).(*map[string]string); ok {
		if m, ok := parseStringMap(b); ok {
			*p = m
			return v, nil
		}
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, &Error{Kind: ErrJSON, Message: fmt.Sprintf("decoding the library's %T result: %v", v, err)}
	}
	return v, nil
}

// handleResult runs call with a handle out-parameter and wraps the new handle.
func handleResult[P, W any](wrap func(P) W, call func(out *P) error) (W, error) {
	var out P
	if err := call(&out); err != nil {
		var zero W
		return zero, err
	}
	return wrap(out), nil
}

// callC runs a C function without a handle on converted string arguments.
func callC(f func(s []*C.char) *C.toz_error, args ...cstr) error {
	return withCStrings(args, f)
}
