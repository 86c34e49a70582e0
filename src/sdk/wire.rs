//! Serde types of the TozStore (E3DB) wire format, shared by the client and by toz-server.
//!
//! Section numbers refer to `shared/spec/tozstore-protocol.md`. The rule for every type here:
//! tolerant on input (missing fields take defaults, unknown fields are ignored, `null` where an
//! object is expected becomes an empty object) and exact on output (keys some SDK requires are
//! always present, keys some SDK chokes on are omitted, timestamps are the strings the server made).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// A string-to-string map (record `plain` meta, account profile meta). Sorted, so that output is
/// deterministic.
pub type StringMap = BTreeMap<String, String>;

/// Deserialises `null` (or a missing key, with `#[serde(default)]`) as `T::default()`.
/// GO sends `plain: null` for a nil map; PY omits it (§4.1).
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

// ---------------------------------------------------------------------------------------------
// Keys (§1.1, §2.1, §7)

/// `{"curve25519": "<b64url>"}`: a client's public encryption key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKey {
    /// Curve25519 public key, unpadded base64url (32 bytes).
    #[serde(default)]
    pub curve25519: String,
}

/// `{"ed25519": "<b64url>"}`, or `{}` when the client registered no signing key (§2.1,
/// Appendix C item 8: PY needs the key, JS throws on `null`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningKey {
    /// Ed25519 public key, unpadded base64url (32 bytes); omitted when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ed25519: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Registration and clients (§2.1, §2.3, §7)

/// The `client` object of a registration request (§2.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterClient {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Client type; only CGO sends it ("general", "identity", "broker"). Default "general".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// Public encryption key.
    #[serde(default)]
    pub public_key: PublicKey,
    /// Public signing key (optional: GO never sends it).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub signing_key: Option<SigningKey>,
}

/// `POST /v1/account/e3db/clients/register` body (§2.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    /// The registration token.
    #[serde(default)]
    pub token: String,
    /// The client to create.
    #[serde(default)]
    pub client: RegisterClient,
}

/// A client as the account/registration APIs describe it (§2.1 response, §2.3 admin listing).
/// `api_secret` is present only in the registration (or account creation) response, once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientDetails {
    /// Client UUID, lower-case.
    pub client_id: String,
    /// OAuth client-credentials id.
    #[serde(default)]
    pub api_key_id: String,
    /// OAuth secret; only ever returned at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_secret: Option<String>,
    /// Display name as registered.
    #[serde(default)]
    pub name: String,
    /// Client type ("general", ...).
    #[serde(default)]
    pub r#type: String,
    /// Disabled clients cannot authenticate.
    #[serde(default)]
    pub enabled: bool,
    /// Set by the credential backup call (§2.2).
    #[serde(default)]
    pub has_backup: bool,
    /// Public encryption key.
    #[serde(default)]
    pub public_key: PublicKey,
    /// Public signing key, `{}` when none (never `null`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub signing_key: SigningKey,
    /// When the client was registered (`...ffffffZ`); omitted when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

/// `GET /v1/storage/clients/<id>` response (§7). `signing_key` is `null` when absent: JV requires
/// the key, JS tolerates `null`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInfo {
    /// Client UUID, lower-case.
    pub client_id: String,
    /// Public encryption key.
    #[serde(default)]
    pub public_key: PublicKey,
    /// Public signing key or null.
    #[serde(default)]
    pub signing_key: Option<SigningKey>,
    /// Always true for registered clients.
    #[serde(default)]
    pub validated: bool,
}

/// `GET /v1/client/admin` response (§2.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientList {
    /// One page of the account's clients.
    #[serde(default, deserialize_with = "null_as_default")]
    pub clients: Vec<ClientDetails>,
    /// Offset of the next page, 0 when this is the last one.
    #[serde(default)]
    pub next_token: i64,
}

/// `PATCH /v1/client/admin/<id>/enable` body (§2.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnableRequest {
    /// New state.
    pub enabled: bool,
}

// ---------------------------------------------------------------------------------------------
// OAuth (§3.1)

/// `POST /v1/auth/token` response. All four fields are sent because each SDK reads a different
/// subset (Appendix C item 3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// Opaque bearer token.
    pub access_token: String,
    /// Always "Bearer".
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: i64,
    /// Expiry as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub expires_at: String,
}

