//! Notes (§8.1): `/v2/storage/notes`, TSV1 only. A note is opaque ciphertext addressed to a
//! recipient's signing key; the server enforces who reads it (the recipient), who deletes it (the
//! writer), its name's uniqueness, its view limit and its expiry.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use toz::sdk::{crypto, wire};

use super::AppState;
use super::auth::{Signer, Tsv1Signer};
use super::errors::{
    ApiError, ApiResult, JsonBody, Params, created, json_response, no_content, ok,
};
use crate::eacp::{self, Gate};
use crate::ids::parse_uuid;
use crate::ops::public_key_32;
use crate::store::{NewNote, NoteRef, NoteRow};
use crate::time::{format_micros, now_micros, parse_rfc3339};

/// Longest accepted `id_string`.
const MAX_NAME_LEN: usize = 1024;
/// `0001-01-01T00:00:00Z`, the expiration of a note that does not expire (§8.1).
const NO_EXPIRATION: i64 = -62_135_596_800_000_000;

/// The note as returned: the stored body with the server's fields filled in.
fn render(n: NoteRow) -> wire::Note {
    let mut note = n.body;
    note.note_id = Some(n.note_id);
    note.id_string = n.id_string.unwrap_or_default();
    note.client_id = Some(n.client_id.unwrap_or_default());
    note.max_views = n.max_views;
    note.views = n.views;
    note.expires = n.expires;
    note.expiration = Some(format_micros(n.expiration));
    note.created_at = Some(format_micros(n.created));
    note
}

/// A 32-byte b64url key in canonical form (unpadded), as TSV1 signers are compared.
fn key(text: &str, what: &str) -> ApiResult<String> {
    public_key_32(text, what)?;
    let bytes = crypto::b64url_decode(text).map_err(|_| ApiError::bad_request("bad key"))?;
    Ok(crypto::b64url_encode(&bytes))
}

/// Validates a written note and applies the writer rules: a registered writer's note carries its
/// client id and may have a name; an anonymous writer's never has either. Access policies
/// (`eacp`) are kept only when this server enforces them (crate::eacp), for either writer.
fn new_note(state: &AppState, signer: &Tsv1Signer, mut body: wire::Note) -> ApiResult<NewNote> {
    let recipient_signing_key = key(&body.recipient_signing_key, "recipient_signing_key")?;
    let writer_signing_key = key(&body.writer_signing_key, "writer_signing_key")?;
    key(&body.writer_encryption_key, "writer_encryption_key")?;
    if body.encrypted_access_key.is_empty() {
        return Err(ApiError::bad_request("encrypted_access_key is required"));
    }
    // Storing a policy without enforcing it would silently weaken the note's protection, so
    // what is not enforced is refused.
    body.eacp = eacp::validate(body.eacp.as_ref(), state.mailer.can_send())
        .map_err(ApiError::bad_request)?;
    let (client_id, id_string) = match &signer.client {
        Some(c) => (
            Some(c.id.clone()),
            Some(std::mem::take(&mut body.id_string)).filter(|n| !n.is_empty()),
        ),
        None => (None, None),
    };
    if id_string.as_ref().is_some_and(|n| n.len() > MAX_NAME_LEN) {
        return Err(ApiError::bad_request(
            "id_string must be at most 1024 bytes",
        ));
    }
    let parsed = body.expiration.as_deref().and_then(parse_rfc3339);
    let expiration = match (body.expires, parsed) {
        (true, Some(t)) => t,
        (true, None) => {
            return Err(ApiError::bad_request(
                "expires is true but expiration is not an RFC 3339 time",
            ));
        }
        (false, t) => t.unwrap_or(NO_EXPIRATION),
    };
    body.note_id = None;
    body.created_at = None;
    Ok(NewNote {
        id_string,
        client_id,
        recipient_signing_key,
        writer_signing_key,
        max_views: body.max_views,
        expires: body.expires,
        expiration,
        body,
    })
}

/// `POST /v2/storage/notes` → 201; 409 when the name is taken.
pub async fn write(
    State(state): State<AppState>,
    Signer(signer): Signer,
    JsonBody(body): JsonBody<wire::Note>,
) -> ApiResult {
    let note = new_note(&state, &signer, body)?;
    created(&render(state.store.insert_note(note, false).await?))
}

