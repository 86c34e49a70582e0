//! Timestamps: microseconds since the Unix epoch in storage, `YYYY-MM-DDTHH:MM:SS.ffffffZ` on the
//! wire (spec §0: the only form every SDK parses), RFC 3339 with any offset accepted on input.

use std::time::{SystemTime, UNIX_EPOCH};

/// Microseconds since the epoch, now.
pub fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// Seconds since the epoch, now.
pub fn now_secs() -> i64 {
    now_micros().div_euclid(1_000_000)
}

/// Formats as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub fn format_micros(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:06}Z",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Parses RFC 3339 / ISO 8601 date-times: `T` or space separator, optional fraction (any number
/// of digits, truncated to microseconds), and `Z`, `±HH:MM`, `±HHMM` or no offset (taken as UTC,
/// which is how PY labels naive datetimes, spec §6.2).
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let t = text.trim().as_bytes();
    let num = |s: &[u8]| -> Option<i64> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(s).ok()?.parse().ok()
    };
    if t.len() < 19
        || t[4] != b'-'
        || t[7] != b'-'
        || !(t[10] == b'T' || t[10] == b't' || t[10] == b' ')
    {
        return None;
    }
    if t[13] != b':' || t[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(&t[0..4])?, num(&t[5..7])?, num(&t[8..10])?);
    let (h, mi, s) = (num(&t[11..13])?, num(&t[14..16])?, num(&t[17..19])?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &t[19..];
    let mut micros = 0i64;
    if let Some(r) = rest.strip_prefix(b".") {
        let digits = r.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let mut frac = r[..digits.min(6)].to_vec();
        frac.resize(6, b'0');
        micros = num(&frac)?;
        rest = &r[digits..];
    }
    let offset_secs = match rest {
        [] | b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let tail: Vec<u8> = tail.iter().copied().filter(|c| *c != b':').collect();
            if tail.len() != 4 {
                return None;
            }
            let v = num(&tail[0..2])? * 3600 + num(&tail[2..4])? * 60;
            if *sign == b'+' { v } else { -v }
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset_secs;
    Some(secs * 1_000_000 + micros)
}

// Howard Hinnant's civil-calendar algorithms (public domain), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_microseconds_and_z() {
        assert_eq!(format_micros(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            format_micros(1_626_119_352_738_703),
            "2021-07-12T19:49:12.738703Z"
        );
    }

    #[test]
    fn parses_offsets_and_fractions() {
        let z = parse_rfc3339("2021-07-12T19:49:12.738703Z").unwrap();
        assert_eq!(z, 1_626_119_352_738_703);
        assert_eq!(parse_rfc3339("2021-07-12T12:49:12.738703-07:00"), Some(z));
        assert_eq!(parse_rfc3339("2021-07-12T19:49:12.738703123"), Some(z));
        assert_eq!(parse_rfc3339("2021-07-12 19:49:12.738703+0000"), Some(z));
        assert_eq!(parse_rfc3339("2021-07-12T19:49:12Z"), Some(z - 738_703));
        assert_eq!(parse_rfc3339("2021-13-12T19:49:12Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn round_trips() {
        for m in [1, 951_782_400_000_001, 4_102_444_800_999_999] {
            assert_eq!(parse_rfc3339(&format_micros(m)), Some(m));
        }
    }
}
