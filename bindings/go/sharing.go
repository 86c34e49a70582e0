package toz

/*
#include "toz.h"
*/
import "C"

// strings3 runs a C call on the client taking two or three strings (the third NULL if absent).
func (c *Client) strings3(f func(p *C.toz_client, a, b, d *C.char) *C.toz_error, args ...string) error {
	cs := []cstr{{null: true}, {null: true}, {null: true}}
	for i, a := range args {
		cs[i] = str(a)
	}
	return c.hdl().call(func(p *C.toz_client, s []*C.char) *C.toz_error { return f(p, s[0], s[1], s[2]) }, cs...)
}

// listing runs a C call on the client that returns a JSON array.
func listing[R any](c *Client, f func(p *C.toz_client, out **C.char) *C.toz_error) ([]R, error) {
	return jsonCall[[]R](c.hdl(), func(p *C.toz_client, _ []*C.char, out **C.char) *C.toz_error { return f(p, out) })
}

// Share shares this client's records of recordType, present and future, with readerID. Sharing
// again is harmless; sharing with oneself does nothing.
func (c *Client) Share(recordType, readerID string) error {
	return c.strings3(func(p *C.toz_client, t, r, _ *C.char) *C.toz_error { return C.toz_client_share(p, t, r) }, recordType, readerID)
}

// Revoke revokes a share: readerID can no longer read records of recordType.
func (c *Client) Revoke(recordType, readerID string) error {
	return c.strings3(func(p *C.toz_client, t, r, _ *C.char) *C.toz_error { return C.toz_client_revoke(p, t, r) }, recordType, readerID)
}

// AddAuthorizer appoints authorizerID to share this client's recordType on its behalf.
func (c *Client) AddAuthorizer(recordType, authorizerID string) error {
	return c.strings3(func(p *C.toz_client, t, a, _ *C.char) *C.toz_error { return C.toz_client_add_authorizer(p, t, a) }, recordType, authorizerID)
}

// RemoveAuthorizer withdraws an authorizer appointed with [Client.AddAuthorizer].
func (c *Client) RemoveAuthorizer(recordType, authorizerID string) error {
	return c.strings3(func(p *C.toz_client, t, a, _ *C.char) *C.toz_error { return C.toz_client_remove_authorizer(p, t, a) }, recordType, authorizerID)
}

// ShareOnBehalfOf shares writerID's recordType with readerID, as an authorizer of writerID.
// Errors: ErrForbidden when this client is not an authorizer for it.
func (c *Client) ShareOnBehalfOf(writerID, recordType, readerID string) error {
	return c.strings3(func(p *C.toz_client, w, t, r *C.char) *C.toz_error {
		return C.toz_client_share_on_behalf_of(p, w, t, r)
	}, writerID, recordType, readerID)
}

// RevokeOnBehalfOf revokes a share made on writerID's behalf, as an authorizer of writerID.
func (c *Client) RevokeOnBehalfOf(writerID, recordType, readerID string) error {
	return c.strings3(func(p *C.toz_client, w, t, r *C.char) *C.toz_error {
		return C.toz_client_revoke_on_behalf_of(p, w, t, r)
	}, writerID, recordType, readerID)
}

// OutgoingShares lists the readers this client shares with.
func (c *Client) OutgoingShares() ([]OutgoingShare, error) {
	return listing[OutgoingShare](c, func(p *C.toz_client, out **C.char) *C.toz_error { return C.toz_client_outgoing_shares(p, out) })
}

// IncomingShares lists the writers sharing with this client.
func (c *Client) IncomingShares() ([]IncomingShare, error) {
	return listing[IncomingShare](c, func(p *C.toz_client, out **C.char) *C.toz_error { return C.toz_client_incoming_shares(p, out) })
}

// Authorizers lists the authorizers this client appointed.
func (c *Client) Authorizers() ([]Authorization, error) {
	return listing[Authorization](c, func(p *C.toz_client, out **C.char) *C.toz_error { return C.toz_client_authorizers(p, out) })
}

// GrantedAuthorizations lists the writers that appointed this client as their authorizer.
func (c *Client) GrantedAuthorizations() ([]Authorization, error) {
	return listing[Authorization](c, func(p *C.toz_client, out **C.char) *C.toz_error { return C.toz_client_granted_authorizations(p, out) })
}

// ListBackups lists, for the account's backup client, the clients whose credentials are backed
// up to it.
func (c *Client) ListBackups() ([]BackupEntry, error) {
	return listing[BackupEntry](c, func(p *C.toz_client, out **C.char) *C.toz_error { return C.toz_client_list_backups(p, out) })
}

// RecoverCredentials recovers, for the account's backup client, the full credentials of
// clientID from its newest key backup. Errors: ErrNotFound when no backup of that client is
// shared with this one.
func (c *Client) RecoverCredentials(clientID string) (*Credentials, error) {
	return credentialsResult(func(out **C.toz_credentials) error {
		return c.hdl().call(func(p *C.toz_client, s []*C.char) *C.toz_error {
			return C.toz_client_recover_credentials(p, s[0], out)
		}, str(clientID))
	})
}