// ---------------------------------------------------------------------------------------------
// Records (§4.1, §4.2)

/// Record metadata. On input every server-assigned field may be absent; on output they are all
/// present (SW decodes them as non-optional) and `file_meta` is omitted for ordinary records
/// (JS treats any object-typed value, `null` included, as a file).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Server-assigned record UUID.
    #[serde(default)]
    pub record_id: Option<String>,
    /// Writer client UUID (== caller on write).
    #[serde(default)]
    pub writer_id: String,
    /// Subject client UUID (== writer in every SDK).
    #[serde(default)]
    pub user_id: String,
    /// Record type.
    #[serde(default)]
    pub r#type: String,
    /// Plaintext metadata; `null` on input is `{}`, always an object on output.
    #[serde(default, deserialize_with = "null_as_default")]
    pub plain: StringMap,
    /// Server-assigned creation time.
    #[serde(default)]
    pub created: Option<String>,
    /// Server-assigned time of the last write.
    #[serde(default)]
    pub last_modified: Option<String>,
    /// Server-assigned version UUID, new on every update.
    #[serde(default)]
    pub version: Option<String>,
    /// File metadata (§8.2), only for file records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_meta: Option<serde_json::Value>,
}

/// A record: meta, encrypted data fields (`EDK.EDKN.EF.EFN` strings keyed by plaintext field
/// names, §4.3) and an optional opaque record signature (§9.1).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Metadata.
    #[serde(default)]
    pub meta: Meta,
    /// Encrypted fields; `null` on input is `{}`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: StringMap,
    /// Opaque signature, returned unchanged; omitted when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rec_sig: Option<String>,
}

/// `DELETE /v2/storage/records/bulk/delete` body (§4.2).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkDeleteRequest {
    /// Records to delete.
    #[serde(default, deserialize_with = "null_as_default")]
    pub record_ids: Vec<String>,
}

/// One failure in a bulk delete.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkDeleteError {
    /// "Not Found" or "Forbidden".
    pub error: String,
    /// The record id as sent.
    pub record_id: String,
}

/// Bulk delete response: failures grouped by writer id, `"N/A"` for records that do not exist.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkDeleteResponse {
    /// Failures by group.
    #[serde(default)]
    pub record_delete_error: BTreeMap<String, Vec<BulkDeleteError>>,
}

// ---------------------------------------------------------------------------------------------
// Access keys (§4.4)

/// `PUT /v1/storage/access_keys/<w>/<u>/<r>/<type>` body; CGO's extra Go-named fields are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutEakRequest {
    /// `b64url(box(ak)) "." b64url(nonce)`; not validated by the server.
    pub eak: String,
}

/// `PUT` access key response: string-valued fields only (CGO decodes them as strings).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutEakResponse {
    /// The stored EAK.
    pub eak: String,
    /// The client that put it.
    #[serde(default)]
    pub authorizer_id: String,
}

/// A wrapper for group-delivered keys (Appendix A); never produced by toz-server yet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKeyWrapper {
    /// Encrypted membership key.
    #[serde(default)]
    pub membership_key: String,
    /// Public key to open the next layer with.
    #[serde(default)]
    pub public_key: String,
    /// Access key id.
    #[serde(default)]
    pub access_key_id: String,
    /// The group's public key.
    #[serde(default)]
    pub group_public_key: String,
}

/// `GET /v1/storage/access_keys/...` response and the `access_key` of query/search results.
/// `signer_signing_key` is always present (JV), `null` when the authorizer has no signing key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EakInfo {
    /// The encrypted access key.
    pub eak: String,
    /// Client that put the EAK (its private key boxed it).
    pub authorizer_id: String,
    /// That client's public key: open the EAK with it.
    pub authorizer_public_key: PublicKey,
    /// Equal to `authorizer_id`.
    #[serde(default)]
    pub signer_id: Option<String>,
    /// The authorizer's signing key, or null.
    #[serde(default)]
    pub signer_signing_key: Option<SigningKey>,
    /// Group key wrappers; omitted for direct keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_wrappers: Option<Vec<AccessKeyWrapper>>,
}

// ---------------------------------------------------------------------------------------------
// Policies and sharing (§5)

