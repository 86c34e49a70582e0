package toz

/*
#include "toz.h"
*/
import "C"

// Credentials are a client's ids, API key and key pairs, held inside the library. They are safe
// for concurrent use. Close frees (and zeroes) them; a finalizer does so otherwise.
type Credentials struct{ h *handle[*C.toz_credentials] }

func newCredentials(p *C.toz_credentials) *Credentials {
	return &Credentials{newHandle(p, "Credentials", func(p *C.toz_credentials) { C.toz_free_credentials(p) })}
}

func (c *Credentials) hdl() *handle[*C.toz_credentials] {
	if c == nil {
		return nil
	}
	return c.h
}

// Close frees the credentials, zeroing every secret. Closing again does nothing; any other
// method returns ErrClosed afterwards.
func (c *Credentials) Close() error { return c.hdl().close() }

// credentialsResult runs call with a credentials out-parameter.
func credentialsResult(call func(out **C.toz_credentials) error) (*Credentials, error) {
	return handleResult(newCredentials, call)
}

// credentialsFrom runs a credentials constructor taking string arguments.
func credentialsFrom(f func(s []*C.char, out **C.toz_credentials) *C.toz_error, args ...cstr) (*Credentials, error) {
	return credentialsResult(func(out **C.toz_credentials) error {
		return callC(func(s []*C.char) *C.toz_error { return f(s, out) }, args...)
	})
}

// PublicInfo is the non-secret part of credentials (toz_credentials_public_info).
type PublicInfo struct {
	Version          int    `json:"version"`
	ClientID         string `json:"client_id"`
	APIKeyID         string `json:"api_key_id"`
	ClientEmail      string `json:"client_email"`
	PublicKey        string `json:"public_key"`
	PublicSigningKey string `json:"public_signing_key"`
	APIURL           string `json:"api_url"`
}

// NoteRecipient addresses a note to the holder of these credentials.
func (i *PublicInfo) NoteRecipient() NoteRecipient {
	return NoteRecipient{PublicKey: i.PublicKey, PublicSigningKey: i.PublicSigningKey}
}

// SealOptions are the Argon2id work factors of [Credentials.Seal]: at least 1 pass and 8 MiB.
type SealOptions struct {
	Opslimit uint64 `json:"opslimit"` // passes
	Memlimit uint64 `json:"memlimit"` // bytes
}

// GenerateCredentials makes fresh, unregistered credentials (new key pairs, version 2) for the
// server at apiURL ("" for https://api.e3db.com).
func GenerateCredentials(apiURL string) (*Credentials, error) {
	return credentialsFrom(func(s []*C.char, out **C.toz_credentials) *C.toz_error {
		return C.toz_credentials_generate(s[0], out)
	}, nullIfEmpty(apiURL))
}

// CredentialsFromJSON parses credentials in Tozny's e3db.json format and checks every key pair.
// Errors: ErrJSON for malformed JSON or missing keys, ErrInvalidArgument for bad keys.
func CredentialsFromJSON(json string) (*Credentials, error) {
	return credentialsFrom(func(s []*C.char, out **C.toz_credentials) *C.toz_error {
		return C.toz_credentials_from_json(s[0], out)
	}, str(json))
}

// LoadCredentialsFile loads an e3db.json file. Errors: ErrNotFound when it does not exist,
// ErrIO, ErrJSON, ErrInvalidArgument.
func LoadCredentialsFile(path string) (*Credentials, error) {
	return credentialsFrom(func(s []*C.char, out **C.toz_credentials) *C.toz_error {
		return C.toz_credentials_load_file(s[0], out)
	}, str(path))
}

// LoadProfile loads ~/.tozny/<profile>/e3db.json, or ~/.tozny/e3db.json for profile "".
func LoadProfile(profile string) (*Credentials, error) {
	return credentialsFrom(func(s []*C.char, out **C.toz_credentials) *C.toz_error {
		return C.toz_credentials_load_profile(s[0], out)
	}, nullIfEmpty(profile))
}

// UnsealCredentials opens credentials sealed by [Credentials.Seal]. Errors: ErrWrongPassphrase
// for a wrong passphrase or altered data, ErrJSON or ErrInvalidArgument for malformed input.
func UnsealCredentials(sealed, passphrase string) (*Credentials, error) {
	return credentialsFrom(func(s []*C.char, out **C.toz_credentials) *C.toz_error {
		return C.toz_credentials_unseal(s[0], s[1], out)
	}, str(sealed), str(passphrase))
}

// ToJSON serialises the credentials as e3db.json text. Sensitive: the text holds the private keys
// and the API secret, and a Go string cannot be wiped.
func (c *Credentials) ToJSON() (string, error) {
	return stringCall(c.hdl(), func(p *C.toz_credentials, _ []*C.char, out **C.char) *C.toz_error {
		return C.toz_credentials_to_json(p, out)
	})
}

// PublicInfo returns the non-secret fields, safe to log or display.
func (c *Credentials) PublicInfo() (*PublicInfo, error) {
	return jsonCall[*PublicInfo](c.hdl(), func(p *C.toz_credentials, _ []*C.char, out **C.char) *C.toz_error {
		return C.toz_credentials_public_info(p, out)
	})
}

// SaveFile writes the credentials as an e3db.json file (mode 0600, parent directories 0700).
// An existing file is replaced (atomically) only when overwrite is true, else ErrAlreadyExists.
func (c *Credentials) SaveFile(path string, overwrite bool) error {
	return c.hdl().call(func(p *C.toz_credentials, s []*C.char) *C.toz_error {
		return C.toz_credentials_save_file(p, s[0], C.bool(overwrite))
	}, str(path))
}

// SaveProfile saves the credentials as ~/.tozny/<profile>/e3db.json ("" for the default
// profile), replacing an existing profile only when overwrite is true. Profile names may contain
// only letters, digits, '.', '_' and '-' (else ErrInvalidArgument).
func (c *Credentials) SaveProfile(profile string, overwrite bool) error {
	return c.hdl().call(func(p *C.toz_credentials, s []*C.char) *C.toz_error {
		return C.toz_credentials_save_profile(p, s[0], C.bool(overwrite))
	}, nullIfEmpty(profile))
}

// Seal exports the credentials encrypted under passphrase (Argon2id + XChaCha20-Poly1305).
// opts nil takes the library's defaults. The sealed text is safe to store where the passphrase
// is not.
func (c *Credentials) Seal(passphrase string, opts *SealOptions) (string, error) {
	return stringCall(c.hdl(), func(p *C.toz_credentials, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_credentials_seal(p, s[0], s[1], out)
	}, str(passphrase), jsonArg(opts, opts == nil))
}
