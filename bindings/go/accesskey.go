package toz

/*
#include "toz.h"
*/
import "C"

// AccessKey is the 32-byte key of one record type, held inside the library. It is immutable and
// safe for concurrent use. Close frees (and zeroes) it; a finalizer does so otherwise.
type AccessKey struct{ h *handle[*C.toz_access_key] }

func newAccessKey(p *C.toz_access_key) *AccessKey {
	return &AccessKey{newHandle(p, "AccessKey", func(p *C.toz_access_key) { C.toz_free_access_key(p) })}
}

func (k *AccessKey) hdl() *handle[*C.toz_access_key] {
	if k == nil {
		return nil
	}
	return k.h
}

// Close frees the key, zeroing it. Closing again does nothing; any other use returns ErrClosed.
func (k *AccessKey) Close() error { return k.hdl().close() }

// accessKeyFrom runs an access key constructor taking string arguments.
func accessKeyFrom(f func(s []*C.char, out **C.toz_access_key) *C.toz_error, args ...cstr) (*AccessKey, error) {
	return handleResult(newAccessKey, func(out **C.toz_access_key) error {
		return callC(func(s []*C.char) *C.toz_error { return f(s, out) }, args...)
	})
}

// GenerateAccessKey makes a random access key.
func GenerateAccessKey() (*AccessKey, error) {
	return accessKeyFrom(func(_ []*C.char, out **C.toz_access_key) *C.toz_error {
		return C.toz_access_key_generate(out)
	})
}

// AccessKeyFromString parses a key from its base64url text (padding accepted), as returned by
// [AccessKey.Text]. Errors: ErrInvalidArgument for bad base64 or a wrong length.
func AccessKeyFromString(text string) (*AccessKey, error) {
	return accessKeyFrom(func(s []*C.char, out **C.toz_access_key) *C.toz_error {
		return C.toz_access_key_from_string(s[0], out)
	}, str(text))
}

// Text returns the key as unpadded base64url text (toz_access_key_to_string). Sensitive. It is
// deliberately not a String method, so that fmt and loggers never print the key.
func (k *AccessKey) Text() (string, error) {
	return stringCall(k.hdl(), func(p *C.toz_access_key, _ []*C.char, out **C.char) *C.toz_error {
		return C.toz_access_key_to_string(p, out)
	})
}

// Wrap encrypts the key for a reader (an EAK), boxed from the authorizer's private key to
// readerPublicKey (base64url Curve25519).
func (k *AccessKey) Wrap(readerPublicKey string, authorizer *Credentials) (string, error) {
	return stringResult(func(out **C.char) error {
		return authorizer.hdl().use(func(a *C.toz_credentials) error {
			return k.hdl().call(func(p *C.toz_access_key, s []*C.char) *C.toz_error {
				return C.toz_access_key_wrap(p, s[0], a, out)
			}, str(readerPublicKey))
		})
	})
}

// UnwrapAccessKey decrypts an EAK with the authorizer's public key (base64url) and the reader's
// private key. Errors: ErrCrypto when the keys do not match or the EAK was altered.
func UnwrapAccessKey(eak, authorizerPublicKey string, reader *Credentials) (*AccessKey, error) {
	return handleResult(newAccessKey, func(out **C.toz_access_key) error {
		return reader.hdl().call(func(r *C.toz_credentials, s []*C.char) *C.toz_error {
			return C.toz_access_key_unwrap(s[0], s[1], r, out)
		}, str(eak), str(authorizerPublicKey))
	})
}

// EncryptRecord encrypts a record's data offline, field by field, with key. The result has the
// same field names and EDK.EDKN.EF.EFN values readable by every TozStore SDK with the same key.
func EncryptRecord(key *AccessKey, data map[string]string) (map[string]string, error) {
	return jsonCall[map[string]string](key.hdl(), func(p *C.toz_access_key, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_record_encrypt(p, s[0], out)
	}, jsonArg(data, false))
}

// DecryptRecord decrypts data encrypted by [EncryptRecord] (or any TozStore SDK). Errors:
// ErrCrypto for a wrong key or a tampered field, ErrInvalidArgument for a malformed field.
func DecryptRecord(key *AccessKey, encrypted map[string]string) (map[string]string, error) {
	return jsonCall[map[string]string](key.hdl(), func(p *C.toz_access_key, s []*C.char, out **C.char) *C.toz_error {
		return C.toz_record_decrypt(p, s[0], out)
	}, jsonArg(encrypted, false))
}