/// One entry of an `allow` or `deny` list: exactly one of the keys is set, each to `{}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyAction {
    /// Read records of the type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<serde_json::Value>,
    /// Share the type on the writer's behalf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer: Option<serde_json::Value>,
    /// Edit shared records (JS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<serde_json::Value>,
}

/// `PUT /v1/storage/policy/<user>/<writer>/<reader>/<type>` body (§5.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRequest {
    /// Grants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow: Option<Vec<PolicyAction>>,
    /// Revocations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny: Option<Vec<PolicyAction>>,
}

impl PolicyRequest {
    /// `{"allow":[{"read":{}}]}`.
    pub fn allow_read() -> Self {
        PolicyRequest {
            allow: Some(vec![PolicyAction::read()]),
            deny: None,
        }
    }
    /// `{"deny":[{"read":{}}]}`.
    pub fn deny_read() -> Self {
        PolicyRequest {
            allow: None,
            deny: Some(vec![PolicyAction::read()]),
        }
    }
    /// `{"allow":[{"authorizer":{}}]}`.
    pub fn allow_authorizer() -> Self {
        PolicyRequest {
            allow: Some(vec![PolicyAction::authorizer()]),
            deny: None,
        }
    }
    /// `{"deny":[{"authorizer":{}}]}`.
    pub fn deny_authorizer() -> Self {
        PolicyRequest {
            allow: None,
            deny: Some(vec![PolicyAction::authorizer()]),
        }
    }
}

impl PolicyAction {
    fn empty() -> Option<serde_json::Value> {
        Some(serde_json::Value::Object(Default::default()))
    }
    /// `{"read":{}}`.
    pub fn read() -> Self {
        PolicyAction {
            read: Self::empty(),
            ..Default::default()
        }
    }
    /// `{"authorizer":{}}`.
    pub fn authorizer() -> Self {
        PolicyAction {
            authorizer: Self::empty(),
            ..Default::default()
        }
    }
    /// `{"edit":{}}`.
    pub fn edit() -> Self {
        PolicyAction {
            edit: Self::empty(),
            ..Default::default()
        }
    }
}

/// `GET /v1/storage/policy/outgoing` entry (§5.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingSharing {
    /// Reader the caller shares with.
    pub reader_id: String,
    /// Its registered name.
    #[serde(default)]
    pub reader_name: String,
    /// Shared type.
    pub record_type: String,
}

/// `GET /v1/storage/policy/incoming` entry (§5.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingSharing {
    /// Writer sharing with the caller.
    pub writer_id: String,
    /// Its registered name.
    #[serde(default)]
    pub writer_name: String,
    /// Shared type.
    pub record_type: String,
}

/// `GET /v1/storage/policy/{proxies,granted}` entry (§5.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizerPolicy {
    /// The authorizer.
    pub authorizer_id: String,
    /// Writer whose records it may share.
    pub writer_id: String,
    /// Equal to `writer_id`.
    pub user_id: String,
    /// Type it may share.
    pub record_type: String,
    /// The writer who appointed it.
    pub authorized_by: String,
}

/// `POST /v2/storage/share/{outgoing,incoming}` body (§5.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareListRequest {
    /// Offset of the page.
    #[serde(default)]
    pub next_token: Option<serde_json::Value>,
    /// Page size.
    #[serde(default)]
    pub limit: Option<i64>,
    /// Filter by reader (outgoing).
    #[serde(default)]
    pub reader_id: Option<String>,
    /// Filter by writer (incoming).
    #[serde(default)]
    pub writer_id: Option<String>,
    /// Filter by type.
    #[serde(default)]
    pub record_type: Option<String>,
}

/// One entry of a v2 share listing; `reader_id` for outgoing, `writer_id` for incoming.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareEntry {
    /// Reader (outgoing listings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader_id: Option<String>,
    /// Writer (incoming listings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer_id: Option<String>,
    /// Shared type.
    pub record_type: String,
}

/// v2 share listing response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareListResponse {
    /// One page.
    #[serde(default, deserialize_with = "null_as_default")]
    pub shares: Vec<ShareEntry>,
    /// Offset of the next page, 0 at the end.
    #[serde(default)]
    pub next_token: i64,
}

// ---------------------------------------------------------------------------------------------
// Query v1 (§6.1)

