//! Query v1, `POST /v1/storage/search` (§6.1): records written by the caller (plus those shared
//! with it when `include_all_writers`), filtered by ids, types and plain meta, paged by index.
//! Errors carry an `error` key, which PY turns into its QueryError.

use std::collections::HashMap;

use axum::extract::State;
use toz::sdk::wire;

use super::AppState;
use super::access_keys::eak_info;
use super::auth::Caller;
use super::errors::{ApiError, ApiResult, JsonBody, ok};
use super::records::meta;
use crate::ids::parse_uuid;
use crate::matching::PlainFilter;
use crate::store::{EakKey, RecordFilter, RecordRow};

/// Default and maximum page sizes.
const DEFAULT_COUNT: i64 = 50;
const MAX_COUNT: i64 = 1000;
/// Rows fetched per round while a plain filter discards some.
const SCAN_BATCH: i64 = 500;

/// The caller's EAK per (writer, user, type), looked up once per request.
#[derive(Default)]
pub struct KeyCache(HashMap<(String, String, String), Option<wire::EakInfo>>);

impl KeyCache {
    /// The `access_key` of a result for `caller`.
    pub async fn get(
        &mut self,
        state: &AppState,
        caller: &str,
        r: &RecordRow,
    ) -> ApiResult<Option<wire::EakInfo>> {
        let k = (
            r.writer_id.clone(),
            r.user_id.clone(),
            r.record_type.clone(),
        );
        if let Some(v) = self.0.get(&k) {
            return Ok(v.clone());
        }
        let key = EakKey {
            writer_id: r.writer_id.clone(),
            user_id: r.user_id.clone(),
            reader_id: caller.to_string(),
            record_type: r.record_type.clone(),
        };
        let v = state.store.get_eak(caller, &key).await?.map(eak_info);
        self.0.insert(k, v.clone());
        Ok(v)
    }
}

/// Ids as sent, lower-cased when they are UUIDs (a malformed id simply matches nothing).
pub fn normalise_ids(ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|s| parse_uuid(s).unwrap_or_else(|| s.clone()))
        .collect()
}

/// `POST /v1/storage/search`.
pub async fn query(
    State(state): State<AppState>,
    Caller(caller): Caller,
    JsonBody(q): JsonBody<wire::QueryRequest>,
) -> ApiResult {
    let count = match q.count {
        None | Some(0) => DEFAULT_COUNT,
        Some(c) if (1..=MAX_COUNT).contains(&c) => c,
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid count: must be between 1 and 1000",
            ));
        }
    };
    if q.after_index < 0 {
        return Err(ApiError::bad_request(
            "invalid after_index: must not be negative",
        ));
    }
    let plain = match &q.plain {
        Some(v) => PlainFilter::parse(v).map_err(ApiError::bad_request)?,
        None => None,
    };
    let mut filter = RecordFilter {
        include_shared: q.include_all_writers,
        record_ids: normalise_ids(&q.record_ids),
        writer_ids: normalise_ids(&q.writer_ids),
        user_ids: normalise_ids(&q.user_ids),
        types: q.content_types.clone(),
        after_index: q.after_index,
        limit: Some(if plain.is_some() { SCAN_BATCH } else { count }),
        with_data: q.include_data,
    };
    let mut found: Vec<RecordRow> = Vec::new();
    'scan: loop {
        let batch = state.store.select_records(&caller.id, &filter).await?;
        let exhausted = (batch.len() as i64) < filter.limit.unwrap_or(0);
        for r in batch {
            filter.after_index = r.idx;
            if plain.as_ref().is_none_or(|p| p.matches(&r.plain)) {
                found.push(r);
                if found.len() as i64 == count {
                    break 'scan;
                }
            }
        }
        if exhausted {
            break;
        }
    }
    let last_index = found.last().map(|r| r.idx).unwrap_or(q.after_index);
    let mut keys = KeyCache::default();
    let mut results = Vec::with_capacity(found.len());
    for r in found {
        let access_key = if q.include_data {
            keys.get(&state, &caller.id, &r).await?
        } else {
            None
        };
        results.push(wire::QueryResult {
            meta: meta(&r),
            record_data: r.data.unwrap_or_default(),
            access_key,
            rec_sig: r.rec_sig,
        });
    }
    ok(&wire::QueryResponse {
        results,
        last_index,
    })
}