/// `PUT /v2/storage/notes` → 201: replaces the writer's note of the same name atomically (or
/// creates it); 409 when another writer holds the name.
pub async fn replace(
    State(state): State<AppState>,
    Signer(signer): Signer,
    JsonBody(body): JsonBody<wire::Note>,
) -> ApiResult {
    if signer.client.is_none() {
        return Err(ApiError::forbidden(
            "anonymous writers cannot name notes, so cannot replace them by name",
        ));
    }
    let note = new_note(&state, &signer, body)?;
    if note.id_string.is_none() {
        return Err(ApiError::bad_request(
            "replacing a note by name needs an id_string",
        ));
    }
    created(&render(state.store.insert_note(note, true).await?))
}

/// The decoded query parameters.
fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    let query = uri.query().unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// `?note_id=` (400 unless a UUID) or `?id_string=`.
pub fn note_ref(uri: &Uri) -> ApiResult<NoteRef> {
    let pairs = query_pairs(uri);
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    if let Some(id) = get("note_id") {
        return parse_uuid(id)
            .map(NoteRef::Id)
            .ok_or_else(|| ApiError::bad_request("note_id must be a UUID"));
    }
    match get("id_string") {
        Some(name) if !name.is_empty() => Ok(NoteRef::Name(name.clone())),
        _ => Err(ApiError::bad_request(
            "give note_id or id_string in the query",
        )),
    }
}

/// `GET /v2/storage/notes?note_id=|id_string=` → 200, counting one view. Only the recipient (the
/// TSV1 key equals `recipient_signing_key`) may read: 403 otherwise, and 403 when the note's
/// access policies want a one-time code (`&tozny_otp=`, `&email_otp=`) that is not given or
/// wrong; 404 unknown or gone.
pub async fn read(State(state): State<AppState>, Signer(signer): Signer, uri: Uri) -> ApiResult {
    let which = note_ref(&uri)?;
    let codes: Vec<(Gate, String)> = query_pairs(&uri)
        .into_iter()
        .filter_map(|(k, v)| {
            Gate::ALL
                .into_iter()
                .find(|g| g.name() == k)
                .map(|g| (g, v))
        })
        .collect();
    let note = state
        .store
        .read_note(&which, &signer.key, &codes, now_micros())
        .await?;
    ok(&render(note))
}

/// Whether the TSV1 signer is the note's recipient.
pub fn signed_by_recipient(signer: &Tsv1Signer, note: &NoteRow) -> bool {
    crypto::constant_time_eq(signer.key.as_bytes(), note.recipient_signing_key.as_bytes())
}

/// Whether the TSV1 signer wrote the note: with its signing key, or as its registered client.
pub fn signed_by_writer(signer: &Tsv1Signer, note: &NoteRow) -> bool {
    let writer = signer.client.as_ref().map(|c| c.id.as_str());
    crypto::constant_time_eq(signer.key.as_bytes(), note.writer_signing_key.as_bytes())
        || (writer.is_some() && note.client_id.as_deref() == writer)
}

/// `GET /v2/storage/notes/views?note_id=|id_string=` → 200 with the bare number of reads left
/// (-1 for unlimited), as the JS SDK's test expects; for the recipient or the writer.
pub async fn views(State(state): State<AppState>, Signer(signer): Signer, uri: Uri) -> ApiResult {
    let which = note_ref(&uri)?;
    let note = state
        .store
        .peek_note(&which, now_micros())
        .await?
        .ok_or_else(|| ApiError::not_found("note not found"))?;
    if !signed_by_recipient(&signer, &note) && !signed_by_writer(&signer, &note) {
        return Err(ApiError::forbidden(
            "only the note's recipient or writer may see its views",
        ));
    }
    let left = if note.max_views > 0 {
        (note.max_views - note.views).max(0)
    } else {
        -1
    };
    Ok(json_response(StatusCode::OK, &left))
}

/// `DELETE /v2/storage/notes/{id}` → 204, by the writer (its signing key, or its client id).
pub async fn delete(
    State(state): State<AppState>,
    Signer(signer): Signer,
    Params(id): Params<String>,
) -> ApiResult {
    let id = parse_uuid(&id).ok_or_else(|| ApiError::bad_request("note_id must be a UUID"))?;
    let client = signer.client.as_ref().map(|c| c.id.as_str());
    state.store.delete_note(&id, &signer.key, client).await?;
    no_content()
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_expiration_is_year_one() {
        assert_eq!(
            crate::time::format_micros(super::NO_EXPIRATION),
            "0001-01-01T00:00:00.000000Z"
        );
    }
}