/// `POST /v1/storage/search` body. Absent fields take defaults; `plain` is the structured filter
/// (`eq`/`and`/`or`/`not`) or a flat string map (AND of equalities).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryRequest {
    /// Page size (server default 50, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// Return encrypted data and the caller's access key.
    #[serde(default)]
    pub include_data: bool,
    /// Writers to include (OR).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub writer_ids: Vec<String>,
    /// Users to include (OR).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub user_ids: Vec<String>,
    /// Records to include (OR).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub record_ids: Vec<String>,
    /// Types to include (OR).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub content_types: Vec<String>,
    /// Plain-meta filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plain: Option<serde_json::Value>,
    /// Only records whose index is greater.
    #[serde(default)]
    pub after_index: i64,
    /// Also records shared with the caller.
    #[serde(default)]
    pub include_all_writers: bool,
}

/// One v1 query result. `access_key` is always present (Appendix C item 10).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryResult {
    /// Record meta.
    pub meta: Meta,
    /// Encrypted data, `{}` without include_data.
    #[serde(default, deserialize_with = "null_as_default")]
    pub record_data: StringMap,
    /// The caller's EAK for the record's type, or null.
    #[serde(default)]
    pub access_key: Option<EakInfo>,
    /// Record signature, omitted when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rec_sig: Option<String>,
}

/// v1 query response.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryResponse {
    /// One page, `[]` when empty.
    #[serde(default, deserialize_with = "null_as_default")]
    pub results: Vec<QueryResult>,
    /// Index of the last result; send back as `after_index`.
    #[serde(default)]
    pub last_index: i64,
}

// ---------------------------------------------------------------------------------------------
// Search v2 (§6.2)

/// The `terms` of one search parameter block.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchTerms {
    /// Writer ids.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub writer_ids: Vec<String>,
    /// User ids.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub user_ids: Vec<String>,
    /// Record ids.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub record_ids: Vec<String>,
    /// Record types.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub content_types: Vec<String>,
    /// Plain meta keys.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub keys: Vec<String>,
    /// Plain meta values.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub values: Vec<String>,
    /// Plain meta key/value pairs.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "StringMap::is_empty"
    )]
    pub tags: StringMap,
    /// Readers the record type is shared with.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub shared_with: Vec<String>,
}

/// One `match` or `exclude` block.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchParams {
    /// "OR" (default): any term; "AND": every term.
    #[serde(default)]
    pub condition: Option<String>,
    /// "EXACT" (default), "FUZZY", "WILDCARD" or "REGEXP".
    #[serde(default)]
    pub strategy: Option<String>,
    /// The terms.
    #[serde(default, deserialize_with = "null_as_default")]
    pub terms: SearchTerms,
}

/// Time range filter; PY sends `{}` when unset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRange {
    /// "CREATED" (default) or "MODIFIED".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range_key: Option<String>,
    /// RFC 3339 lower bound (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// RFC 3339 upper bound (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

/// Result ordering (JS).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchOrder {
    /// "ASCENDING" (default) or "DESCENDING".
    #[serde(default)]
    pub sort_order: Option<String>,
}

/// `POST /v2/search` body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// Page size: 0 or absent = 50, at most 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Offset from a previous `last_index` (number or numeric string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<serde_json::Value>,
    /// Also records shared with the caller.
    #[serde(default)]
    pub include_all_writers: bool,
    /// Return encrypted data and access keys.
    #[serde(default)]
    pub include_data: bool,
    /// ORed blocks; empty = everything.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub r#match: Vec<SearchParams>,
    /// Blocks whose matches are removed.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub exclude: Vec<SearchParams>,
    /// Time range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<SearchRange>,
    /// Ordering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<SearchOrder>,
}

/// One v2 search result.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// Record meta.
    pub meta: Meta,
    /// Encrypted data, `null` without include_data.
    #[serde(default)]
    pub record_data: Option<StringMap>,
    /// The caller's EAK, or null.
    #[serde(default)]
    pub access_key: Option<EakInfo>,
    /// Always null: groups are not implemented.
    #[serde(default)]
    pub group_access_key: Option<serde_json::Value>,
    /// "DIRECT" (anything but "GROUP").
    #[serde(default)]
    pub sharing_model: String,
    /// Record signature, omitted when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rec_sig: Option<String>,
}

