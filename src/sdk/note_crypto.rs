//! Note encryption and verification, spec §8.1 and §9.3 (the HTTP side is in the client).
//!
//! A note carries its own AK boxed from the writer to the recipient, a `signature` field whose
//! plaintext is the note's random object salt, and data fields that are each signed under that
//! salt and then encrypted in the record field format.

use serde_json::{Map, Value};

use super::access_key::AccessKey;
use super::crypto;
use super::error::{Error, ErrorKind, Result};
use super::fields;
use super::signatures;

/// What a writer needs to produce a note's cryptographic fields.
pub struct NoteKeys<'a> {
    /// Recipient's Curve25519 public key.
    pub recipient_public: &'a [u8; 32],
    /// Writer's Curve25519 secret key.
    pub writer_secret: &'a [u8; 32],
    /// Writer's Ed25519 secret key.
    pub writer_signing_secret: &'a [u8; 64],
}

/// The encrypted parts of a note.
pub struct EncryptedNoteParts {
    /// EAK of the note's AK, boxed to the recipient.
    pub encrypted_access_key: String,
    /// Signed-then-encrypted data fields.
    pub data: Map<String, Value>,
    /// The signed object salt.
    pub signature: String,
}

/// Encrypts and signs a note's data (a JSON object of strings).
pub fn encrypt_note(data: &Map<String, Value>, keys: &NoteKeys<'_>) -> Result<EncryptedNoteParts> {
    let ak = AccessKey::generate()?;
    let salt = crypto::random_uuid_v4();
    let signature = signatures::sign_field(
        "signature",
        &salt,
        keys.writer_signing_secret,
        &crypto::random_uuid_v4(),
    );
    let mut encrypted = Map::new();
    for (name, value) in data {
        let Value::String(text) = value else {
            return Err(Error::new(
                ErrorKind::Json,
                format!("note field '{name}' must be a string"),
            ));
        };
        let signed = signatures::sign_field(name, text, keys.writer_signing_secret, &salt);
        encrypted.insert(
            name.clone(),
            Value::String(fields::encrypt_field(&ak, signed.as_bytes())),
        );
    }
    Ok(EncryptedNoteParts {
        encrypted_access_key: ak.encrypt_for(keys.recipient_public, keys.writer_secret),
        data: encrypted,
        signature,
    })
}

fn str_field<'a>(note: &'a Value, name: &str) -> Result<&'a str> {
    note.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::new(ErrorKind::Json, format!("note has no string '{name}'")))
}

/// Decrypts a note JSON object (as the server returns it) with the recipient's secret key and
/// verifies every signature with the note's `writer_signing_key`. Returns the plaintext data.
pub fn decrypt_note(note: &Value, recipient_secret: &[u8; 32]) -> Result<Map<String, Value>> {
    let writer_public = crypto::b64url_decode_array::<32>(
        str_field(note, "writer_encryption_key")?,
        "writer_encryption_key",
    )?;
    let writer_signing = crypto::b64url_decode_array::<32>(
        str_field(note, "writer_signing_key")?,
        "writer_signing_key",
    )?;
    let ak = AccessKey::decrypt_eak(
        str_field(note, "encrypted_access_key")?,
        &writer_public,
        recipient_secret,
    )?;
    let (_, salt) = signatures::verify_field(
        "signature",
        str_field(note, "signature")?,
        &writer_signing,
        None,
    )?;
    let data = note
        .get("data")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::new(ErrorKind::Json, "note has no 'data' object"))?;
    let mut out = Map::new();
    for (name, value) in data {
        let text = value.as_str().ok_or_else(|| {
            Error::new(
                ErrorKind::Json,
                format!("note field '{name}' must be a string"),
            )
        })?;
        let signed = fields::decrypt_field(&ak, text)
            .map_err(|e| e.context(&format!("note field '{name}'")))?;
        let signed = std::str::from_utf8(&signed).map_err(|_| {
            Error::new(
                ErrorKind::Crypto,
                format!("note field '{name}' is not UTF-8"),
            )
        })?;
        let (_, plaintext) = signatures::verify_field(name, signed, &writer_signing, Some(salt))?;
        out.insert(name.clone(), Value::String(plaintext.to_string()));
    }
    Ok(out)
}
