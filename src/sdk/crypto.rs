//! Every cryptographic primitive toz uses, and the only module that imports sodiumoxide.
//!
//! Keeping libsodium behind this one file means the binding (sodiumoxide is unmaintained) can be
//! swapped later without touching anything else. Everything here works on plain byte arrays so
//! that callers never see a sodiumoxide type. Secret outputs come back in [`Zeroizing`] buffers.

use once_cell::sync::OnceCell;
use sodiumoxide::base64::{self as sodium_base64, Variant};
use sodiumoxide::crypto::{
    aead::xchacha20poly1305_ietf as aead, box_, generichash, pwhash::argon2id13, secretbox,
    secretstream::xchacha20poly1305 as stream, sign,
};
use zeroize::Zeroizing;

use super::error::{Error, ErrorKind, Result};

/// Curve25519 (box) and secretbox key length.
pub const KEY_BYTES: usize = 32;
/// XSalsa20 nonce length used by box and secretbox.
pub const NONCE_BYTES: usize = 24;
/// Ed25519 secret key in libsodium form: 32-byte seed followed by the 32-byte public key.
pub const SIGNING_SECRET_BYTES: usize = 64;
/// Ed25519 detached signature length.
pub const SIGNATURE_BYTES: usize = 64;
/// Argon2id salt length.
pub const PWHASH_SALT_BYTES: usize = argon2id13::SALTBYTES;
/// XChaCha20-Poly1305 (IETF AEAD) nonce length.
pub const AEAD_NONCE_BYTES: usize = aead::NONCEBYTES;
/// secretstream header length.
pub const STREAM_HEADER_BYTES: usize = stream::HEADERBYTES;
/// secretstream per-message overhead (tag byte + MAC).
pub const STREAM_ABYTES: usize = stream::ABYTES;

static SODIUM: OnceCell<()> = OnceCell::new();

/// Initialises libsodium once per process. `sodium_init` is idempotent and thread-safe, so this
/// is called lazily by every function here instead of asking callers to remember an init call.
pub fn init() -> Result<()> {
    SODIUM
        .get_or_try_init(sodiumoxide::init)
        .map(|_| ())
        .map_err(|_| Error::new(ErrorKind::Crypto, "libsodium failed to initialise"))
}

fn ready() {
    // init() can only fail if the OS has no entropy source; every caller that reaches a primitive
    // has already gone through a fallible entry point that reported that error.
    let _ = init();
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// `n` bytes from libsodium's CSPRNG.
pub fn random_bytes(n: usize) -> Vec<u8> {
    ready();
    sodiumoxide::randombytes::randombytes(n)
}

/// A fixed-size array from the CSPRNG.
pub fn random_array<const N: usize>() -> [u8; N] {
    ready();
    let mut out = [0u8; N];
    sodiumoxide::randombytes::randombytes_into(&mut out);
    out
}

/// A random secret key (secretbox / access key / stream key), zeroed on drop.
pub fn random_key() -> Zeroizing<[u8; KEY_BYTES]> {
    Zeroizing::new(random_array())
}

/// A random RFC 4122 version-4 UUID in lower-case hex form.
pub fn random_uuid_v4() -> String {
    let mut b: [u8; 16] = random_array();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_uuid(&b)
}

/// Formats 16 bytes as a hyphenated lower-case UUID.
pub fn format_uuid(b: &[u8; 16]) -> String {
    let h = hex_lower(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Lower-case hex.
pub fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Encoding

/// Unpadded base64url, the form every TozStore SDK emits.
pub fn b64url_encode(bytes: &[u8]) -> String {
    ready();
    sodium_base64::encode(bytes, Variant::UrlSafeNoPadding)
}

/// Decodes base64url; trailing `=` padding is accepted (PY and JS emit or tolerate it).
/// libsodium's decoder is constant-time in the input, which matters for secret keys.
pub fn b64url_decode(text: &str) -> Result<Vec<u8>> {
    ready();
    let trimmed = text.trim_end_matches('=');
    sodium_base64::decode(trimmed, Variant::UrlSafeNoPadding)
        .map_err(|_| Error::new(ErrorKind::InvalidArgument, "invalid base64url encoding"))
}

/// Decodes base64url into exactly `N` bytes; `what` names the value in the error (never the value).
pub fn b64url_decode_array<const N: usize>(text: &str, what: &str) -> Result<Zeroizing<[u8; N]>> {
    let bytes = Zeroizing::new(b64url_decode(text).map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("{what}: invalid base64url"),
        )
    })?);
    if bytes.len() != N {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{what}: expected {N} bytes, got {}", bytes.len()),
        ));
    }
    let mut out = Zeroizing::new([0u8; N]);
    out.copy_from_slice(&bytes);
    Ok(out)
}

