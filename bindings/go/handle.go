package toz

/*
#include "toz.h"
*/
import "C"

import (
	"runtime"
	"sync"
)

// handle owns one library handle, a C pointer of type P (cgo does not allow the incomplete C
// struct itself as a type argument). Calls hold a read lock for as long as the library
// uses the pointer, and close takes the write lock, so a Close racing with calls waits for them
// (the ABI forbids a toz_free_* that races with any other use) and later calls get ErrClosed.
type handle[P comparable] struct {
	mu   sync.RWMutex
	ptr  P
	free func(P)
	name string
}

// newHandle takes ownership of ptr; a finalizer frees it if close is never called.
func newHandle[P comparable](ptr P, name string, free func(P)) *handle[P] {
	h := &handle[P]{ptr: ptr, free: free, name: name}
	runtime.SetFinalizer(h, (*handle[P]).close)
	return h
}

// close frees the handle once; later calls are no-ops.
func (h *handle[P]) close() error {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var null P
	if h.ptr != null {
		h.free(h.ptr)
		h.ptr = null
		runtime.SetFinalizer(h, nil)
	}
	return nil
}

// use runs f with the live pointer and keeps the handle alive and open until f returns. A nil
// handle (a nil or zero-value wrapper) passes NULL, which the library reports as
// ErrNullArgument; a closed handle is ErrClosed.
func (h *handle[P]) use(f func(p P) error) error {
	var null P
	if h == nil {
		return f(null)
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.ptr == null {
		return &Error{Kind: ErrClosed, Message: h.name + " used after Close"}
	}
	maybeGC()
	err := f(h.ptr)
	runtime.KeepAlive(h)
	return err
}

// call runs a C function on the handle's pointer and converted string arguments.
func (h *handle[P]) call(f func(p P, s []*C.char) *C.toz_error, args ...cstr) error {
	return h.use(func(p P) error {
		return withCStrings(args, func(s []*C.char) *C.toz_error { return f(p, s) })
	})
}

// stringCall runs a C function on the handle that returns a string.
func stringCall[P comparable](h *handle[P], f func(p P, s []*C.char, out **C.char) *C.toz_error, args ...cstr) (string, error) {
	return stringResult(func(out **C.char) error {
		return h.call(func(p P, s []*C.char) *C.toz_error { return f(p, s, out) }, args...)
	})
}

// jsonCall runs a C function on the handle that returns JSON text, decoded into an R.
func jsonCall[R any, P comparable](h *handle[P], f func(p P, s []*C.char, out **C.char) *C.toz_error, args ...cstr) (R, error) {
	return jsonResult[R](func(out **C.char) error {
		return h.call(func(p P, s []*C.char) *C.toz_error { return f(p, s, out) }, args...)
	})
}
