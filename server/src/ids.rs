//! UUID handling: parsed case-insensitively (SW upper-cases them, spec §0), emitted lower-case.

/// The canonical lower-case form of a hyphenated UUID, or None if `text` is not one.
pub fn parse_uuid(text: &str) -> Option<String> {
    let b = text.as_bytes();
    if b.len() != 36 {
        return None;
    }
    for (i, c) in b.iter().enumerate() {
        let ok = if matches!(i, 8 | 13 | 18 | 23) {
            *c == b'-'
        } else {
            c.is_ascii_hexdigit()
        };
        if !ok {
            return None;
        }
    }
    Some(text.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuids() {
        let up = "D96102C7-6930-4907-8CA8-E9FC0520F22D";
        assert_eq!(super::parse_uuid(up).unwrap(), up.to_ascii_lowercase());
        assert!(super::parse_uuid("doesnt exist").is_none());
        assert!(super::parse_uuid("d96102c7-6930-4907-8ca8-e9fc0520f22").is_none());
        assert!(super::parse_uuid("d96102c7x6930-4907-8ca8-e9fc0520f22d").is_none());
    }
}
