package toz

// The progress callback of file transfers. libtoz calls a C function pointer with an opaque
// user_data; Go passes its exported trampoline with a cgo.Handle of the call's state (an integer,
// so no Go pointer reaches C). The trampoline's return value tells libtoz whether to go on: the
// progress function stops a transfer by returning an error. A panic must not unwind through
// libtoz's C frames, so the trampoline recovers it, stops the transfer too, and the call returns
// it as a *ProgressPanicError.

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

// ProgressFunc receives progress reports of [Client.WriteFile] and [Client.ReadFile] and
// returns nil to let the transfer go on. A non-nil error cancels it at once: nothing is stored
// (no record for an upload, no file at a download's destination), the function is not called
// again, and the call returns an error that wraps both this error and [ErrCancelled]:
//
//	_, err := client.WriteFile("photos", path, nil, func(toz.ProgressStage, uint64, uint64) error {
//		return ctx.Err() // stop once the context is done
//	})
//	if errors.Is(err, context.Canceled) { ... } // errors.Is(err, toz.ErrCancelled) holds too
//
// It runs synchronously on the goroutine that made the call, while the client is in use: it must
// not call the client (nor Close it), nor call runtime.Goexit (t.Fatal, t.FailNow), which cannot
// unwind through C. A panic is recovered and cancels the transfer: see [ProgressPanicError].
type ProgressFunc func(stage ProgressStage, done, total uint64) error

// ProgressPanicError is returned by [Client.WriteFile] and [Client.ReadFile] when the progress
// function panicked. The binding recovers the panic, calls the function no more, and cancels the
// transfer.
type ProgressPanicError struct {
	Value any   // what the progress function panicked with
	Err   error // the transfer's own error: the [ErrCancelled] error that the panic led to
}

func (e *ProgressPanicError) Error() string {
	msg := fmt.Sprintf("toz: the progress function panicked: %v", e.Value)
	if e.Err != nil {
		msg += "; the transfer ended with: " + e.Err.Error()
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

// progressState is one call's progress function and what stopped it, if anything: the first
// error it returned, or the first panic it raised.
type progressState struct {
	fn       ProgressFunc
	err      error
	panicked bool
	value    any
}

// report passes one report to the function and says whether the transfer must stop. Once the
// function has stopped it, it is not called again and every later report asks to stop as well.
func (p *progressState) report(stage ProgressStage, done, total uint64) (stop bool) {
	if p.err != nil || p.panicked {
		return true
	}
	defer func() {
		if r := recover(); r != nil {
			p.panicked, p.value, stop = true, r, true
		}
	}()
	p.err = p.fn(stage, done, total)
	return p.err != nil
}

// callError is the error the call returns, given the transfer's own error err: when the function
// stopped the transfer (libtoz then fails the call with ErrCancelled), err joined with the
// function's error or panic, so that errors.Is finds both.
func (p *progressState) callError(err error) error {
	switch {
	case p.panicked:
		return &ProgressPanicError{Value: p.value, Err: err}
	case p.err != nil:
		return fmt.Errorf("%w: %w", err, p.err)
	}
	return err
}

//export tozGoProgress
func tozGoProgress(userData unsafe.Pointer, stage C.uint32_t, done, total C.uint64_t) C.int {
	if cgo.Handle(uintptr(userData)).Value().(*progressState).report(ProgressStage(stage), uint64(done), uint64(total)) {
		return 1 // any non-zero value cancels the transfer
	}
	return 0
}
