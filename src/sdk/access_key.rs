//! Access keys (AK) and encrypted access keys (EAK), spec §4.4.
//!
//! An AK is the 32-byte secretbox key shared by every record of one (writer, user, type). It is
//! stored on the server only as an EAK: `b64url(crypto_box_easy(ak)) "." b64url(nonce)`, boxed
//! from the authorizer's Curve25519 secret key to the reader's public key.

use std::fmt;

use zeroize::Zeroizing;

use super::crypto::{self, KEY_BYTES, NONCE_BYTES};
use super::error::{Error, ErrorKind, Result};

/// A record-type access key; zeroed on drop, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey(Zeroizing<[u8; KEY_BYTES]>);

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessKey(<redacted>)")
    }
}

impl AccessKey {
    /// A fresh random access key.
    pub fn generate() -> Result<Self> {
        crypto::init()?;
        Ok(AccessKey(crypto::random_key()))
    }

    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        AccessKey(Zeroizing::new(bytes))
    }

    /// Parses the b64url form.
    pub fn from_b64url(text: &str) -> Result<Self> {
        Ok(AccessKey(crypto::b64url_decode_array::<KEY_BYTES>(
            text,
            "access key",
        )?))
    }

    /// The b64url form (sensitive).
    pub fn to_b64url(&self) -> Zeroizing<String> {
        Zeroizing::new(crypto::b64url_encode(&self.0[..]))
    }

    /// The raw key.
    pub fn bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }

    /// Boxes this key for `reader_public` with the authorizer's secret key: the EAK string.
    pub fn encrypt_for(
        &self,
        reader_public: &[u8; KEY_BYTES],
        authorizer_secret: &[u8; KEY_BYTES],
    ) -> String {
        self.encrypt_for_with_nonce(reader_public, authorizer_secret, &crypto::random_array())
    }

    /// [`AccessKey::encrypt_for`] with a caller-chosen nonce (test vectors only).
    pub fn encrypt_for_with_nonce(
        &self,
        reader_public: &[u8; KEY_BYTES],
        authorizer_secret: &[u8; KEY_BYTES],
        nonce: &[u8; NONCE_BYTES],
    ) -> String {
        let sealed = crypto::box_seal(&self.0[..], nonce, reader_public, authorizer_secret);
        format!(
            "{}.{}",
            crypto::b64url_encode(&sealed),
            crypto::b64url_encode(nonce)
        )
    }

    /// Opens an EAK with the authorizer's public key and the reader's secret key.
    pub fn decrypt_eak(
        eak: &str,
        authorizer_public: &[u8; KEY_BYTES],
        reader_secret: &[u8; KEY_BYTES],
    ) -> Result<Self> {
        let (ciphertext, nonce) = eak
            .split_once('.')
            .filter(|(_, n)| !n.contains('.'))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    "EAK must have two '.'-separated parts",
                )
            })?;
        let ciphertext = crypto::b64url_decode(ciphertext).map_err(|e| e.context("EAK"))?;
        let nonce = crypto::b64url_decode_array::<NONCE_BYTES>(nonce, "EAK nonce")?;
        let plain = crypto::box_open(&ciphertext, &nonce, authorizer_public, reader_secret)
            .map_err(|_| {
                Error::new(
                    ErrorKind::Crypto,
                    "could not decrypt access key: wrong key or corrupted EAK",
                )
            })?;
        let bytes: [u8; KEY_BYTES] = plain[..].try_into().map_err(|_| {
            Error::new(
                ErrorKind::Crypto,
                "decrypted access key has the wrong length",
            )
        })?;
        Ok(AccessKey::from_bytes(bytes))
    }
}
