//! Search v2, `POST /v2/search` (§6.2): match/exclude blocks of terms with EXACT, FUZZY,
//! WILDCARD or REGEXP strategies, AND/OR conditions, CREATED/MODIFIED ranges and offset paging
//! with `total_results`. Visibility is the same as query v1; the matching runs in the server
//! over the caller's visible records.

use std::collections::HashMap;

use axum::extract::State;
use toz::sdk::{crypto, wire};

use super::AppState;
use super::auth::Caller;
use super::errors::{ApiError, ApiResult, JsonBody, ok};
use super::query::{KeyCache, normalise_ids};
use super::records::meta;
use crate::matching::{Matcher, Strategy};
use crate::store::{RecordFilter, RecordRow};
use crate::time::parse_rfc3339;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 1000;

/// A `next_token`: a non-negative integer, as a number or a numeric string.
pub fn parse_offset(v: &serde_json::Value) -> ApiResult<i64> {
    let n = match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) if s.is_empty() => Some(0),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    };
    n.filter(|n| *n >= 0)
        .ok_or_else(|| ApiError::bad_request("next_token must be a non-negative integer"))
}

enum Term {
    Writer(Matcher),
    User(Matcher),
    Record(Matcher),
    Type(Matcher),
    Key(Matcher),
    Value(Matcher),
    Tag(Matcher, Matcher),
    SharedWith(String),
}

struct Block {
    all: bool,
    terms: Vec<Term>,
}

fn compile(p: &wire::SearchParams) -> ApiResult<Block> {
    let strategy = Strategy::parse(p.strategy.as_deref()).map_err(ApiError::bad_request)?;
    let all = match p
        .condition
        .as_deref()
        .unwrap_or("OR")
        .to_ascii_uppercase()
        .as_str()
    {
        "" | "OR" => false,
        "AND" => true,
        _ => return Err(ApiError::bad_request("condition must be AND or OR")),
    };
    let m = |s: &str| Matcher::new(strategy, s).map_err(ApiError::bad_request);
    let t = &p.terms;
    let mut terms = Vec::new();
    // Ids are compared in canonical lower case (SW sends upper-case UUIDs).
    for s in normalise_ids(&t.writer_ids) {
        terms.push(Term::Writer(m(&s)?));
    }
    for s in normalise_ids(&t.user_ids) {
        terms.push(Term::User(m(&s)?));
    }
    for s in normalise_ids(&t.record_ids) {
        terms.push(Term::Record(m(&s)?));
    }
    for s in &t.content_types {
        terms.push(Term::Type(m(s)?));
    }
    for s in &t.keys {
        terms.push(Term::Key(m(s)?));
    }
    for s in &t.values {
        terms.push(Term::Value(m(s)?));
    }
    for (k, v) in &t.tags {
        terms.push(Term::Tag(m(k)?, m(v)?));
    }
    for s in normalise_ids(&t.shared_with) {
        terms.push(Term::SharedWith(s));
    }
    Ok(Block { all, terms })
}

/// Readers of (writer, type), loaded once per search for `shared_with` terms.
#[derive(Default)]
struct Readers(HashMap<(String, String), Vec<String>>);

impl Readers {
    async fn of(&mut self, state: &AppState, r: &RecordRow) -> ApiResult<&[String]> {
        let k = (r.writer_id.clone(), r.record_type.clone());
        if !self.0.contains_key(&k) {
            let v = state.store.readers_of(&r.writer_id, &r.record_type).await?;
            self.0.insert(k.clone(), v);
        }
        Ok(&self.0[&k])
    }
}

async fn term_matches(
    t: &Term,
    r: &RecordRow,
    state: &AppState,
    readers: &mut Readers,
) -> ApiResult<bool> {
    Ok(match t {
        Term::Writer(m) => m.matches(&r.writer_id),
        Term::User(m) => m.matches(&r.user_id),
        Term::Record(m) => m.matches(&r.id),
        Term::Type(m) => m.matches(&r.record_type),
        Term::Key(m) => r.plain.keys().any(|k| m.matches(k)),
        Term::Value(m) => r.plain.values().any(|v| m.matches(v)),
        Term::Tag(k, v) => r
            .plain
            .iter()
            .any(|(pk, pv)| k.matches(pk) && v.matches(pv)),
        Term::SharedWith(id) => readers.of(state, r).await?.iter().any(|x| x == id),
    })
}

/// A block with no terms matches every record when `empty` is true.
async fn block_matches(
    b: &Block,
    r: &RecordRow,
    empty: bool,
    state: &AppState,
    readers: &mut Readers,
) -> ApiResult<bool> {
    if b.terms.is_empty() {
        return Ok(empty);
    }
    for t in &b.terms {
        let hit = term_matches(t, r, state, readers).await?;
        if b.all && !hit {
            return Ok(false);
        }
        if !b.all && hit {
            return Ok(true);
        }
    }
    Ok(b.all)
}