/// v2 search response: all four keys always present.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    /// One page.
    #[serde(default, deserialize_with = "null_as_default")]
    pub results: Vec<SearchResult>,
    /// Offset of the next page; 0 when there is none.
    #[serde(default)]
    pub last_index: i64,
    /// Number of matches over all pages.
    #[serde(default)]
    pub total_results: i64,
    /// Opaque id of this search.
    #[serde(default)]
    pub search_id: String,
}

// ---------------------------------------------------------------------------------------------
// Account API (§2.3)

/// `profile` of a signup request and of account responses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Account id (responses only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Login e-mail (lower-cased by the server).
    #[serde(default)]
    pub email: String,
    /// Salt of the password signing key (b64url).
    #[serde(default)]
    pub auth_salt: String,
    /// Salt of the password encryption key (b64url).
    #[serde(default)]
    pub enc_salt: String,
    /// Password-derived Ed25519 public key.
    #[serde(default, deserialize_with = "null_as_default")]
    pub signing_key: SigningKey,
    /// Salt of the paper-key signing key.
    #[serde(default)]
    pub paper_auth_salt: String,
    /// Salt of the paper-key encryption key.
    #[serde(default)]
    pub paper_enc_salt: String,
    /// Paper-key-derived Ed25519 public key.
    #[serde(default, deserialize_with = "null_as_default")]
    pub paper_signing_key: SigningKey,
    /// Responses only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

/// `account` of a signup request and of account responses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// Account id (responses only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Company name.
    #[serde(default)]
    pub company: String,
    /// Plan name ("free0").
    #[serde(default)]
    pub plan: String,
    /// The queen client's public key.
    #[serde(default)]
    pub public_key: PublicKey,
    /// The queen client's signing key.
    #[serde(default, deserialize_with = "null_as_default")]
    pub signing_key: SigningKey,
    /// The queen client (responses only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientDetails>,
}

/// `POST /v1/account/profile` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupRequest {
    /// The login profile.
    #[serde(default)]
    pub profile: Profile,
    /// The account and its queen client keys.
    #[serde(default)]
    pub account: AccountInfo,
}

/// Signup and login response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSession {
    /// Account session token (`Authorization: Bearer <token>` on the account API).
    pub token: String,
    /// The profile.
    pub profile: Profile,
    /// The account, with its queen client.
    pub account: AccountInfo,
}

/// `POST /v1/account/challenge` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeRequest {
    /// Account e-mail.
    #[serde(default)]
    pub email: String,
}

/// `POST /v1/account/challenge` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeResponse {
    /// Random challenge (b64url) to sign.
    pub challenge: String,
    /// Salt to derive the password signing key.
    pub auth_salt: String,
    /// Salt to derive the paper signing key.
    pub paper_auth_salt: String,
}

/// `POST /v1/account/auth` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthRequest {
    /// Account e-mail.
    #[serde(default)]
    pub email: String,
    /// The challenge as received.
    #[serde(default)]
    pub challenge: String,
    /// b64url Ed25519 signature over the decoded challenge bytes.
    #[serde(default)]
    pub response: String,
    /// "password" (default) or "paper".
    #[serde(default)]
    pub keyid: String,
}

/// Registration token permissions (§2.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPermissions {
    /// A disabled token registers nothing.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Exactly one registration.
    #[serde(default)]
    pub one_time: bool,
    /// Client types it may register; empty = any.
    #[serde(default, deserialize_with = "null_as_default")]
    pub allowed_types: Vec<String>,
}

impl Default for TokenPermissions {
    fn default() -> Self {
        TokenPermissions {
            enabled: true,
            one_time: false,
            allowed_types: Vec::new(),
        }
    }
}

fn default_true() -> bool {
    true
}

/// `POST /v1/account/tokens` body. `expires_at` (RFC 3339) is a toz-server extension.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTokenRequest {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Permissions.
    #[serde(default, deserialize_with = "null_as_default")]
    pub permissions: TokenPermissions,
    /// Maximum registrations; 0 or absent = unlimited (1 when one_time).
    #[serde(default)]
    pub total_uses_allowed: Option<i64>,
    /// Optional expiry (toz extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// A registration token as the account API returns it. `token` is the raw secret only in the
