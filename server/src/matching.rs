//! Term matching for search v2 (§6.2) and plain-meta filters for query v1 (§6.1).
//!
//! The Tozny service delegated search to Elasticsearch; these are the same four strategies on
//! single terms: EXACT equality, FUZZY (Levenshtein distance at most 2), WILDCARD (`*`, `?`) and
//! REGEXP (anchored at both ends, like an Elasticsearch regexp query, with compile-size limits so
//! a hostile pattern cannot exhaust memory).

use regex::{Regex, RegexBuilder};
use toz::sdk::wire::StringMap;

/// How a term is compared with a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Equal.
    Exact,
    /// Edit distance ≤ 2.
    Fuzzy,
    /// `*` any run, `?` any one character.
    Wildcard,
    /// Whole-value regular expression.
    Regexp,
}

impl Strategy {
    /// Parses "EXACT" (the default when absent), "FUZZY", "WILDCARD", "REGEXP" (any case).
    pub fn parse(text: Option<&str>) -> Result<Self, String> {
        match text.unwrap_or("EXACT").to_ascii_uppercase().as_str() {
            "" | "EXACT" => Ok(Strategy::Exact),
            "FUZZY" => Ok(Strategy::Fuzzy),
            "WILDCARD" => Ok(Strategy::Wildcard),
            "REGEXP" | "REGEX" => Ok(Strategy::Regexp),
            _ => Err("strategy must be EXACT, FUZZY, WILDCARD or REGEXP".into()),
        }
    }
}

/// One compiled term.
#[derive(Clone, Debug)]
pub struct Matcher {
    strategy: Strategy,
    pattern: Vec<char>,
    text: String,
    regex: Option<Regex>,
}

const REGEX_SIZE_LIMIT: usize = 1 << 20;
const MAX_FUZZY_DISTANCE: usize = 2;

impl Matcher {
    /// Compiles a term; a bad regular expression is an error message for a 400.
    pub fn new(strategy: Strategy, pattern: &str) -> Result<Self, String> {
        let regex = if strategy == Strategy::Regexp {
            Some(
                RegexBuilder::new(&format!("^(?:{pattern})$"))
                    .size_limit(REGEX_SIZE_LIMIT)
                    .dfa_size_limit(REGEX_SIZE_LIMIT)
                    .nest_limit(64)
                    .build()
                    .map_err(|_| "invalid or too complex regular expression".to_string())?,
            )
        } else {
            None
        };
        Ok(Matcher {
            strategy,
            pattern: pattern.chars().collect(),
            text: pattern.to_string(),
            regex,
        })
    }

    /// Does `value` match this term?
    pub fn matches(&self, value: &str) -> bool {
        match self.strategy {
            Strategy::Exact => self.text == value,
            Strategy::Fuzzy => within_distance(&self.pattern, value, MAX_FUZZY_DISTANCE),
            Strategy::Wildcard => wildcard(&self.pattern, &value.chars().collect::<Vec<_>>()),
            Strategy::Regexp => self.regex.as_ref().is_some_and(|r| r.is_match(value)),
        }
    }
}

/// Levenshtein distance between `a` and `b` is at most `max` (early exit on long strings).
fn within_distance(a: &[char], b: &str, max: usize) -> bool {
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        if cur.iter().min().copied().unwrap_or(0) > max {
            return false;
        }
        prev = cur;
    }
    prev[b.len()] <= max
}

/// Glob match with `*` and `?`, linear-time greedy backtracking.
fn wildcard(p: &[char], s: &[char]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A v1 plain-meta filter: `{"eq":{"name":k,"value":v}}`, `{"and":[...]}`, `{"or":[...]}`,
/// `{"not":{...}}`, or a flat string map taken as an AND of equalities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlainFilter {
    /// Key present with this value.
    Eq(String, String),
    /// All of.
    And(Vec<PlainFilter>),
    /// Any of.
    Or(Vec<PlainFilter>),
    /// Negation.
    Not(Box<PlainFilter>),
}

