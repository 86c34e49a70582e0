//! Extended access control policies (EACP) of notes (spec §8.1): gates a note's reader must pass
//! on top of holding the recipient's key. toz-server enforces the two it can on its own:
//!
//! * `tozny_otp_eacp {"include": true}`: the writer primes the note and gets a one-time password
//!   to hand to the reader out of band;
//! * `email_eacp {"email_address", ...}`: a challenge mails a one-time code to that address.
//!
//! The reader presents each code once, as the `tozny_otp` / `email_otp` query parameter. Codes
//! are server-issued secrets (see [`crate::secrets`]): 256 bits, stored only as hashes, compared
//! in constant time. `last_access_eacp` and `tozid_eacp` need Tozny's identity service, which
//! this server does not have; a note asking for them is refused rather than stored unenforced.

use serde_json::{Map, Value, json};

/// Longest accepted code lifetime: a week.
pub const MAX_EXPIRY_MINUTES: i64 = 7 * 24 * 60;
/// Code lifetime when neither the request nor the note names one.
pub const DEFAULT_EXPIRY_MINUTES: i64 = 60;

/// A gate that a one-time code opens. The name is both the stored kind and the query parameter
/// the reader presents the code in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// `tozny_otp_eacp`, opened by `?tozny_otp=`.
    ToznyOtp,
    /// `email_eacp`, opened by `?email_otp=`.
    EmailOtp,
}

impl Gate {
    /// Every gate.
    pub const ALL: [Gate; 2] = [Gate::ToznyOtp, Gate::EmailOtp];

    /// Stored kind and query parameter name.
    pub fn name(self) -> &'static str {
        match self {
            Gate::ToznyOtp => "tozny_otp",
            Gate::EmailOtp => "email_otp",
        }
    }

    /// The `eacp` policy that sets up this gate.
    pub fn policy(self) -> &'static str {
        match self {
            Gate::ToznyOtp => "tozny_otp_eacp",
            Gate::EmailOtp => "email_eacp",
        }
    }
}

/// Checks the `eacp` of a written note and returns it normalised: only the policies in force,
/// None when there are none. `can_mail` says whether this server can deliver email codes.
pub fn validate(eacp: Option<&Value>, can_mail: bool) -> Result<Option<Value>, String> {
    let policies = match eacp {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(o)) => o,
        Some(_) => return Err("eacp must be an object".into()),
    };
    let mut kept = Map::new();
    for (name, policy) in policies {
        if policy.is_null() {
            continue;
        }
        match name.as_str() {
            "tozny_otp_eacp" => {
                let include = policy
                    .as_object()
                    .and_then(|p| p.get("include"))
                    .map(|v| {
                        v.as_bool()
                            .ok_or("tozny_otp_eacp.include must be a boolean")
                    })
                    .transpose()?;
                if include == Some(true) {
                    kept.insert(name.clone(), json!({"include": true}));
                }
            }
            "email_eacp" => {
                if !can_mail {
                    return Err(
                        "email_eacp needs a server that can send mail (toz-server serve --mail-command)"
                            .into(),
                    );
                }
                kept.insert(name.clone(), email_policy(policy)?);
            }
            "last_access_eacp" | "tozid_eacp" => {
                return Err(format!(
                    "{name} needs Tozny's identity service and is not supported by this server"
                ));
            }
            _ => return Err(format!("unknown access control policy {name:?}")),
        }
    }
    Ok((!kept.is_empty()).then_some(Value::Object(kept)))
}

fn email_policy(policy: &Value) -> Result<Value, String> {
    let p = policy.as_object().ok_or("email_eacp must be an object")?;
    let text = |key: &str| -> Result<Option<&str>, String> {
        match p.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(format!("email_eacp.{key} must be a string")),
        }
    };
    let address = text("email_address")?.ok_or("email_eacp.email_address is required")?;
    if !is_email_address(address) {
        return Err("email_eacp.email_address is not an e-mail address".into());
    }
    let mut kept = Map::new();
    kept.insert("email_address".into(), address.into());
    if let Some(t) = text("template")? {
        one_line(t, "email_eacp.template")?;
        kept.insert("template".into(), t.into());
    }
    if let Some(link) = text("provider_link")? {
        if !is_web_link(link) {
            return Err("email_eacp.provider_link must be an http(s) URL".into());
        }
        kept.insert("provider_link".into(), link.into());
    }
    match p.get("template_fields") {
        None | Some(Value::Null) => {}
        Some(Value::Object(fields)) if fields.values().all(Value::is_string) => {
            kept.insert("template_fields".into(), Value::Object(fields.clone()));
        }
        Some(_) => return Err("email_eacp.template_fields must be an object of strings".into()),
    }
    match p.get("default_expiration_minutes") {
        None | Some(Value::Null) => {}
        Some(v) => {
            let minutes = expiry_minutes(v.as_i64(), "email_eacp.default_expiration_minutes")?;
            kept.insert("default_expiration_minutes".into(), minutes.into());
        }
    }
    Ok(Value::Object(kept))
}

/// The gates of a stored note's (already validated) `eacp`.
pub fn gates(eacp: Option<&Value>) -> Vec<Gate> {
    let Some(policies) = eacp.and_then(Value::as_object) else {
        return Vec::new();
    };
    Gate::ALL
        .into_iter()
        .filter(|g| policies.contains_key(g.policy()))
        .collect()
}

/// Checks a code lifetime in minutes: 1 to [`MAX_EXPIRY_MINUTES`] (None: not a whole number).
pub fn expiry_minutes(requested: Option<i64>, what: &str) -> Result<i64, String> {
    match requested {
        Some(m) if m > MAX_EXPIRY_MINUTES => Err(format!(
            "{what} must be at most {MAX_EXPIRY_MINUTES} minutes"
        )),
        Some(m) if m > 0 => Ok(m),
        Some(_) => Err(format!("{what} must be a positive number of minutes")),
        None => Err(format!("{what} must be a whole number of minutes")),
    }
}

