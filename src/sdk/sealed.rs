//! Sealed credentials: credentials encrypted under a passphrase (no Tozny SDK has this).
//!
//! Format version 1 (docs/sealed-credentials.md), a JSON object:
//! ```json
//! {"toz_sealed":1,
//!  "kdf":{"alg":"argon2id13","opslimit":2,"memlimit":67108864,"salt":"<b64url 16>"},
//!  "aead":"xchacha20poly1305-ietf","nonce":"<b64url 24>","ciphertext":"<b64url>"}
//! ```
//! key = Argon2id(passphrase, salt, opslimit, memlimit) (32 bytes); ciphertext =
//! XChaCha20-Poly1305(e3db.json text) with the canonical header (everything but the ciphertext,
//! serialised as below) as associated data, so the stored KDF parameters cannot be altered
//! without detection.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::credentials::Credentials;
use super::crypto;
use super::error::{Error, ErrorKind, Result};

/// Current sealed-format version.
pub const FORMAT_VERSION: u32 = 1;
const KDF_ALG: &str = "argon2id13";
const AEAD_ALG: &str = "xchacha20poly1305-ietf";
/// The smallest work factors accepted when sealing (libsodium's Argon2id minimums are lower; a
/// sealed file is an offline target, so toz refuses to make it cheaper than this).
pub const MIN_OPSLIMIT: u64 = 1;
/// 8 MiB.
pub const MIN_MEMLIMIT: u64 = 8 * 1024 * 1024;
/// Upper bounds accepted when unsealing, so a hostile file cannot make us allocate without end.
pub const MAX_OPSLIMIT: u64 = 32;
/// 2 GiB.
pub const MAX_MEMLIMIT: u64 = 2 * 1024 * 1024 * 1024;

/// Argon2id work factors for sealing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SealOptions {
    /// Argon2id passes.
    pub opslimit: u64,
    /// Argon2id memory in bytes.
    pub memlimit: u64,
}

impl Default for SealOptions {
    /// libsodium's "interactive" limits (2 passes, 64 MiB).
    fn default() -> Self {
        let (opslimit, memlimit) = crypto::argon2id_interactive_limits();
        SealOptions { opslimit, memlimit }
    }
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    alg: String,
    opslimit: u64,
    memlimit: u64,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct Header {
    toz_sealed: u32,
    kdf: Kdf,
    aead: String,
    nonce: String,
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    #[serde(flatten)]
    header: Header,
    ciphertext: String,
}

fn associated_data(header: &Header) -> Vec<u8> {
    serde_json::to_vec(header).expect("header always serialises")
}

/// Encrypts `credentials` under `passphrase`; returns the sealed JSON text.
pub fn seal(credentials: &Credentials, passphrase: &str, options: SealOptions) -> Result<String> {
    if passphrase.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "passphrase must not be empty",
        ));
    }
    if options.opslimit < MIN_OPSLIMIT || options.memlimit < MIN_MEMLIMIT {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "seal options below the minimum (opslimit >= {MIN_OPSLIMIT}, memlimit >= {MIN_MEMLIMIT})"
            ),
        ));
    }
    if options.opslimit > MAX_OPSLIMIT || options.memlimit > MAX_MEMLIMIT {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "seal options above the maximum this library opens",
        ));
    }
    crypto::init()?;
    let salt: [u8; crypto::PWHASH_SALT_BYTES] = crypto::random_array();
    let nonce: [u8; crypto::AEAD_NONCE_BYTES] = crypto::random_array();
    let key = crypto::argon2id_key(
        passphrase.as_bytes(),
        &salt,
        options.opslimit,
        options.memlimit,
    )?;
    let header = Header {
        toz_sealed: FORMAT_VERSION,
        kdf: Kdf {
            alg: KDF_ALG.into(),
            opslimit: options.opslimit,
            memlimit: options.memlimit,
            salt: crypto::b64url_encode(&salt),
        },
        aead: AEAD_ALG.into(),
        nonce: crypto::b64url_encode(&nonce),
    };
    let plaintext = credentials.to_json();
    let ciphertext = crypto::aead_seal(
        plaintext.as_bytes(),
        &associated_data(&header),
        &nonce,
        &key,
    );
    let sealed = Sealed {
        header,
        ciphertext: crypto::b64url_encode(&ciphertext),
    };
    Ok(serde_json::to_string(&sealed)?)
}

