//! Notes (spec §8.1): self-contained encrypted messages to one recipient identified only by its
//! keys, signed field by field (§9.3), over TSV1-authenticated `/v2/storage/notes`.
//!
//! Registered clients write notes under their client id (names, view limits and expiry are
//! honoured); an anonymous client (unregistered, throwaway keys) writes with an empty `uid:`.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

use super::client::{Auth, Client};
use super::error::{Error, ErrorKind, Result};
use super::http::{Method, Request, encode_segment};
use super::json::string_map;
use super::note_crypto::{self, NoteKeys};
use super::tsv1::query_escape;
use super::wire;

/// Who a note is for: the recipient's public keys (b64url).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteRecipient {
    /// Curve25519 public key.
    pub public_key: String,
    /// Ed25519 public key; only the holder of its secret key may read the note.
    pub public_signing_key: String,
}

/// Options of a new note (every key optional).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoteOptions {
    /// A globally unique name to read the note by (registered writers only).
    pub id_string: Option<String>,
    /// How many reads are allowed; absent or -1 = unlimited.
    pub max_views: Option<i64>,
    /// RFC 3339 time after which the note is gone.
    pub expiration: Option<String>,
    /// Free-form type.
    pub r#type: Option<String>,
    /// Plaintext metadata.
    pub plain: wire::StringMap,
    /// Extended access control policies (spec §8.1), sent as given, e.g.
    /// `{"tozny_otp_eacp":{"include":true}}` or `{"email_eacp":{"email_address":"…"}}`.
    pub eacp: Option<Map<String, Value>>,
}

/// Which note to read, and the one-time codes its access control policies ask for.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoteReadRequest {
    /// The note's id; exactly one of `note_id` and `id_string`.
    pub note_id: Option<String>,
    /// The note's name.
    pub id_string: Option<String>,
    /// The code the writer got from [`Client::prime_note`] (`tozny_otp_eacp`).
    pub tozny_otp: Option<String>,
    /// The code mailed by [`Client::challenge_note`] (`email_eacp`).
    pub email_otp: Option<String>,
    /// A TozID login token, sent as `X-TOZID-LOGIN-TOKEN` (`tozid_eacp`, Tozny's service only).
    pub tozid_login_token: Option<String>,
}

/// Which note to challenge, with the challenge's options.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoteChallengeRequest {
    /// The note's id; exactly one of `note_id` and `id_string`.
    pub note_id: Option<String>,
    /// The note's name.
    pub id_string: Option<String>,
    /// Template of the mail (the server's choice when absent).
    pub template_name: Option<String>,
    /// How long the mailed code works, in minutes (the note's or the server's default when
    /// absent).
    pub expiry_minutes: Option<i64>,
}

/// `note_id=…` or `id_string=…`, for a query string.
fn note_selector(note_id: Option<&str>, id_string: Option<&str>) -> Result<String> {
    match (note_id, id_string) {
        (Some(id), None) if !id.is_empty() => Ok(format!("note_id={}", query_escape(id))),
        (None, Some(name)) if !name.is_empty() => Ok(format!("id_string={}", query_escape(name))),
        _ => Err(Error::new(
            ErrorKind::InvalidArgument,
            "name the note by exactly one of note_id and id_string",
        )),
    }
}

impl Client {
    fn note_body(
        &self,
        data: &Map<String, Value>,
        recipient: &NoteRecipient,
        options: &NoteOptions,
    ) -> Result<wire::Note> {
        let recipient_public = super::crypto::b64url_decode_array::<32>(
            &recipient.public_key,
            "recipient public_key",
        )?;
        super::crypto::b64url_decode_array::<32>(
            &recipient.public_signing_key,
            "recipient public_signing_key",
        )?;
        let parts = note_crypto::encrypt_note(
            data,
            &NoteKeys {
                recipient_public: &recipient_public,
                writer_secret: &*self.credentials.box_secret()?,
                writer_signing_secret: &*self.credentials.signing_secret()?,
            },
        )?;
        let expires = options.expiration.is_some();
        Ok(wire::Note {
            note_id: None,
            id_string: options.id_string.clone().unwrap_or_default(),
            client_id: (!self.is_anonymous()).then(|| self.client_id().to_string()),
            mode: "Sodium".into(),
            recipient_signing_key: recipient.public_signing_key.clone(),
            writer_signing_key: self.credentials.public_signing_key.clone(),
            writer_encryption_key: self.credentials.public_key.clone(),
            encrypted_access_key: parts.encrypted_access_key,
            r#type: options.r#type.clone().unwrap_or_default(),
            data: string_map(&parts.data, "note data")?,
            plain: options.plain.clone(),
            file_meta: None,
            signature: parts.signature,
            max_views: options.max_views.unwrap_or(-1),
            views: 0,
            expiration: options.expiration.clone(),
            expires,
            eacp: options.eacp.clone().map(Value::Object),
            created_at: None,
        })
    }

    /// Encrypts `data` (an object of strings) to the recipient, signs every field with this
    /// client's signing key, and stores the note. Returns the stored note (data encrypted).
    /// **Errors**: `Conflict` when `id_string` is already taken.
    pub fn write_note(
        &self,
        data: &Map<String, Value>,
        recipient: &NoteRecipient,
        options: &NoteOptions,
    ) -> Result<wire::Note> {
        let body = self.note_body(data, recipient, options)?;
        self.send(
            Request::new(Method::Post, "/v2/storage/notes").json(&body)?,
            Auth::Tsv1,
        )?
        .json()
    }