/// One line of printable text (no header injection into the mail), at most 200 bytes.
pub fn one_line(text: &str, what: &str) -> Result<(), String> {
    if text.len() > 200 || text.chars().any(char::is_control) {
        return Err(format!(
            "{what} must be one line of at most 200 bytes of printable text"
        ));
    }
    Ok(())
}

/// A plausible `local@domain` address: one `@`, no whitespace or control characters (so it can
/// go into a mail header as it is), at most 254 bytes.
fn is_email_address(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    text.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
}

fn is_web_link(text: &str) -> bool {
    (text.starts_with("https://") || text.starts_with("http://"))
        && text.len() <= 2048
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// What a challenge mails: the note, the code, and when the code stops working.
pub struct CodeMail<'a> {
    /// The policy from the note (validated).
    pub policy: &'a Value,
    /// The note the code opens.
    pub note_id: &'a str,
    /// The code.
    pub code: &'a str,
    /// RFC 3339 expiry.
    pub expires_at: &'a str,
    /// `template_name` of the challenge request, else the policy's `template`.
    pub template: Option<&'a str>,
}

impl CodeMail<'_> {
    /// The message in RFC 5322 form, for a `sendmail -t`-style command: `To:` from the policy,
    /// `X-Toz-Note-Id`, and the code on a line of its own. The sender is the mail command's
    /// business (sendmail fills in `From:`).
    pub fn render(&self) -> String {
        let field = |k: &str| self.policy.get(k).and_then(Value::as_str);
        let address = field("email_address").unwrap_or_default();
        let mut text = format!(
            "To: {address}\r\nSubject: Your one-time code for a toz note\r\nX-Toz-Note-Id: {}\r\n",
            self.note_id
        );
        if let Some(t) = self.template.or(field("template")) {
            text.push_str(&format!("X-Toz-Template: {t}\r\n"));
        }
        text.push_str("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
        text.push_str("Someone asked to read a note protected by a code sent to this address.\r\n");
        text.push_str(&format!(
            "The code works once, until {}.\r\n\r\nOne-time code: {}\r\n",
            self.expires_at, self.code
        ));
        if let Some(link) = field("provider_link") {
            let joiner = if link.contains('?') { '&' } else { '?' };
            text.push_str(&format!(
                "\r\nOpen: {link}{joiner}note_id={}&email_otp={}\r\n",
                self.note_id, self.code
            ));
        }
        if let Some(fields) = self
            .policy
            .get("template_fields")
            .and_then(Value::as_object)
            && !fields.is_empty()
        {
            text.push_str("\r\n");
            for (k, v) in fields {
                let v = v.as_str().unwrap_or_default();
                // Field values are the writer's text: keep each on its own line.
                let clean = |s: &str| s.replace(|c: char| c.is_control(), " ");
                text.push_str(&format!("{}: {}\r\n", clean(k), clean(v)));
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_keeps_what_is_enforced_and_refuses_the_rest() {
        assert_eq!(validate(None, false), Ok(None));
        assert_eq!(validate(Some(&json!({})), false), Ok(None));
        assert_eq!(
            validate(Some(&json!({"tozny_otp_eacp": {"include": false}})), false),
            Ok(None)
        );
        let otp = validate(Some(&json!({"tozny_otp_eacp": {"include": true}})), false).unwrap();
        assert_eq!(gates(otp.as_ref()), vec![Gate::ToznyOtp]);
        let email = json!({"email_eacp": {"email_address": "a@b.example", "template": "t"}});
        assert!(
            validate(Some(&email), false)
                .unwrap_err()
                .contains("--mail-command")
        );
        let kept = validate(Some(&email), true).unwrap();
        assert_eq!(gates(kept.as_ref()), vec![Gate::EmailOtp]);
        for bad in [
            json!({"email_eacp": {"email_address": "a@b.example\r\nBcc: x@y.example"}}),
            json!({"email_eacp": {"email_address": "nobody"}}),
            json!({"email_eacp": {"email_address": "a@b.example", "provider_link": "javascript:x"}}),
            json!({"email_eacp": {"email_address": "a@b.example", "template": "a\nb"}}),
            json!({"email_eacp": {"email_address": "a@b.example", "default_expiration_minutes": 0}}),
            json!({"tozid_eacp": {"realm_name": "r"}}),
            json!({"last_access_eacp": {"last_read_note_id": "x"}}),
            json!({"something": {}}),
            json!([1]),
        ] {
            assert!(validate(Some(&bad), true).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_mail_names_the_note_and_carries_the_code_on_its_own_line() {
        let policy = json!({"email_address": "a@b.example", "provider_link": "https://x.example/open?x=1",
            "template_fields": {"who": "Ann\r\nBcc: evil@x.example"}});
        let mail = CodeMail {
            policy: &policy,
            note_id: "n1",
            code: "c0de",
            expires_at: "2026-01-01T00:00:00Z",
            template: Some("claim"),
        }
        .render();
        assert!(mail.starts_with("To: a@b.example\r\n"));
        assert!(mail.contains("\r\nX-Toz-Note-Id: n1\r\n"));
        assert!(mail.contains("\r\nX-Toz-Template: claim\r\n"));
        assert!(mail.contains("\r\nOne-time code: c0de\r\n"));
        assert!(mail.contains("https://x.example/open?x=1&note_id=n1&email_otp=c0de"));
        assert!(mail.contains("who: Ann  Bcc: evil@x.example\r\n"));
        assert_eq!(mail.matches("Bcc").count(), 1);
    }
}