/// creation response; listings put the public `id` there instead, because the server keeps only a
/// hash (a documented toz-server deviation). DELETE accepts either.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationToken {
    /// Raw token (creation) or public id (listing).
    pub token: String,
    /// Public id of the token.
    #[serde(default)]
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Permissions.
    #[serde(default)]
    pub permissions: TokenPermissions,
    /// Registrations so far.
    #[serde(default)]
    pub uses: i64,
    /// Maximum registrations, 0 = unlimited.
    #[serde(default)]
    pub total_uses_allowed: i64,
    /// Expiry, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub created: String,
}

/// The `{"error": "..."}` body of every toz-server error response (§10).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Human-readable message (never contains secrets or record data).
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn record_input_is_tolerant() {
        let r: Record = serde_json::from_value(json!({
            "meta": {"writer_id": "w", "user_id": "w", "type": "t", "plain": null,
                     "created": "0001-01-01T00:00:00Z", "extra": 1},
            "data": {"f": "x"}, "rec_sig": null, "is_secret": false
        }))
        .unwrap();
        assert!(r.meta.plain.is_empty());
        assert_eq!(r.rec_sig, None);
    }

    #[test]
    fn record_output_is_exact() {
        let mut r = Record::default();
        r.meta.record_id = Some("id".into());
        let v = serde_json::to_value(&r).unwrap();
        assert!(v["meta"].get("file_meta").is_none());
        assert_eq!(v["meta"]["plain"], json!({}));
        assert!(v.get("rec_sig").is_none());
    }

    #[test]
    fn signing_key_is_an_empty_object_when_absent() {
        let c = ClientDetails::default();
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["signing_key"], json!({}));
        assert!(v.get("api_secret").is_none());
        let back: ClientDetails =
            serde_json::from_value(json!({"client_id": "x", "signing_key": null})).unwrap();
        assert_eq!(back.signing_key.ed25519, None);
    }

    #[test]
    fn eak_info_always_has_signer_signing_key() {
        let v = serde_json::to_value(EakInfo::default()).unwrap();
        assert!(v.as_object().unwrap().contains_key("signer_signing_key"));
        assert!(v.get("access_key_wrappers").is_none());
    }

    #[test]
    fn policy_bodies() {
        assert_eq!(
            serde_json::to_value(PolicyRequest::allow_read()).unwrap(),
            json!({"allow":[{"read":{}}]})
        );
        assert_eq!(
            serde_json::to_value(PolicyRequest::deny_authorizer()).unwrap(),
            json!({"deny":[{"authorizer":{}}]})
        );
    }

    #[test]
    fn note_input_tolerates_nulls_and_output_omits_eacp() {
        let n: Note = serde_json::from_value(json!({
            "note_id": null, "id_string": null, "mode": "sodium", "recipient_signing_key": "r",
            "writer_signing_key": "w", "writer_encryption_key": "e", "encrypted_access_key": "k",
            "data": {"a": "b"}, "plain": null, "max_views": null, "views": null, "expires": null,
            "eacp": null, "created_at": null, "is_secret": false
        }))
        .unwrap();
        assert_eq!((n.max_views, n.views, n.expires), (-1, 0, false));
        let v = serde_json::to_value(&n).unwrap();
        assert!(v.get("eacp").is_none() && v.get("file_meta").is_none());
        assert_eq!(v["mode"], "sodium");
    }

    #[test]
    fn file_meta_out_has_every_key() {
        let v = serde_json::to_value(FileMetaOut::default()).unwrap();
        for k in ["file_url", "file_name", "checksum", "compression", "size"] {
            assert!(v.get(k).is_some(), "{k}");
        }
    }

    #[test]
    fn token_permissions_default_enabled() {
        let t: CreateTokenRequest =
            serde_json::from_value(json!({"name": "n", "permissions": {"one_time": true}}))
                .unwrap();
        assert!(t.permissions.enabled && t.permissions.one_time);
    }
}

// ---------------------------------------------------------------------------------------------
// Notes (§8.1)

fn unlimited_views() -> i64 {
    -1
}

/// `max_views`: absent or `null` (PY sends nulls for unset keys) means unlimited.
fn views_or_unlimited<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(Option::<i64>::deserialize(d)?.unwrap_or(-1))
}