impl PlainFilter {
    /// Parses the `plain` value of a query; `null` or `{}` is no filter.
    pub fn parse(v: &serde_json::Value) -> Result<Option<Self>, String> {
        use serde_json::Value;
        let bad = || "plain filter must use eq, and, or, not, or be a map of strings".to_string();
        let Value::Object(map) = v else {
            return if v.is_null() { Ok(None) } else { Err(bad()) };
        };
        if map.is_empty() {
            return Ok(None);
        }
        let list = |x: &Value| -> Result<Vec<PlainFilter>, String> {
            x.as_array()
                .ok_or_else(bad)?
                .iter()
                .map(|e| Self::parse(e)?.ok_or_else(bad))
                .collect()
        };
        if map.len() == 1 {
            let (k, x) = map.iter().next().expect("one entry");
            match k.as_str() {
                "eq" => {
                    let name = x.get("name").and_then(Value::as_str).ok_or_else(bad)?;
                    let value = x.get("value").and_then(Value::as_str).ok_or_else(bad)?;
                    return Ok(Some(PlainFilter::Eq(name.into(), value.into())));
                }
                "and" => return Ok(Some(PlainFilter::And(list(x)?))),
                "or" => return Ok(Some(PlainFilter::Or(list(x)?))),
                "not" => {
                    return Ok(Some(PlainFilter::Not(Box::new(
                        Self::parse(x)?.ok_or_else(bad)?,
                    ))));
                }
                _ => {}
            }
        }
        let eqs = map
            .iter()
            .map(|(k, x)| {
                Ok(PlainFilter::Eq(
                    k.clone(),
                    x.as_str().ok_or_else(bad)?.to_string(),
                ))
            })
            .collect::<Result<_, String>>()?;
        Ok(Some(PlainFilter::And(eqs)))
    }

    /// Evaluates against a record's plain meta.
    pub fn matches(&self, plain: &StringMap) -> bool {
        match self {
            PlainFilter::Eq(k, v) => plain.get(k) == Some(v),
            PlainFilter::And(all) => all.iter().all(|f| f.matches(plain)),
            PlainFilter::Or(any) => any.iter().any(|f| f.matches(plain)),
            PlainFilter::Not(f) => !f.matches(plain),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(s: Strategy, p: &str) -> Matcher {
        Matcher::new(s, p).unwrap()
    }

    #[test]
    fn strategies_follow_the_spec_examples() {
        assert!(m(Strategy::Fuzzy, "veryveryfunny").matches("veryveryfuzzy"));
        assert!(!m(Strategy::Fuzzy, "veryveryfunny").matches("veryveryfuzzzzy"));
        assert!(m(Strategy::Regexp, "tozny.*").matches("toznywebsite"));
        assert!(!m(Strategy::Regexp, "tozny.*").matches("toznians"));
        assert!(m(Strategy::Wildcard, "*server_1*").matches("my_server_1_x"));
        assert!(m(Strategy::Wildcard, "a?c").matches("abc"));
        assert!(!m(Strategy::Wildcard, "a?c").matches("abbc"));
        assert!(m(Strategy::Exact, "x").matches("x") && !m(Strategy::Exact, "x").matches("X"));
        assert!(Matcher::new(Strategy::Regexp, "(").is_err());
        assert!(Matcher::new(Strategy::Regexp, "a{1000}{1000}").is_err());
    }

    #[test]
    fn plain_filters() {
        let mut plain = StringMap::new();
        plain.insert("a".into(), "1".into());
        plain.insert("b".into(), "2".into());
        let f = |v| PlainFilter::parse(&v).unwrap().unwrap();
        assert!(f(json!({"eq": {"name": "a", "value": "1"}})).matches(&plain));
        assert!(!f(json!({"and": [{"eq": {"name": "a", "value": "1"}}, {"eq": {"name": "b", "value": "3"}}]})).matches(&plain));
        assert!(f(json!({"or": [{"eq": {"name": "a", "value": "9"}}, {"eq": {"name": "b", "value": "2"}}]})).matches(&plain));
        assert!(f(json!({"not": {"eq": {"name": "a", "value": "9"}}})).matches(&plain));
        assert!(f(json!({"a": "1", "b": "2"})).matches(&plain));
        assert!(PlainFilter::parse(&json!({"eq": 5})).is_err());
        assert_eq!(PlainFilter::parse(&json!(null)).unwrap(), None);
    }
}
