package toz

/*
#include <stdint.h>
#include "toz.h"

// The Go trampoline, exported by progress.go.
extern int tozGoProgress(void *user_data, uint32_t stage, uint64_t done, uint64_t total);

// The file calls with the trampoline as the progress callback and a cgo.Handle value (never a
// Go pointer) as its user_data; handle 0 (no Go function) passes no callback at all.
static toz_error *toz_go_write_file(const toz_client *client, const char *record_type, const char *path,
                                    const char *plain_json, uintptr_t handle, char **record_json_out) {
	return toz_client_write_file(client, record_type, path, plain_json, handle ? tozGoProgress : NULL,
	                             (void *)handle, record_json_out);
}

static toz_error *toz_go_read_file(const toz_client *client, const char *record_id, const char *destination_path,
                                   uintptr_t handle, char **record_json_out) {
	return toz_client_read_file(client, record_id, destination_path, handle ? tozGoProgress : NULL,
	                            (void *)handle, record_json_out);
}
*/
import "C"

import (
	"context"
	"runtime/cgo"
)

// transfer runs one file call with progress reported to fn (nil for none); see progress.go.
func (c *Client) transfer(fn ProgressFunc, f func(p *C.toz_client, s []*C.char, handle C.uintptr_t, out **C.char) *C.toz_error, args ...cstr) (*Record, error) {
	var state *progressState
	var handle C.uintptr_t
	if fn != nil {
		state = &progressState{fn: fn}
		h := cgo.NewHandle(state)
		defer h.Delete()
		handle = C.uintptr_t(h)
	}
	rec, err := jsonCall[*Record](c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return f(p, s, handle, out)
	}, args...)
	if state != nil {
		err = state.callError(err)
	}
	return rec, err
}

// WriteFile encrypts the file at path (streamed, in constant memory) and stores it as a record
// of recordType with plain (nil for none) as plaintext metadata; the record returned carries
// Meta.FileMeta. progress, if not nil, is called on the calling goroutine as the work advances:
// [StageUploading] (encrypted bytes), preceded by [StageEncrypting] (plaintext bytes) unless the
// upload runs in a single pass (toz-server, with [Options].SinglePassUploads left on). If progress
// returns an error, the upload stops at once, no record is stored, and WriteFile returns an error
// wrapping both that error and [ErrCancelled]; if it panics, the upload stops the same way and
// WriteFile returns a *[ProgressPanicError].
func (c *Client) WriteFile(recordType, path string, plain map[string]string, progress ProgressFunc) (*Record, error) {
	return c.transfer(progress, func(p *C.toz_client, s []*C.char, handle C.uintptr_t, out **C.char) *C.toz_error {
		return C.toz_go_write_file(p, s[0], s[1], s[2], handle, out)
	}, str(recordType), str(path), jsonArg(plain, plain == nil))
}

// ReadFile downloads the file record recordID and decrypts it to dest, which appears only once
// the whole file decrypted and verified: on any failure nothing is left there (ErrCrypto for a
// tampered or truncated file). progress as for [Client.WriteFile], with [StageDownloading]
// (encrypted bytes): an error or a panic cancels the download and leaves no file at dest.
func (c *Client) ReadFile(recordID, dest string, progress ProgressFunc) (*Record, error) {
	return c.transfer(progress, func(p *C.toz_client, s []*C.char, handle C.uintptr_t, out **C.char) *C.toz_error {
		return C.toz_go_read_file(p, s[0], s[1], handle, out)
	}, str(recordID), str(dest))
}

// WriteFileContext is [Client.WriteFile] that also stops when ctx is done: the upload is
// cancelled at its next progress report (they come every few KiB while bytes move; a stalled
// connection fails after the client's timeout), nothing is stored, and the error wraps both
// context.Cause(ctx) and [ErrCancelled]. A ctx already done stops it before anything is sent.
func (c *Client) WriteFileContext(ctx context.Context, recordType, path string, plain map[string]string, progress ProgressFunc) (*Record, error) {
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return c.WriteFile(recordType, path, plain, untilDone(ctx, progress))
}

// ReadFileContext is [Client.ReadFile] that also stops when ctx is done, as for
// [Client.WriteFileContext]; a cancelled download leaves no file at dest.
func (c *Client) ReadFileContext(ctx context.Context, recordID, dest string, progress ProgressFunc) (*Record, error) {
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return c.ReadFile(recordID, dest, untilDone(ctx, progress))
}

// untilDone is progress (nil for none) that first stops the transfer once ctx is done.
func untilDone(ctx context.Context, progress ProgressFunc) ProgressFunc {
	return func(stage ProgressStage, done, total uint64) error {
		if err := context.Cause(ctx); err != nil {
			return err
		}
		if progress == nil {
			return nil
		}
		return progress(stage, done, total)
	}
}