/// base64url without padding for bulk, non-secret data (ciphertext), decoding padded or unpadded
/// input. Variable-time and several times faster than libsodium's constant-time codec, which is
/// kept for keys.
const PUBLIC_B64: ::base64::engine::GeneralPurpose = ::base64::engine::GeneralPurpose::new(
    &::base64::alphabet::URL_SAFE,
    ::base64::engine::GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(::base64::engine::DecodePaddingMode::Indifferent),
);

/// Appends the unpadded base64url of non-secret `bytes` (ciphertext) to `out`.
pub fn b64url_append_public(out: &mut String, bytes: &[u8]) {
    ::base64::Engine::encode_string(&PUBLIC_B64, bytes, out);
}

/// Decodes base64url of non-secret data (ciphertext); padding accepted.
pub fn b64url_decode_public(text: &str) -> Result<Vec<u8>> {
    ::base64::Engine::decode(&PUBLIC_B64, text)
        .map_err(|_| Error::new(ErrorKind::InvalidArgument, "invalid base64url encoding"))
}

/// Standard padded base64 (HTTP Basic credentials, file checksums).
pub fn b64std_encode(bytes: &[u8]) -> String {
    ready();
    sodium_base64::encode(bytes, Variant::Original)
}

/// Decodes standard padded base64.
pub fn b64std_decode(text: &str) -> Result<Vec<u8>> {
    ready();
    sodium_base64::decode(text, Variant::Original)
        .map_err(|_| Error::new(ErrorKind::InvalidArgument, "invalid base64 encoding"))
}

// ---------------------------------------------------------------------------------------------
// Comparison and wiping

/// Constant-time equality (`sodium_memcmp`); unequal lengths compare unequal.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    ready();
    a.len() == b.len() && sodiumoxide::utils::memcmp(a, b)
}

// ---------------------------------------------------------------------------------------------
// Hashing

