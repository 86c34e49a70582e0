//! TSV1 ("Tozny Signature Version 1") request signatures, spec §3.2.
//!
//! `Authorization: TSV1-ED25519-BLAKE2B; <pub>; <ts>; <nonce>; uid:<id>; <sig>` where `sig` is an
//! Ed25519 signature over the raw BLAKE2b-256 digest of
//! `<path>; <query>; <METHOD>; <header string>`. The SDKs disagree on how the path and query are
//! canonicalised, so [`verify`] tries each SDK's form; [`sign`] uses the PY/GO form.

use super::crypto;
use super::error::{Error, ErrorKind, Result};

/// The only signature method TSV1 defines.
pub const METHOD: &str = "TSV1-ED25519-BLAKE2B";

/// A parsed TSV1 `Authorization` header value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeader {
    /// The signer's Ed25519 public key.
    pub public_key: [u8; 32],
    /// The same key as it appeared in the header (b64url).
    pub public_key_text: String,
    /// Unix seconds the client claims to have signed at.
    pub timestamp: i64,
    /// The client's one-time nonce (a UUID in every SDK).
    pub nonce: String,
    /// Client id after `uid:`, empty for anonymous requests.
    pub uid: String,
    /// The detached signature.
    pub signature: [u8; 64],
}

/// `method; pub; ts; nonce; uid:<uid>`: the part of the header that is itself signed.
pub fn header_string(public_key_text: &str, timestamp: i64, nonce: &str, uid: &str) -> String {
    format!("{METHOD}; {public_key_text}; {timestamp}; {nonce}; uid:{uid}")
}

/// The text whose BLAKE2b-256 digest is signed.
pub fn string_to_hash(path: &str, query: &str, http_method: &str, header: &str) -> String {
    format!(
        "{path}; {query}; {}; {header}",
        http_method.to_ascii_uppercase()
    )
}

/// Signs a request and returns the whole `Authorization` header value.
///
/// `raw_query` is the query string exactly as it will be sent (without `?`); it is canonicalised
/// the way the PY and GO SDKs do, which is also what a Tozny server expects.
#[allow(clippy::too_many_arguments)]
pub fn sign(
    path: &str,
    raw_query: &str,
    http_method: &str,
    public_key: &[u8; 32],
    secret_key: &[u8; 64],
    timestamp: i64,
    nonce: &str,
    uid: &str,
) -> String {
    let public_key_text = crypto::b64url_encode(public_key);
    let header = header_string(&public_key_text, timestamp, nonce, uid);
    let text = string_to_hash(path, &canonical_query(raw_query), http_method, &header);
    let digest = crypto::blake2b_256(&[text.as_bytes()]);
    let signature = crypto::sign_detached(&digest, secret_key);
    format!("{header}; {}", crypto::b64url_encode(&signature))
}

/// Parses a TSV1 header value (six `"; "`-separated parts).
pub fn parse(value: &str) -> Result<SignedHeader> {
    let bad = |why: &str| {
        Error::new(
            ErrorKind::Unauthorized,
            format!("malformed TSV1 header: {why}"),
        )
    };
    let parts: Vec<&str> = value.split("; ").collect();
    if parts.len() != 6 {
        return Err(bad("expected 6 parts"));
    }
    if parts[0] != METHOD {
        return Err(bad("unknown method"));
    }
    let public_key =
        crypto::b64url_decode_array::<32>(parts[1], "public key").map_err(|_| bad("public key"))?;
    let timestamp: i64 = parts[2].parse().map_err(|_| bad("timestamp"))?;
    let uid = parts[4]
        .strip_prefix("uid:")
        .ok_or_else(|| bad("missing uid:"))?;
    let signature =
        crypto::b64url_decode_array::<64>(parts[5], "signature").map_err(|_| bad("signature"))?;
    if parts[3].is_empty() {
        return Err(bad("empty nonce"));
    }
    Ok(SignedHeader {
        public_key: *public_key,
        public_key_text: parts[1].to_string(),
        timestamp,
        nonce: parts[3].to_string(),
        uid: uid.to_string(),
        signature: *signature,
    })
}