/// A note as written to and returned by `/v2/storage/notes`. `eacp` and `file_meta` are
/// omitted when absent (JS crashes on `"eacp": null`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// Server-assigned id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_id: Option<String>,
    /// Optional globally unique name; "" for anonymous writers.
    #[serde(default, deserialize_with = "null_as_default")]
    pub id_string: String,
    /// Writer client id (registered writers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// "Sodium" (JS, CGO) or "sodium" (PY); stored verbatim.
    #[serde(default, deserialize_with = "null_as_default")]
    pub mode: String,
    /// The recipient's Ed25519 public key: only its holder may read the note.
    pub recipient_signing_key: String,
    /// The writer's Ed25519 public key (verifies the signatures).
    pub writer_signing_key: String,
    /// The writer's Curve25519 public key (opens the EAK).
    pub writer_encryption_key: String,
    /// The note's access key boxed from writer to recipient.
    pub encrypted_access_key: String,
    /// Free-form type.
    #[serde(default, deserialize_with = "null_as_default")]
    pub r#type: String,
    /// Signed-then-encrypted fields.
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: StringMap,
    /// Plaintext metadata.
    #[serde(default, deserialize_with = "null_as_default")]
    pub plain: StringMap,
    /// File metadata (note files); omitted when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_meta: Option<serde_json::Value>,
    /// Signed object salt (§9.3).
    #[serde(default, deserialize_with = "null_as_default")]
    pub signature: String,
    /// Reads allowed; -1 = unlimited (the default; also for `null`).
    #[serde(default = "unlimited_views", deserialize_with = "views_or_unlimited")]
    pub max_views: i64,
    /// Reads so far.
    #[serde(default, deserialize_with = "null_as_default")]
    pub views: i64,
    /// Expiry time (RFC 3339); honoured when `expires` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    /// Whether `expiration` applies.
    #[serde(default, deserialize_with = "null_as_default")]
    pub expires: bool,
    /// Extended access control policies; omitted when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eacp: Option<serde_json::Value>,
    /// Server-assigned creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Files (§8.2)

/// `file_meta` of a file record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMeta {
    /// Where to download (or, pending, upload) the encrypted bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_url: Option<String>,
    /// Name given at upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Standard padded base64 of the MD5 of the encrypted file. Left out of a single-pass
    /// announcement to toz-server, which computes it from the bytes it receives.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub checksum: String,
    /// Always "raw".
    #[serde(default)]
    pub compression: String,
    /// Encrypted size in bytes.
    #[serde(default)]
    pub size: u64,
}

/// `file_meta` as the server returns it on a committed file record: every key is present,
/// because PY indexes each one (§8.2). `file_url` is a download URL only in the answer to
/// `GET /v1/storage/files/<id>`, and `""` elsewhere; `file_name` is `""` when none was given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMetaOut {
    /// Download URL, or `""`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub file_url: String,
    /// Name given at upload, or `""`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub file_name: String,
    /// Standard padded base64 of the MD5 of the encrypted file.
    #[serde(default)]
    pub checksum: String,
    /// "raw".
    #[serde(default)]
    pub compression: String,
    /// Encrypted size in bytes.
    #[serde(default)]
    pub size: u64,
}

/// The toz-server feature that lets a client announce a file without its checksum and upload it
/// in the same pass as it encrypts it (docs/compatibility.md).
pub const FEATURE_SINGLE_PASS_UPLOAD: &str = "single-pass-file-upload";

/// `GET /v1/toz/server` (toz-server only, no authentication): what this server is and which
/// extensions of the TozStore protocol it offers. Other servers answer 404.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// "toz-server".
    #[serde(default)]
    pub server: String,
    /// The server's version.
    #[serde(default)]
    pub version: String,
    /// Protocol extensions offered, e.g. [`FEATURE_SINGLE_PASS_UPLOAD`].
    #[serde(default)]
    pub features: Vec<String>,
}

/// `POST /v1/storage/files` response (202).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingFile {
    /// Pending upload id, committed with `PATCH /v1/storage/files/<id>`.
    pub id: String,
    /// Where to `PUT` the encrypted bytes (no Authorization).
    pub file_url: String,
}
