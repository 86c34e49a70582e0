package toz

/*
#include "toz.h"
*/
import "C"

import (
	"fmt"
	"math"
)

// PublicInfo returns the non-secret fields of the client's credentials, without a request;
// ClientID is "" for an anonymous client. Its [PublicInfo.NoteRecipient] addresses a note to
// this client.
func (c *Client) PublicInfo() (*PublicInfo, error) {
	return jsonCall[*PublicInfo](c.hdl(), func(p *C.toz_client, _ []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_public_info(p, out)
	})
}

// WriteNote encrypts data to the recipient, signs every field with this client's signing key
// and stores the note. opts nil takes the defaults (no name, unlimited views, no expiry). It
// returns the stored note, Data encrypted. Errors: ErrConflict for a name already taken.
func (c *Client) WriteNote(data map[string]string, to NoteRecipient, opts *NoteOptions) (*Note, error) {
	return jsonCall[*Note](c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_write_note(p, s[0], s[1], s[2], out)
	}, jsonArg(data, false), jsonArg(to, false), jsonArg(opts, opts == nil))
}

// ReplaceNote replaces (or creates) this writer's note named opts.IDString, atomically;
// arguments as [Client.WriteNote]. Errors: ErrInvalidArgument when opts names no note.
func (c *Client) ReplaceNote(data map[string]string, to NoteRecipient, opts *NoteOptions) (*Note, error) {
	return jsonCall[*Note](c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_replace_note(p, s[0], s[1], s[2], out)
	}, jsonArg(data, false), jsonArg(to, false), jsonArg(opts, opts == nil))
}

// ReadNote reads a note addressed to this client's keys, with Data decrypted and every signature
// verified. Each read counts against the note's views. Errors: ErrNotFound (also once its views
// or time ran out), ErrSignature when a signature does not verify, ErrCrypto when it does not
// decrypt, ErrForbidden for a note with access policies (Note.EACP), whose proofs go with
// [Client.ReadNoteWithEACP].
func (c *Client) ReadNote(noteID string) (*Note, error) {
	return jsonCall[*Note](c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_read_note(p, s[0], out)
	}, str(noteID))
}

// ReadNoteByName reads a note by its name (IDString), as [Client.ReadNote].
func (c *Client) ReadNoteByName(idString string) (*Note, error) {
	return jsonCall[*Note](c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_read_note_by_name(p, s[0], out)
	}, str(idString))
}

// ReadNoteWithEACP reads a note with access policies ([NoteOptions].EACP), addressed by
// req.NoteID or req.IDString, presenting the proofs in req; otherwise as [Client.ReadNote].
// Each proof works for one read. Errors: ErrForbidden when a proof is missing, wrong, expired
// or already used; ErrInvalidArgument unless exactly one of NoteID and IDString is set.
func (c *Client) ReadNoteWithEACP(req NoteReadRequest) (*Note, error) {
	return jsonCall[*Note](c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_read_note_with_eacp(p, s[0], out)
	}, jsonArg(req, false))
}

// PrimeNote returns a new one-time password for a note this client wrote with a ToznyOTPEACP,
// for the reader's [NoteReadRequest].ToznyOTP; hand it over out of band. It works for one read,
// for expiryMinutes (0: the server's default, 60), and replaces any earlier one.
// Errors: ErrForbidden for anyone but the writer; ErrHTTP (400) for a note without that policy.
func (c *Client) PrimeNote(noteID string, expiryMinutes int) (string, error) {
	if expiryMinutes < math.MinInt32 || expiryMinutes > math.MaxInt32 {
		return "", &Error{Kind: ErrInvalidArgument, Message: fmt.Sprintf("expiryMinutes %d does not fit in 32 bits", expiryMinutes)}
	}
	return stringCall(c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_prime_note(p, s[0], C.int32_t(expiryMinutes), out)
	}, str(noteID))
}

// ChallengeNote has the server mail a one-time code to the EmailEACP address of a note addressed
// to (or written by) this client, for the reader's [NoteReadRequest].EmailOTP. The code works
// until the returned EmailEACP.ExpiresAt, and a new challenge replaces it. Errors: ErrHTTP (400)
// for a note without that policy; ErrForbidden for anyone but its recipient and writer;
// ErrServer (502) when the server could not send the mail; ErrInvalidArgument unless exactly
// one of req.NoteID and req.IDString is set.
func (c *Client) ChallengeNote(req NoteChallengeRequest) (*NoteChallenge, error) {
	return jsonCall[*NoteChallenge](c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_challenge_note(p, s[0], out)
	}, jsonArg(req, false))
}

// DeleteNote deletes a note this client wrote.
func (c *Client) DeleteNote(noteID string) error {
	return c.hdl().call(func(p *C.toz_client, s []*C.char) *C.toz_error {
		return C.toz_client_delete_note(p, s[0])
	}, str(noteID))
}