/// Checks the signature of a parsed header against the request as received.
///
/// `raw_path` and `raw_query` are the request target exactly as sent on the wire (percent-encoded,
/// query without `?`). Every SDK's canonical form is tried (spec Appendix C item 4). Timestamp
/// windows and nonce replay are the caller's (the server's) concern.
pub fn verify(header: &SignedHeader, raw_path: &str, raw_query: &str, http_method: &str) -> bool {
    let signed = header_string(
        &header.public_key_text,
        header.timestamp,
        &header.nonce,
        &header.uid,
    );
    let mut paths = vec![raw_path.to_string()];
    if raw_path.contains('%') {
        if let Some(decoded) = percent_decode(raw_path, false) {
            paths.push(decoded);
        }
    }
    let mut queries = vec![
        canonical_query(raw_query),
        canonical_query_py(raw_query),
        raw_sorted_query(raw_query),
    ];
    if let Some(q) = decoded_sorted_query(raw_query) {
        queries.push(q);
    }
    queries.push(raw_query.to_string());
    queries.dedup();
    for path in &paths {
        for query in &queries {
            let text = string_to_hash(path, query, http_method, &signed);
            let digest = crypto::blake2b_256(&[text.as_bytes()]);
            if crypto::verify_detached(&header.signature, &digest, &header.public_key) {
                return true;
            }
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// Query canonicalisation. Each SDK's form, named after the SDK that produces it.

fn split_pairs(raw: &str) -> impl Iterator<Item = (&str, &str)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

fn decoded_pairs(raw: &str) -> Option<Vec<(String, String)>> {
    split_pairs(raw)
        .map(|(k, v)| Some((percent_decode(k, true)?, percent_decode(v, true)?)))
        .collect()
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", query_escape(k), query_escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// GO `URL.Query().Encode()`: decode, stable sort by key, re-encode (space as `+`). Our client
/// signs with this form; for ids, UUIDs and integers every SDK's form is identical to it.
pub fn canonical_query(raw: &str) -> String {
    let Some(mut pairs) = decoded_pairs(raw) else {
        return raw.to_string();
    };
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    encode_pairs(&pairs)
}

/// PY `urlencode(sorted(parse_qsl(q)))`: like GO but sorted by (key, value).
fn canonical_query_py(raw: &str) -> String {
    let Some(mut pairs) = decoded_pairs(raw) else {
        return raw.to_string();
    };
    pairs.sort();
    encode_pairs(&pairs)
}

/// JS and SW: raw pairs sorted by the raw key, rejoined without re-encoding.
fn raw_sorted_query(raw: &str) -> String {
    let mut parts: Vec<&str> = raw.split('&').filter(|p| !p.is_empty()).collect();
    parts.sort_by(|a, b| a.split('=').next().cmp(&b.split('=').next()));
    parts.join("&")
}

/// JV: decoded `name=value` strings sorted as whole strings, not re-encoded.
fn decoded_sorted_query(raw: &str) -> Option<String> {
    let mut items: Vec<String> = decoded_pairs(raw)?
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    items.sort();
    Some(items.join("&"))
}

/// Percent-decodes `text`; `plus_is_space` for query components. None if not valid UTF-8 or a
/// `%` escape is malformed.
pub fn percent_decode(text: &str, plus_is_space: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// GO `url.QueryEscape` / PY `quote_plus`: unreserved characters kept, space as `+`.
pub fn query_escape(text: &str) -> String {
    percent_encode(text, true)
}

/// Percent-encodes everything but RFC 3986 unreserved characters; `space_as_plus` for query
/// components (GO/PY form), `%20` otherwise (path segments).
pub fn percent_encode(text: &str, space_as_plus: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' if space_as_plus => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalisations_agree_on_simple_queries() {
        assert_eq!(canonical_query("foo=quux&bar=baz"), "bar=baz&foo=quux");
        assert_eq!(canonical_query(""), "");
        assert_eq!(canonical_query("id_string=a%24b"), "id_string=a%24b");
        assert_eq!(canonical_query("q=a b"), "q=a+b");
        assert_eq!(raw_sorted_query("b=2&a=1"), "a=1&b=2");
        assert_eq!(decoded_sorted_query("b=%242&a=1").unwrap(), "a=1&b=$2");
    }

    #[test]
    fn parse_rejects_malformed_headers() {
        assert!(parse("").is_err());
        assert!(parse("Bearer x").is_err());
        assert!(parse("TSV1-ED25519-BLAKE2B; a; b; c; uid:; d").is_err());
    }
}
