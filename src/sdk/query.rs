//! Query v1 (`/v1/storage/search`) and search v2 (`/v2/search`), decrypting results (spec §6).

use serde::Serialize;

use super::client::Client;
use super::error::Result;
use super::http::{Method, Request};
use super::records::PlainRecord;
use super::wire;

/// One page of query results: `{"results":[record...],"last_index":N}`; pass `last_index`
/// back as `after_index` for the next page.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QueryPage {
    /// Records, decrypted when the query asked for data.
    pub results: Vec<PlainRecord>,
    /// Paging cursor.
    pub last_index: i64,
}

/// One page of search results: `{"results":[...],"last_index":N,"total_results":N}`;
/// `last_index` 0 means there are no more pages, otherwise send it as `next_token`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SearchPage {
    /// Records, decrypted when the search asked for data.
    pub results: Vec<PlainRecord>,
    /// Offset of the next page; 0 at the end.
    pub last_index: i64,
    /// All matches, across pages.
    pub total_results: i64,
}

impl Client {
    /// Runs a v1 query. With `include_data` every result's fields are decrypted, using the
    /// access key that came with it when present.
    pub fn query(&self, request: &wire::QueryRequest) -> Result<QueryPage> {
        let response: wire::QueryResponse =
            self.call(Request::new(Method::Post, "/v1/storage/search").json(request)?)?;
        let results = response
            .results
            .into_iter()
            .map(|r| self.decrypt_record(r.meta, &r.record_data, r.access_key.as_ref()))
            .collect::<Result<_>>()?;
        Ok(QueryPage {
            results,
            last_index: response.last_index,
        })
    }

    /// Runs a v2 search, decrypting data when `include_data`.
    pub fn search(&self, request: &wire::SearchRequest) -> Result<SearchPage> {
        let response: wire::SearchResponse =
            self.call(Request::new(Method::Post, "/v2/search").json(request)?)?;
        let results = response
            .results
            .into_iter()
            .map(|r| {
                let data = r.record_data.unwrap_or_default();
                self.decrypt_record(r.meta, &data, r.access_key.as_ref())
            })
            .collect::<Result<_>>()?;
        Ok(SearchPage {
            results,
            last_index: response.last_index,
            total_results: response.total_results,
        })
    }
}
