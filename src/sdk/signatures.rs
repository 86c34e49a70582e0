//! Signature formats other than TSV1: note field signatures ("TFSP1;ED25519;BLAKE2B", spec §9.3)
//! and signed documents (`{"doc":…,"sig":…}`, spec §9.2).

use serde_json::Value;

use super::crypto;
use super::error::{Error, ErrorKind, Result};

/// UUIDv5 of "TFSP1;ED25519;BLAKE2B": the version prefix of a signed field.
pub const FIELD_SIGNATURE_VERSION: &str = "e7737e7c-1637-511e-8bab-93c4f3e26fd9";

/// `version;salt;len;signature<plaintext>` where the signature is Ed25519 over the ASCII
/// base64url text of BLAKE2b-256(salt ‖ name ‖ plaintext).
pub fn sign_field(name: &str, plaintext: &str, signing_secret: &[u8; 64], salt: &str) -> String {
    let digest = crypto::blake2b_256(&[salt.as_bytes(), name.as_bytes(), plaintext.as_bytes()]);
    let signature =
        crypto::sign_detached(crypto::b64url_encode(&digest).as_bytes(), signing_secret);
    let signature = crypto::b64url_encode(&signature);
    format!(
        "{FIELD_SIGNATURE_VERSION};{salt};{};{signature}{plaintext}",
        signature.len()
    )
}

/// Verifies a signed field and returns (salt, plaintext). With `expected_salt`, the field must
/// have been signed under that salt (a note's object salt), so fields cannot be moved between
/// notes. The plaintext may itself contain `;`.
pub fn verify_field<'a>(
    name: &str,
    signed: &'a str,
    signer_public: &[u8; 32],
    expected_salt: Option<&str>,
) -> Result<(&'a str, &'a str)> {
    let bad = || {
        Error::new(
            ErrorKind::Signature,
            format!("field '{name}' is not a valid signed field"),
        )
    };
    let mut parts = signed.splitn(4, ';');
    let (Some(version), Some(salt), Some(len), Some(rest)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if version != FIELD_SIGNATURE_VERSION {
        return Err(bad());
    }
    let len: usize = len.parse().map_err(|_| bad())?;
    if rest.len() < len || !rest.is_char_boundary(len) {
        return Err(bad());
    }
    let (signature, plaintext) = rest.split_at(len);
    let signature = crypto::b64url_decode(signature).map_err(|_| bad())?;
    let digest = crypto::blake2b_256(&[salt.as_bytes(), name.as_bytes(), plaintext.as_bytes()]);
    if !crypto::verify_detached(
        &signature,
        crypto::b64url_encode(&digest).as_bytes(),
        signer_public,
    ) {
        return Err(Error::new(
            ErrorKind::Signature,
            format!("signature of field '{name}' does not verify"),
        ));
    }
    if let Some(expected) = expected_salt {
        if expected != salt {
            return Err(Error::new(
                ErrorKind::Signature,
                format!("field '{name}' was signed for another object"),
            ));
        }
    }
    Ok((salt, plaintext))
}

/// JSON with object keys sorted recursively and no whitespace: the text JV/SW sign and JS's
/// `sortObject` + `JSON.stringify` produce. Written out by hand so that it stays sorted even if
/// a dependency turns on serde_json's `preserve_order`.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push(':');
                write_canonical(&map[key.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Verifies a signed document `{"doc":…,"sig":…}` against `signer_public`.
pub fn verify_signed_document(document: &Value, signer_public: &[u8; 32]) -> Result<()> {
    let doc = document
        .get("doc")
        .ok_or_else(|| Error::new(ErrorKind::Json, "signed document has no 'doc'"))?;
    let sig = document
        .get("sig")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::new(ErrorKind::Json, "signed document has no string 'sig'"))?;
    let sig = crypto::b64url_decode(sig)?;
    if crypto::verify_detached(&sig, canonical_json(doc).as_bytes(), signer_public) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Signature,
            "document signature does not verify",
        ))
    }
}