/// A time filter in µs; bounds are exclusive.
#[derive(Clone, Copy)]
struct TimeRange {
    modified: bool,
    after: Option<i64>,
    before: Option<i64>,
}

fn range(r: &Option<wire::SearchRange>) -> ApiResult<Option<TimeRange>> {
    let Some(r) = r else { return Ok(None) };
    let bound = |s: &Option<String>| -> ApiResult<Option<i64>> {
        match s.as_deref().filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => parse_rfc3339(s)
                .map(Some)
                .ok_or_else(|| ApiError::bad_request("range bounds must be RFC 3339 times")),
        }
    };
    let (after, before) = (bound(&r.after)?, bound(&r.before)?);
    if after.is_none() && before.is_none() {
        return Ok(None);
    }
    let modified = match r
        .range_key
        .as_deref()
        .unwrap_or("CREATED")
        .to_ascii_uppercase()
        .as_str()
    {
        "" | "CREATED" => false,
        "MODIFIED" => true,
        _ => {
            return Err(ApiError::bad_request(
                "range_key must be CREATED or MODIFIED",
            ));
        }
    };
    Ok(Some(TimeRange {
        modified,
        after,
        before,
    }))
}

/// `POST /v2/search`.
pub async fn search(
    State(state): State<AppState>,
    Caller(caller): Caller,
    JsonBody(q): JsonBody<wire::SearchRequest>,
) -> ApiResult {
    let limit = match q.limit {
        None | Some(0) => DEFAULT_LIMIT,
        Some(l) if l > 0 => l.min(MAX_LIMIT),
        Some(_) => return Err(ApiError::bad_request("limit must not be negative")),
    };
    let offset = match &q.next_token {
        None | Some(serde_json::Value::Null) => 0,
        Some(v) => parse_offset(v)?,
    };
    let matches = q
        .r#match
        .iter()
        .map(compile)
        .collect::<ApiResult<Vec<_>>>()?;
    let excludes = q
        .exclude
        .iter()
        .map(compile)
        .collect::<ApiResult<Vec<_>>>()?;
    let range = range(&q.range)?;
    let descending = q
        .order
        .as_ref()
        .and_then(|o| o.sort_order.as_deref())
        .is_some_and(|s| s.eq_ignore_ascii_case("DESCENDING"));

    let filter = RecordFilter {
        include_shared: q.include_all_writers,
        ..Default::default()
    };
    let candidates = state.store.select_records(&caller.id, &filter).await?;
    let mut readers = Readers::default();
    let mut hits = Vec::new();
    'records: for r in candidates {
        if let Some(TimeRange {
            modified,
            after,
            before,
        }) = range
        {
            let t = if modified { r.last_modified } else { r.created };
            if after.is_some_and(|a| t <= a) || before.is_some_and(|b| t >= b) {
                continue;
            }
        }
        let mut matched = matches.is_empty();
        for b in &matches {
            if block_matches(b, &r, true, &state, &mut readers).await? {
                matched = true;
                break;
            }
        }
        if !matched {
            continue;
        }
        // An exclude block without terms excludes nothing (PY sends such blocks for "unset").
        for b in &excludes {
            if block_matches(b, &r, false, &state, &mut readers).await? {
                continue 'records;
            }
        }
        hits.push(r);
    }
    if descending {
        hits.reverse();
    }
    let total = hits.len() as i64;
    let page: Vec<RecordRow> = hits
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    let end = offset + page.len() as i64;
    let mut data: HashMap<String, wire::StringMap> = if q.include_data {
        let ids: Vec<String> = page.iter().map(|r| r.id.clone()).collect();
        state.store.records_data(&ids).await?.into_iter().collect()
    } else {
        HashMap::new()
    };
    let mut keys = KeyCache::default();
    let mut results = Vec::with_capacity(page.len());
    for r in page {
        let (record_data, access_key) = if q.include_data {
            (
                Some(data.remove(&r.id).unwrap_or_default()),
                keys.get(&state, &caller.id, &r).await?,
            )
        } else {
            (None, None)
        };
        results.push(wire::SearchResult {
            meta: meta(&r),
            record_data,
            access_key,
            group_access_key: None,
            sharing_model: "DIRECT".into(),
            rec_sig: r.rec_sig,
        });
    }
    ok(&wire::SearchResponse {
        results,
        last_index: if end < total { end } else { 0 },
        total_results: total,
        search_id: crypto::random_uuid_v4(),
    })
}
