//! Server-issued secrets (API secrets, registration tokens, OAuth and account session tokens, the
//! secrets in file upload and download URLs, the one-time codes of notes' access policies).
//!
//! Each is 32 bytes from libsodium's CSPRNG, shown to its owner once as 64 lower-case hex chars
//! (the form Tozny's service used, spec §1.1), and stored only as a domain-separated BLAKE2b-256
//! hash. The secrets have 256 bits of entropy, so a fast hash is enough: there is nothing to
//! brute-force, and a stolen database yields no usable credential.

use toz::sdk::crypto;

/// What a secret is for; part of the hash input so one kind can never stand in for another.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A client's OAuth `api_secret`.
    ApiSecret,
    /// A registration token.
    RegistrationToken,
    /// An OAuth access token.
    AccessToken,
    /// An account session token.
    AccountSession,
    /// The secret in a file upload URL.
    UploadUrl,
    /// The secret in a file download URL.
    DownloadUrl,
    /// A one-time code that opens a note's access control policy (crate::eacp).
    NoteCode,
}

impl Kind {
    fn domain(self) -> &'static [u8] {
        match self {
            Kind::ApiSecret => b"toz-server/api-secret/v1\0",
            Kind::RegistrationToken => b"toz-server/registration-token/v1\0",
            Kind::AccessToken => b"toz-server/access-token/v1\0",
            Kind::AccountSession => b"toz-server/account-session/v1\0",
            Kind::UploadUrl => b"toz-server/upload-url/v1\0",
            Kind::DownloadUrl => b"toz-server/download-url/v1\0",
            Kind::NoteCode => b"toz-server/note-code/v1\0",
        }
    }
}

/// A fresh secret in its wire form.
pub fn generate() -> String {
    crypto::hex_lower(&crypto::random_array::<32>())
}

/// A fresh opaque identifier (api_key_id): random, but not secret.
pub fn generate_id() -> String {
    crypto::hex_lower(&crypto::random_array::<32>())
}

/// The stored form of a secret.
pub fn hash(kind: Kind, secret: &str) -> String {
    crypto::hex_lower(&crypto::blake2b_256(&[kind.domain(), secret.as_bytes()]))
}

/// Constant-time check of a presented secret against its stored hash.
pub fn verify(kind: Kind, presented: &str, stored_hash: &str) -> bool {
    crypto::constant_time_eq(hash(kind, presented).as_bytes(), stored_hash.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_domain_separated_and_verify() {
        let s = generate();
        assert_eq!(s.len(), 64);
        let h = hash(Kind::ApiSecret, &s);
        assert!(verify(Kind::ApiSecret, &s, &h));
        assert!(!verify(Kind::AccessToken, &s, &h));
        assert!(!verify(Kind::ApiSecret, &generate(), &h));
        assert_ne!(h, s);
    }
}
