package toz

/*
#include "toz.h"
*/
import "C"

// Client is a TozStore client bound to one set of credentials. One Client may be used by many
// goroutines at once. Every call blocks on the network for at most the configured timeout per
// attempt. Close frees it; a finalizer does so otherwise.
type Client struct{ h *handle[*C.toz_client] }

func (c *Client) hdl() *handle[*C.toz_client] {
	if c == nil {
		return nil
	}
	return c.h
}

// Close frees the client and the secrets it holds, after any calls in flight have returned.
// Closing again does nothing; any other method returns ErrClosed afterwards.
func (c *Client) Close() error { return c.hdl().close() }

// NewClient creates a client from registered credentials, which it copies (the caller still
// closes its own). opts nil takes the defaults. No network traffic happens until the first call.
// Errors: ErrInvalidArgument for unregistered credentials or a bad URL, ErrInsecureTransport.
func NewClient(creds *Credentials, opts *Options) (*Client, error) {
	wrap := func(p *C.toz_client) *Client {
		return &Client{newHandle(p, "Client", func(p *C.toz_client) { C.toz_free_client(p) })}
	}
	return handleResult(wrap, func(out **C.toz_client) error {
		return creds.hdl().call(func(c *C.toz_credentials, s []*C.char) *C.toz_error {
			return C.toz_client_new(c, s[0], out)
		}, jsonArg(opts, opts == nil))
	})
}

// Register registers a new client named name at apiURL with a registration token. The keys are
// made locally; only the public keys are sent. With backup, the credentials are also written
// as a key-backup record shared with the account's backup client. opts nil takes the defaults.
// Errors: ErrUnauthorized, ErrForbidden, ErrNotFound or ErrHTTP for a refused token; ErrNetwork,
// ErrTimeout, ErrTLS, ErrInsecureTransport.
func Register(apiURL, token, name string, backup bool, opts *Options) (*Credentials, error) {
	return credentialsFrom(func(s []*C.char, out **C.toz_credentials) *C.toz_error {
		return C.toz_register(s[0], s[1], s[2], C.bool(backup), s[3], out)
	}, str(apiURL), str(token), str(name), jsonArg(opts, opts == nil))
}

// WriteRecord encrypts data field by field and writes it as a new record of recordType, with
// plain (nil for none) stored as searchable plaintext metadata.
func (c *Client) WriteRecord(recordType string, data, plain map[string]string) (*Record, error) {
	return jsonCall[*Record](c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_write_record(p, s[0], s[1], s[2], out)
	}, str(recordType), jsonArg(data, false), jsonArg(plain, plain == nil))
}

// ReadRecord reads and decrypts a record, all fields or only the named ones. Errors:
// ErrNotFound; ErrForbidden or ErrNotFound when it is not (or no longer) shared with this client.
func (c *Client) ReadRecord(recordID string, fields ...string) (*Record, error) {
	return jsonCall[*Record](c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_read_record(p, s[0], s[1], out)
	}, str(recordID), jsonArg(fields, len(fields) == 0))
}

// UpdateRecord replaces a record's data and plain metadata; rec is a record read or written
// earlier (Meta.RecordID, Meta.Version and Meta.Type identify it). It returns the record with
// its new version. Errors: ErrConflict when the record changed since Meta.Version.
func (c *Client) UpdateRecord(rec *Record) (*Record, error) {
	return jsonCall[*Record](c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_update_record(p, s[0], out)
	}, jsonArg(rec, false))
}

// DeleteRecord deletes a record. With a version (from its Meta) the delete fails with
// ErrConflict if the record changed since; with version "" it is unconditional.
func (c *Client) DeleteRecord(recordID, version string) error {
	return c.hdl().call(func(p *C.toz_client, s []*C.char) *C.toz_error {
		return C.toz_client_delete_record(p, s[0], s[1])
	}, str(recordID), nullIfEmpty(version))
}

// Query runs a v1 query; records are decrypted when q.IncludeData.
func (c *Client) Query(q *QueryRequest) (*QueryPage, error) {
	return jsonCall[*QueryPage](c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_query(p, s[0], out)
	}, jsonArg(q, false))
}

// Search runs a v2 search; records are decrypted when q.IncludeData.
func (c *Client) Search(q *SearchRequest) (*SearchPage, error) {
	return jsonCall[*SearchPage](c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_search(p, s[0], out)
	}, jsonArg(q, false))
}

// ClientInfo returns the public information about any client. Errors: ErrNotFound for an
// unknown or malformed id.
func (c *Client) ClientInfo(clientID string) (*ClientInfo, error) {
	return jsonCall[*ClientInfo](c.hdl(), func(p *C.toz_client, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_client_info(p, s[0], out)
	}, str(clientID))
}
