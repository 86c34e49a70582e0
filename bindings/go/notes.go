package toz

/*
#include "toz.h"
*/
import "C"

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
// decrypt.
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

// DeleteNote deletes a note this client wrote.
func (c *Client) DeleteNote(noteID string) error {
	return c.hdl().call(func(p *C.toz_client, s []*C.char) *C.toz_error {
		return C.toz_client_delete_note(p, s[0])
	}, str(noteID))
}
