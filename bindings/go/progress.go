package toz

// The progress callback of file transfers. libtoz calls a C function pointer with an opaque
// user_data; Go passes its exported trampoline with a cgo.Handle of the call's state (an integer,
// so no Go pointer reaches C). A panic must not unwind through libtoz's C frames, so the
// trampoline recovers it and the call returns it as a *ProgressPanicError.

/*
#include <stdint.h>
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"unsafe"
)

// ProgressStage is what a progress report is about.
type ProgressStage uint32

// The stages of the ABI's toz_progress_fn.
const (
	StageEncrypting  ProgressStage = 1 // encrypting before a checksum-first upload; plaintext bytes
	StageUploading   ProgressStage = 2 // uploading; done/total are encrypted bytes
	StageDownloading ProgressStage = 3 // downloading and decrypting; done/total are encrypted bytes
)

// String is the stage's name, e.g. "UPLOADING".
func (s ProgressStage) String() string {
	switch s {
	case StageEncrypting:
		return "ENCRYPTING"
	case StageUploading:
		return "UPLOADING"
	case StageDownloading:
		return "DOWNLOADING"
	}
	return fmt.Sprintf("STAGE(%d)", uint32(s))
}

// ProgressFunc receives progress reports of [Client.WriteFile] and [Client.ReadFile]. It runs
// synchronously on the goroutine that made the call, while the client is in use: it must not
// call the client (nor Close it), nor call runtime.Goexit (t.Fatal, t.FailNow), which cannot
// unwind through C. A panic is recovered: see [ProgressPanicError].
type ProgressFunc func(stage ProgressStage, done, total uint64)

// ProgressPanicError is returned by [Client.WriteFile] and [Client.ReadFile] when the progress
// function panicked. The binding recovers the panic, calls the function no more, and lets the
// transfer run to its end (the ABI cannot cancel one).
type ProgressPanicError struct {
	Value any   // what the progress function panicked with
	Err   error // the transfer's own error; nil when it succeeded
}

func (e *ProgressPanicError) Error() string {
	msg := fmt.Sprintf("toz: the progress function panicked: %v", e.Value)
	if e.Err != nil {
		msg += "; the transfer failed too: " + e.Err.Error()
	}
	return msg
}

// Unwrap gives the panic value when it is an error, and the transfer's error.
func (e *ProgressPanicError) Unwrap() []error {
	var errs []error
	if err, ok := e.Value.(error); ok {
		errs = append(errs, err)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// progressState is one call's progress function and the first panic it raised.
type progressState struct {
	fn       ProgressFunc
	panicked bool
	value    any
}

func (p *progressState) report(stage ProgressStage, done, total uint64) {
	if p.panicked {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			p.panicked, p.value = true, r
		}
	}()
	p.fn(stage, done, total)
}

//export tozGoProgress
func tozGoProgress(userData unsafe.Pointer, stage C.uint32_t, done, total C.uint64_t) {
	cgo.Handle(uintptr(userData)).Value().(*progressState).report(ProgressStage(stage), uint64(done), uint64(total))
}
