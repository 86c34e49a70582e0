//! The one-time codes that open notes' access control policies (crate::eacp):
//! `PATCH /v2/storage/notes/prime` hands the writer a code for `tozny_otp_eacp`, and
//! `PATCH /v2/storage/notes/challenge` mails one to the address of `email_eacp`.

use axum::extract::{Request, State};
use axum::http::Uri;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::auth::Signer;
use super::errors::{ApiError, ApiResult, ok, parse_json, read_body};
use super::notes::{note_ref, signed_by_recipient, signed_by_writer};
use crate::eacp::{self, CodeMail, DEFAULT_EXPIRY_MINUTES, Gate};
use crate::secrets::{self, Kind};
use crate::store::NoteRow;
use crate::time::{format_micros, now_micros};

/// The note named by the query, if it is there and has `gate`.
async fn gated_note(state: &AppState, uri: &Uri, gate: Gate) -> ApiResult<NoteRow> {
    let which = note_ref(uri)?;
    let note = state
        .store
        .peek_note(&which, now_micros())
        .await?
        .ok_or_else(|| ApiError::not_found("note not found"))?;
    if !eacp::gates(note.body.eacp.as_ref()).contains(&gate) {
        let policy = gate.policy();
        return Err(ApiError::bad_request(format!("the note has no {policy}")));
    }
    Ok(note)
}

/// A body that may be empty (the SDKs send none when they have no options).
async fn optional_body<T: for<'de> Deserialize<'de> + Default>(
    state: &AppState,
    req: Request,
) -> ApiResult<T> {
    let bytes = read_body(req, state).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    parse_json(&bytes)
}

/// Keeps the hash of a new `code` for `gate` of `note` (the previous code stops working).
async fn keep_code(
    state: &AppState,
    note: &NoteRow,
    gate: Gate,
    code: &str,
    expires_at: i64,
) -> ApiResult<()> {
    let hash = secrets::hash(Kind::NoteCode, code);
    state
        .store
        .set_note_code(&note.note_id, gate, &hash, expires_at)
        .await?;
    Ok(())
}

/// A fresh code and its expiry (µs), `minutes` from now.
fn new_code(minutes: i64) -> (String, i64) {
    (secrets::generate(), now_micros() + minutes * 60_000_000)
}

/// A requested lifetime: absent or 0 takes `default`.
fn minutes(requested: Option<i64>, default: i64, what: &str) -> ApiResult<i64> {
    match requested {
        None | Some(0) => Ok(default),
        m => eacp::expiry_minutes(m, what).map_err(ApiError::bad_request),
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct PrimeRequest {
    otp: Option<OtpRequest>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct OtpRequest {
    expiry_minutes: Option<i64>,
}

/// `PATCH /v2/storage/notes/prime?note_id=|id_string=` `{"otp":{"expiry_minutes":N}}` → 200
/// `{"note_id","otp":{"password"}}`, for the note's writer: a new code for its
/// `tozny_otp_eacp` (the previous one stops working). 400 when the note has none.
pub async fn prime(
    State(state): State<AppState>,
    Signer(signer): Signer,
    uri: Uri,
    req: Request,
) -> ApiResult {
    let body: PrimeRequest = optional_body(&state, req).await?;
    let note = gated_note(&state, &uri, Gate::ToznyOtp).await?;
    require(
        signed_by_writer(&signer, &note),
        "only the note's writer may prime it",
    )?;
    let requested = body.otp.and_then(|o| o.expiry_minutes);
    let minutes = minutes(requested, DEFAULT_EXPIRY_MINUTES, "otp.expiry_minutes")?;
    let (code, expires_at) = new_code(minutes);
    keep_code(&state, &note, Gate::ToznyOtp, &code, expires_at).await?;
    ok(&json!({"note_id": note.note_id, "otp": {"password": code}}))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ChallengeRequest {
    email_eacp: Option<EmailChallenge>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct EmailChallenge {
    template_name: Option<String>,
    expiry_minutes: Option<i64>,
}

/// `PATCH /v2/storage/notes/challenge?note_id=|id_string=`
/// `{"email_eacp":{"template_name","expiry_minutes"}}` → 200
/// `{"email_eacp":{"expires_at","template_name"}}`, for the note's recipient or writer: mails a
/// new code to the address of the note's `email_eacp` (the previous code stops working). 400
/// when the note has none, 502 when the mail command fails (no code is then issued).
pub async fn challenge(
    State(state): State<AppState>,
    Signer(signer): Signer,
    uri: Uri,
    req: Request,
) -> ApiResult {
    let body: ChallengeRequest = optional_body(&state, req).await?;
    let note = gated_note(&state, &uri, Gate::EmailOtp).await?;
    require(
        signed_by_recipient(&signer, &note) || signed_by_writer(&signer, &note),
        "only the note's recipient or writer may challenge it",
    )?;
    let request = body.email_eacp.unwrap_or_default();
    if let Some(t) = &request.template_name {
        eacp::one_line(t, "email_eacp.template_name").map_err(ApiError::bad_request)?;
    }
    let policy = note
        .body
        .eacp
        .as_ref()
        .and_then(|e| e.get(Gate::EmailOtp.policy()))
        .cloned()
        .unwrap_or(Value::Null);
    let default = policy
        .get("default_expiration_minutes")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_EXPIRY_MINUTES);
    let minutes = minutes(request.expiry_minutes, default, "email_eacp.expiry_minutes")?;
    let (code, expires_at) = new_code(minutes);
    let expires_text = format_micros(expires_at);
    let template = request.template_name.as_deref();
    let mail = CodeMail {
        policy: &policy,
        note_id: &note.note_id,
        code: &code,
        expires_at: &expires_text,
        template,
    };
    // Mail first: a code nobody received must not replace one that is on its way.
    if let Err(e) = state.mailer.send(&mail.render()).await {
        tracing::error!(error = %e, note_id = %note.note_id, "could not mail a note's one-time code");
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_GATEWAY,
            "the server could not send the mail",
        ));
    }
    keep_code(&state, &note, Gate::EmailOtp, &code, expires_at).await?;
    let template_name = template
        .or(policy.get("template").and_then(Value::as_str))
        .unwrap_or_default();
    ok(&json!({"email_eacp": {"expires_at": expires_text, "template_name": template_name}}))
}

fn require(allowed: bool, message: &str) -> ApiResult<()> {
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden(message))
    }
}
