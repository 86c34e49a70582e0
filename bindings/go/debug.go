//go:build debug

package toz

import "runtime"

// maybeGC runs a garbage collection before every use of a handle under `-tags debug`, so that a
// missing runtime.KeepAlive shows up as a use-after-free in the tests (the wasmtime-go trick).
func maybeGC() { runtime.GC() }
