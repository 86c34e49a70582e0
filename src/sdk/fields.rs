//! Record field encryption in the four-part `EDK.EDKN.EF.EFN` form, spec §4.3.
//!
//! Each field gets a fresh data key `dk`: `ef = secretbox(plaintext, efN, dk)`,
//! `edk = secretbox(dk, edkN, ak)`, value = `b64url(edk).b64url(edkN).b64url(ef).b64url(efN)`.

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::access_key::AccessKey;
use super::crypto::{self, KEY_BYTES, NONCE_BYTES};
use super::error::{Error, ErrorKind, Result};

/// Encrypts one field value under the access key.
pub fn encrypt_field(ak: &AccessKey, plaintext: &[u8]) -> String {
    // One CSPRNG call for the data key and both nonces: each call is a getrandom(2) syscall.
    let random = zeroize::Zeroizing::new(crypto::random_array::<{ KEY_BYTES + 2 * NONCE_BYTES }>());
    let (dk, nonces) = random.split_at(KEY_BYTES);
    let (ef_nonce, edk_nonce) = nonces.split_at(NONCE_BYTES);
    encrypt_field_with(
        ak,
        dk.try_into().expect("split at KEY_BYTES"),
        ef_nonce.try_into().expect("split at NONCE_BYTES"),
        edk_nonce.try_into().expect("NONCE_BYTES remain"),
        plaintext,
    )
}

/// [`encrypt_field`] with every random input given (test vectors and benchmarks).
pub fn encrypt_field_with(
    ak: &AccessKey,
    dk: &[u8; KEY_BYTES],
    ef_nonce: &[u8; NONCE_BYTES],
    edk_nonce: &[u8; NONCE_BYTES],
    plaintext: &[u8],
) -> String {
    let ef = crypto::secretbox_seal(plaintext, ef_nonce, dk);
    let edk = crypto::secretbox_seal(&dk[..], edk_nonce, ak.bytes());
    // Everything written here is ciphertext or a nonce, so the fast codec is safe to use; the
    // output is built in one allocation because fields can be megabytes.
    let mut out = String::with_capacity(64 + 32 + (ef.len() * 4).div_ceil(3) + 32 + 3);
    crypto::b64url_append_public(&mut out, &edk);
    out.push('.');
    crypto::b64url_append_public(&mut out, edk_nonce);
    out.push('.');
    crypto::b64url_append_public(&mut out, &ef);
    out.push('.');
    crypto::b64url_append_public(&mut out, ef_nonce);
    out
}

/// Decrypts one four-part field value; the plaintext is zeroed when dropped.
pub fn decrypt_field(ak: &AccessKey, value: &str) -> Result<Zeroizing<Vec<u8>>> {
    let parts: Vec<&str> = value.split('.').collect();
    let [edk, edk_nonce, ef, ef_nonce] = parts[..] else {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "encrypted field must have four '.'-separated parts",
        ));
    };
    let edk = crypto::b64url_decode_public(edk)?;
    let edk_nonce = nonce_from(edk_nonce, "field key nonce")?;
    let ef = crypto::b64url_decode_public(ef)?;
    let ef_nonce = nonce_from(ef_nonce, "field nonce")?;
    let dk = crypto::secretbox_open(&edk, &edk_nonce, ak.bytes()).map_err(|_| {
        Error::new(
            ErrorKind::Crypto,
            "could not decrypt field key: wrong access key or corrupted field",
        )
    })?;
    let dk: Zeroizing<[u8; KEY_BYTES]> = Zeroizing::new(
        dk[..]
            .try_into()
            .map_err(|_| Error::new(ErrorKind::Crypto, "field key has the wrong length"))?,
    );
    crypto::secretbox_open(&ef, &ef_nonce, &dk).map_err(|_| {
        Error::new(
            ErrorKind::Crypto,
            "could not decrypt field: corrupted or tampered data",
        )
    })
}

fn nonce_from(text: &str, what: &str) -> Result<[u8; NONCE_BYTES]> {
    crypto::b64url_decode_public(text)?.try_into().map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("{what}: expected {NONCE_BYTES} bytes"),
        )
    })
}

/// Encrypts every value of a record's data object (a JSON object of strings).
pub fn encrypt_data(ak: &AccessKey, data: &Map<String, Value>) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for (name, value) in data {
        let Value::String(text) = value else {
            return Err(Error::new(
                ErrorKind::Json,
                format!("data field '{name}' must be a string"),
            ));
        };
        out.insert(
            name.clone(),
            Value::String(encrypt_field(ak, text.as_bytes())),
        );
    }
    Ok(out)
}

/// Decrypts every value of an encrypted data object. Errors name the field, never its content.
pub fn decrypt_data(ak: &AccessKey, data: &Map<String, Value>) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for (name, value) in data {
        let Value::String(text) = value else {
            return Err(Error::new(
                ErrorKind::Json,
                format!("encrypted field '{name}' must be a string"),
            ));
        };
        let plain = decrypt_field(ak, text).map_err(|e| e.context(&format!("field '{name}'")))?;
        let plain = String::from_utf8(plain.to_vec())
            .map_err(|_| Error::new(ErrorKind::Crypto, format!("field '{name}' is not UTF-8")))?;
        out.insert(name.clone(), Value::String(plain));
    }
    Ok(out)
}