    /// Replaces this writer's note named `options.id_string` (or creates it) atomically.
    pub fn replace_note(
        &self,
        data: &Map<String, Value>,
        recipient: &NoteRecipient,
        options: &NoteOptions,
    ) -> Result<wire::Note> {
        if options.id_string.as_deref().unwrap_or("").is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "replacing a note needs options.id_string",
            ));
        }
        let body = self.note_body(data, recipient, options)?;
        self.send(
            Request::new(Method::Put, "/v2/storage/notes").json(&body)?,
            Auth::Tsv1,
        )?
        .json()
    }

    /// Reads a note and replaces its `data` with the decrypted, verified plaintext.
    fn read_note_by(&self, key: &str, value: &str) -> Result<wire::Note> {
        let query = format!("{key}={}", query_escape(value));
        self.read_note_query(&query, Vec::new())
    }

    fn read_note_query(
        &self,
        query: &str,
        headers: Vec<(&'static str, String)>,
    ) -> Result<wire::Note> {
        let mut request = Request::new(Method::Get, "/v2/storage/notes");
        request.query = query;
        request.headers = headers;
        let mut note: wire::Note = self.send(request, Auth::Tsv1)?.json()?;
        let as_json = serde_json::to_value(&note)?;
        let data = note_crypto::decrypt_note(&as_json, &*self.credentials.box_secret()?)?;
        note.data = string_map(&data, "note data")?;
        Ok(note)
    }

    /// Reads, decrypts and verifies a note addressed to this client's keys; the returned note's
    /// `data` is plaintext. Each read counts
    /// against the note's view limit. **Errors**: `NotFound` (also once views or time ran out),
    /// `Signature` when a signature does not verify.
    pub fn read_note(&self, note_id: &str) -> Result<wire::Note> {
        self.read_note_by("note_id", note_id)
    }

    /// Reads a note by its name (`id_string`).
    pub fn read_note_by_name(&self, id_string: &str) -> Result<wire::Note> {
        self.read_note_by("id_string", id_string)
    }

    /// Reads a note gated by access control policies, presenting the codes in `request`
    /// (each works once). Otherwise as [`Client::read_note`]. **Errors**: `Forbidden` when a
    /// code the note needs is missing, wrong, expired or used.
    pub fn read_note_with(&self, request: &NoteReadRequest) -> Result<wire::Note> {
        let mut query = note_selector(request.note_id.as_deref(), request.id_string.as_deref())?;
        for (name, code) in [
            ("tozny_otp", &request.tozny_otp),
            ("email_otp", &request.email_otp),
        ] {
            if let Some(code) = code {
                query.push_str(&format!("&{name}={}", query_escape(code)));
            }
        }
        let headers = request
            .tozid_login_token
            .iter()
            .map(|t| ("X-TOZID-LOGIN-TOKEN", t.clone()))
            .collect();
        self.read_note_query(&query, headers)
    }

    /// For the writer of a note with `tozny_otp_eacp`: a new one-time password for its reader
    /// (the previous one stops working), valid for `expiry_minutes` (0 = the server's default).
    pub fn prime_note(&self, note_id: &str, expiry_minutes: i64) -> Result<Zeroizing<String>> {
        #[derive(Deserialize)]
        struct Primed {
            otp: Otp,
        }
        #[derive(Deserialize)]
        struct Otp {
            password: String,
        }
        if expiry_minutes < 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "expiry_minutes must not be negative",
            ));
        }
        let query = note_selector(Some(note_id), None)?;
        let mut request = Request::new(Method::Patch, "/v2/storage/notes/prime")
            .json(&json!({"otp": {"expiry_minutes": expiry_minutes}}))?;
        request.query = &query;
        let primed: Primed = self.send(request, Auth::Tsv1)?.json()?;
        Ok(Zeroizing::new(primed.otp.password))
    }

    /// For the recipient (or writer) of a note with `email_eacp`: has the server mail a new
    /// one-time code to the note's address. Returns the server's answer,
    /// `{"email_eacp":{"expires_at","template_name"}}`.
    pub fn challenge_note(&self, request: &NoteChallengeRequest) -> Result<Value> {
        let query = note_selector(request.note_id.as_deref(), request.id_string.as_deref())?;
        let mut email = Map::new();
        if let Some(t) = &request.template_name {
            email.insert("template_name".into(), t.clone().into());
        }
        if let Some(m) = request.expiry_minutes {
            email.insert("expiry_minutes".into(), m.into());
        }
        let mut http = Request::new(Method::Patch, "/v2/storage/notes/challenge")
            .json(&json!({"email_eacp": email}))?;
        http.query = &query;
        self.send(http, Auth::Tsv1)?.json()
    }

    /// Deletes a note this client wrote.
    pub fn delete_note(&self, note_id: &str) -> Result<()> {
        let path = format!("/v2/storage/notes/{}", encode_segment(note_id));
        self.send(Request::new(Method::Delete, &path), Auth::Tsv1)?
            .error_for_status()
            .map(|_| ())
    }
}