/// Opens sealed credentials. A wrong passphrase (or any tampering) is
/// [`ErrorKind::WrongPassphrase`]; an unknown format or malformed text is `Json`/`InvalidArgument`.
pub fn unseal(sealed_text: &str, passphrase: &str) -> Result<Credentials> {
    let sealed: Sealed = super::json::from_object(sealed_text, "sealed credentials")?;
    let header = &sealed.header;
    if header.toz_sealed != FORMAT_VERSION {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "unsupported sealed-credentials version {}",
                header.toz_sealed
            ),
        ));
    }
    if header.kdf.alg != KDF_ALG || header.aead != AEAD_ALG {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "unsupported sealed-credentials algorithm",
        ));
    }
    if header.kdf.opslimit > MAX_OPSLIMIT || header.kdf.memlimit > MAX_MEMLIMIT {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "sealed-credentials work factors are out of range",
        ));
    }
    let salt =
        crypto::b64url_decode_array::<{ crypto::PWHASH_SALT_BYTES }>(&header.kdf.salt, "salt")?;
    let nonce =
        crypto::b64url_decode_array::<{ crypto::AEAD_NONCE_BYTES }>(&header.nonce, "nonce")?;
    let ciphertext = crypto::b64url_decode(&sealed.ciphertext)?;
    let key = crypto::argon2id_key(
        passphrase.as_bytes(),
        &salt,
        header.kdf.opslimit,
        header.kdf.memlimit,
    )?;
    let plaintext = crypto::aead_open(&ciphertext, &associated_data(header), &nonce, &key)
        .map_err(|_| {
            Error::new(
                ErrorKind::WrongPassphrase,
                "wrong passphrase, or the sealed data was altered",
            )
        })?;
    let text = Zeroizing::new(
        String::from_utf8(plaintext.to_vec())
            .map_err(|_| Error::new(ErrorKind::Json, "sealed payload is not UTF-8"))?,
    );
    Credentials::from_json(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> SealOptions {
        SealOptions {
            opslimit: 1,
            memlimit: MIN_MEMLIMIT,
        }
    }

    #[test]
    fn seal_round_trip() {
        let c = Credentials::generate("http://127.0.0.1:8000").unwrap();
        let sealed = seal(&c, "correct horse", fast()).unwrap();
        assert!(!sealed.contains(&c.private_key));
        assert_eq!(unseal(&sealed, "correct horse").unwrap(), c);
    }

    #[test]
    fn wrong_passphrase_is_its_own_kind() {
        let c = Credentials::generate("").unwrap();
        let sealed = seal(&c, "right", fast()).unwrap();
        assert_eq!(
            unseal(&sealed, "wrong").unwrap_err().kind(),
            ErrorKind::WrongPassphrase
        );
    }

    #[test]
    fn tampered_parameters_are_detected() {
        let c = Credentials::generate("").unwrap();
        let sealed = seal(&c, "pw", fast()).unwrap();
        let tampered = sealed.replace("\"opslimit\":1", "\"opslimit\":2");
        assert_ne!(tampered, sealed);
        assert_eq!(
            unseal(&tampered, "pw").unwrap_err().kind(),
            ErrorKind::WrongPassphrase
        );
    }

    #[test]
    fn refuses_weak_and_hostile_parameters() {
        let c = Credentials::generate("").unwrap();
        assert!(
            seal(
                &c,
                "pw",
                SealOptions {
                    opslimit: 1,
                    memlimit: 1024
                }
            )
            .is_err()
        );
        assert!(seal(&c, "", fast()).is_err());
        let sealed = seal(&c, "pw", fast())
            .unwrap()
            .replace("\"opslimit\":1", "\"opslimit\":1000");
        assert_eq!(
            unseal(&sealed, "pw").unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(unseal("{}", "pw").unwrap_err().kind(), ErrorKind::Json);
    }
}