/// BLAKE2b with a 32-byte output over the concatenation of `parts`.
pub fn blake2b_256(parts: &[&[u8]]) -> [u8; 32] {
    ready();
    let mut state = generichash::State::new(Some(32), None).expect("32 is a valid BLAKE2b length");
    for part in parts {
        state.update(part).expect("BLAKE2b update cannot fail");
    }
    let digest = state.finalize().expect("BLAKE2b finalize cannot fail");
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

// ---------------------------------------------------------------------------------------------
// Curve25519 box (crypto_box_easy)

/// A fresh Curve25519 key pair: (public, secret).
pub fn box_keypair() -> ([u8; KEY_BYTES], Zeroizing<[u8; KEY_BYTES]>) {
    ready();
    let (pk, sk) = box_::gen_keypair();
    let mut secret = Zeroizing::new([0u8; KEY_BYTES]);
    secret.copy_from_slice(&sk.0);
    (pk.0, secret)
}

/// The Curve25519 public key of a secret key (X25519 base-point multiplication).
pub fn box_public_key(secret: &[u8; KEY_BYTES]) -> [u8; KEY_BYTES] {
    ready();
    box_::SecretKey(*secret).public_key().0
}

/// `crypto_box_easy`: MAC ‖ ciphertext of `message` from `sender_secret` to `recipient_public`.
pub fn box_seal(
    message: &[u8],
    nonce: &[u8; NONCE_BYTES],
    recipient_public: &[u8; KEY_BYTES],
    sender_secret: &[u8; KEY_BYTES],
) -> Vec<u8> {
    ready();
    box_::seal(
        message,
        &box_::Nonce(*nonce),
        &box_::PublicKey(*recipient_public),
        &box_::SecretKey(*sender_secret),
    )
}

/// `crypto_box_open_easy`; fails with [`ErrorKind::Crypto`] on a wrong key or tampering.
pub fn box_open(
    ciphertext: &[u8],
    nonce: &[u8; NONCE_BYTES],
    sender_public: &[u8; KEY_BYTES],
    recipient_secret: &[u8; KEY_BYTES],
) -> Result<Zeroizing<Vec<u8>>> {
    ready();
    box_::open(
        ciphertext,
        &box_::Nonce(*nonce),
        &box_::PublicKey(*sender_public),
        &box_::SecretKey(*recipient_secret),
    )
    .map(Zeroizing::new)
    .map_err(|_| {
        Error::new(
            ErrorKind::Crypto,
            "could not decrypt: wrong key or corrupted data",
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Secretbox (crypto_secretbox_easy, XSalsa20-Poly1305)

/// MAC ‖ ciphertext of `message` under `key`.
pub fn secretbox_seal(message: &[u8], nonce: &[u8; NONCE_BYTES], key: &[u8; KEY_BYTES]) -> Vec<u8> {
    ready();
    secretbox::seal(message, &secretbox::Nonce(*nonce), &secretbox::Key(*key))
}

/// Opens a secretbox; fails with [`ErrorKind::Crypto`] on a wrong key or tampering.
pub fn secretbox_open(
    ciphertext: &[u8],
    nonce: &[u8; NONCE_BYTES],
    key: &[u8; KEY_BYTES],
) -> Result<Zeroizing<Vec<u8>>> {
    ready();
    secretbox::open(ciphertext, &secretbox::Nonce(*nonce), &secretbox::Key(*key))
        .map(Zeroizing::new)
        .map_err(|_| {
            Error::new(
                ErrorKind::Crypto,
                "could not decrypt: wrong key or corrupted data",
            )
        })
}

// ---------------------------------------------------------------------------------------------
// Ed25519

/// A fresh Ed25519 key pair: (public, secret in libsodium's 64-byte form).
pub fn sign_keypair() -> ([u8; KEY_BYTES], Zeroizing<[u8; SIGNING_SECRET_BYTES]>) {
    ready();
    let (pk, sk) = sign::gen_keypair();
    let mut secret = Zeroizing::new([0u8; SIGNING_SECRET_BYTES]);
    secret.copy_from_slice(&sk.0);
    (pk.0, secret)
}

/// Detached Ed25519 signature of `message`.
pub fn sign_detached(message: &[u8], secret: &[u8; SIGNING_SECRET_BYTES]) -> [u8; SIGNATURE_BYTES] {
    ready();
    sign::sign_detached(message, &sign::SecretKey(*secret)).to_bytes()
}

/// Verifies a detached Ed25519 signature.
pub fn verify_detached(signature: &[u8], message: &[u8], public: &[u8; KEY_BYTES]) -> bool {
    ready();
    let Ok(sig) = sign::Signature::from_bytes(signature) else {
        return false;
    };
    sign::verify_detached(&sig, message, &sign::PublicKey(*public))
}

// ---------------------------------------------------------------------------------------------
// Argon2id and AEAD (sealed credentials)

/// Argon2id (`crypto_pwhash`, ALG_ARGON2ID13) stretching of a passphrase into a 32-byte key.
pub fn argon2id_key(
    passphrase: &[u8],
    salt: &[u8; PWHASH_SALT_BYTES],
    opslimit: u64,
    memlimit: u64,
) -> Result<Zeroizing<[u8; KEY_BYTES]>> {
    ready();
    let mut key = Zeroizing::new([0u8; KEY_BYTES]);
    argon2id13::derive_key(
        &mut key[..],
        passphrase,
        &argon2id13::Salt(*salt),
        argon2id13::OpsLimit(opslimit as usize),
        argon2id13::MemLimit(memlimit as usize),
    )
    .map_err(|_| {
        Error::new(
            ErrorKind::Crypto,
            "Argon2id key derivation failed (limits out of range?)",
        )
    })?;
    Ok(key)
}

/// libsodium's interactive Argon2id limits (ops, bytes).
pub fn argon2id_interactive_limits() -> (u64, u64) {
    (
        argon2id13::OPSLIMIT_INTERACTIVE.0 as u64,
        argon2id13::MEMLIMIT_INTERACTIVE.0 as u64,
    )
}

/// XChaCha20-Poly1305-IETF encryption with associated data.
pub fn aead_seal(
    message: &[u8],
    associated: &[u8],
    nonce: &[u8; AEAD_NONCE_BYTES],
    key: &[u8; KEY_BYTES],
) -> Vec<u8> {
    ready();
    aead::seal(
        message,
        Some(associated),
        &aead::Nonce(*nonce),
        &aead::Key(*key),
    )
}

/// XChaCha20-Poly1305-IETF decryption; [`ErrorKind::Crypto`] when the key or data is wrong.
pub fn aead_open(
    ciphertext: &[u8],
    associated: &[u8],
    nonce: &[u8; AEAD_NONCE_BYTES],
    key: &[u8; KEY_BYTES],
) -> Result<Zeroizing<Vec<u8>>> {
    ready();
    aead::open(
        ciphertext,
        Some(associated),
        &aead::Nonce(*nonce),
        &aead::Key(*key),
    )
    .map(Zeroizing::new)
    .map_err(|_| {
        Error::new(
            ErrorKind::Crypto,
            "could not decrypt: wrong key or corrupted data",
        )
    })
}

// ---------------------------------------------------------------------------------------------
// secretstream (large files, §8.2)

/// Encrypting side of `crypto_secretstream_xchacha20poly1305`.
pub struct StreamEncryptor(stream::Stream<stream::Push>);

/// Decrypting side of `crypto_secretstream_xchacha20poly1305`.
pub struct StreamDecryptor(stream::Stream<stream::Pull>);

impl StreamEncryptor {
    /// Starts a stream; returns the encryptor and the 24-byte header to write first.
    pub fn new(key: &[u8; KEY_BYTES]) -> Result<(Self, [u8; STREAM_HEADER_BYTES])> {
        init()?;
        let (s, header) = stream::Stream::init_push(&stream::Key(*key))
            .map_err(|_| Error::new(ErrorKind::Crypto, "secretstream init failed"))?;
        Ok((StreamEncryptor(s), header.0))
    }

    /// Encrypts one block, appending ciphertext to `out`; `last` tags it FINAL.
    pub fn push(&mut self, block: &[u8], last: bool, out: &mut Vec<u8>) -> Result<()> {
        let tag = if last {
            stream::Tag::Final
        } else {
            stream::Tag::Message
        };
        self.0
            .push_to_vec(block, None, tag, out)
            .map_err(|_| Error::new(ErrorKind::Crypto, "secretstream push failed"))
    }
}

impl StreamDecryptor {
    /// Starts decrypting a stream from its header.
    pub fn new(header: &[u8; STREAM_HEADER_BYTES], key: &[u8; KEY_BYTES]) -> Result<Self> {
        init()?;
        stream::Stream::init_pull(&stream::Header(*header), &stream::Key(*key))
            .map(StreamDecryptor)
            .map_err(|_| Error::new(ErrorKind::Crypto, "invalid secretstream header"))
    }

    /// Decrypts one block into `out`; returns true when it carried the FINAL tag.
    pub fn pull(&mut self, block: &[u8], out: &mut Vec<u8>) -> Result<bool> {
        let tag = self
            .0
            .pull_to_vec(block, None, out)
            .map_err(|_| Error::new(ErrorKind::Crypto, "file is corrupted or was tampered with"))?;
        Ok(tag == stream::Tag::Final)
    }
}

// ---------------------------------------------------------------------------------------------
// MD5 (file checksums only: TozStore's Content-MD5 integrity check, spec §8.2; never security)

/// Incremental MD5 of uploaded bytes, as the file upload protocol requires.
#[derive(Default)]
pub struct Md5(md5::Md5);

impl Md5 {
    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        md5::Digest::update(&mut self.0, bytes);
    }

    /// The digest, as standard padded base64 (the `checksum` / `Content-MD5` form).
    pub fn finish_base64(self) -> String {
        b64std_encode(&md5::Digest::finalize(self.0))
    }
}
