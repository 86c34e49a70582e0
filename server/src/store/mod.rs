//! The store interface: every persistent operation the HTTP layer needs, each one transaction.
//!
//! [`Store`] is implemented by [`sql::SqlStore`] for the two backends, [`sqlite::Sqlite`] (the
//! embedded default) and [`postgres::Postgres`] (several servers, one database). The SQL is the
//! same for both wherever the two databases agree (`$N` parameters, `ON CONFLICT`, `RETURNING`);
//! a backend only supplies its connection setup, its DDL types and how it begins a write.
//! Operations that check permissions and then write do both inside the same transaction, so a
//! concurrent revoke can never be half-observed.

pub mod postgres;
pub mod sql;
mod sql_files;
mod sql_notes;
pub mod sqlite;

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use toz::sdk::wire::{self, FileMeta, Profile, StringMap};

pub use crate::eacp::Gate;

/// Why a store operation failed. The HTTP layer maps each kind to a status code.
#[derive(Debug)]
pub enum StoreError {
    /// 400: the request is well-formed JSON but not acceptable.
    BadRequest(String),
    /// 403: authenticated but not allowed.
    Forbidden(String),
    /// 404.
    NotFound(String),
    /// 409: stale version or already exists.
    Conflict(String),
    /// 500: the database failed; the message is logged, never sent.
    Db(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Db(e)
    }
}

/// Result of a store operation.
pub type Result<T> = std::result::Result<T, StoreError>;

/// A shared handle to a store.
pub type DynStore = Arc<dyn Store>;

/// A registered client. Only public keys and a hash of the API secret are kept.
#[derive(Clone, Debug)]
pub struct ClientRow {
    /// UUID.
    pub id: String,
    /// Owning account.
    pub account_id: String,
    /// Display name.
    pub name: String,
    /// Client type ("general", ...).
    pub client_type: String,
    /// Disabled clients cannot authenticate.
    pub enabled: bool,
    /// Set by the credential backup call.
    pub has_backup: bool,
    /// Curve25519 public key, b64url.
    pub public_key: String,
    /// Ed25519 public key, b64url.
    pub signing_key: Option<String>,
    /// OAuth client id.
    pub api_key_id: String,
    /// BLAKE2b hash of the API secret.
    pub api_secret_hash: String,
    /// Creation time, Unix microseconds.
    pub created: i64,
}

/// An account and its login profile.
#[derive(Clone, Debug)]
pub struct AccountRow {
    /// UUID.
    pub id: String,
    /// Lower-cased e-mail, unique.
    pub email: String,
    /// Company name.
    pub company: String,
    /// Plan name.
    pub plan: String,
    /// Salts and password/paper signing public keys (no secrets).
    pub profile: Profile,
    /// Dashboard meta map (encrypted blobs made by the browser).
    pub meta: StringMap,
    /// The backup ("queen") client.
    pub queen_client_id: String,
}

/// A registration token (the token itself is only hashed).
#[derive(Clone, Debug)]
pub struct TokenRow {
    /// Public id.
    pub id: String,
    /// Owning account.
    pub account_id: String,
    /// Display name.
    pub name: String,
    /// Permission: usable at all.
    pub enabled: bool,
    /// Permission: exactly one registration.
    pub one_time: bool,
    /// Permission: client types allowed, empty = any.
    pub allowed_types: Vec<String>,
    /// Registrations so far.
    pub uses: i64,
    /// Maximum registrations, 0 = unlimited.
    pub total_uses_allowed: i64,
    /// Expiry (µs), if any.
    pub expires_at: Option<i64>,
    /// Creation time (µs).
    pub created: i64,
}

/// A stored record.
#[derive(Clone, Debug)]
pub struct RecordRow {
    /// Query index (monotonic per database).
    pub idx: i64,
    /// UUID.
    pub id: String,
    /// Writer.
    pub writer_id: String,
    /// Subject (== writer).
    pub user_id: String,
    /// Record type.
    pub record_type: String,
    /// Plaintext meta.
    pub plain: StringMap,
    /// Encrypted fields; None when not loaded.
    pub data: Option<StringMap>,
    /// Opaque record signature.
    pub rec_sig: Option<String>,
    /// µs.
    pub created: i64,
    /// µs.
    pub last_modified: i64,
    /// Version UUID.
    pub version: String,
    /// The bytes of a file record (§8.2); None for ordinary records.
    pub file: Option<StoredFile>,
}

/// Where a file record's encrypted bytes are and what they are.
#[derive(Clone, Debug)]
pub struct StoredFile {
    /// Blob key (`file:<uuid>` or `lo:<oid>`, see `crate::blobs`).
    pub blob_key: String,
    /// Name, checksum, compression and size (`file_url` is always None here).
    pub meta: FileMeta,
}

/// A record to insert (meta already validated by the caller).
#[derive(Clone, Debug)]
pub struct NewRecord {
    /// Writer (== caller).
    pub writer_id: String,
    /// Subject (== writer).
    pub user_id: String,
    /// Record type.
    pub record_type: String,
    /// Plaintext meta.
    pub plain: StringMap,
    /// Encrypted fields.
    pub data: StringMap,
    /// Opaque record signature.
    pub rec_sig: Option<String>,
}

/// The new content of an updated record (its ids and type never change).
#[derive(Clone, Debug)]
pub struct RecordChange {
    /// Plaintext meta.
    pub plain: StringMap,
    /// Encrypted fields.
    pub data: StringMap,
    /// Opaque record signature.
    pub rec_sig: Option<String>,
}

/// A client to insert.
#[derive(Clone, Debug)]
pub struct NewClient {
    /// Display name.
    pub name: String,
    /// Client type.
    pub client_type: String,
    /// Curve25519 public key.
    pub public_key: String,
    /// Ed25519 public key.
    pub signing_key: Option<String>,
    /// OAuth client id.
    pub api_key_id: String,
    /// Hash of the API secret.
    pub api_secret_hash: String,
}

/// An account to create together with its queen client.
#[derive(Clone, Debug)]
pub struct NewAccount {
    /// Lower-cased e-mail.
    pub email: String,
    /// Company name.
    pub company: String,
    /// Plan.
    pub plan: String,
    /// Profile (salts and public keys only).
    pub profile: Profile,
    /// The queen client.
    pub queen: NewClient,
}

/// The (writer, user, reader, type) address of an access key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EakKey {
    /// Writer.
    pub writer_id: String,
    /// User.
    pub user_id: String,
    /// Reader.
    pub reader_id: String,
    /// Record type.
    pub record_type: String,
}

/// A stored EAK with its authorizer's public keys.
#[derive(Clone, Debug)]
pub struct EakRow {
    /// The EAK string.
    pub eak: String,
    /// Client that put it.
    pub authorizer_id: String,
    /// Its Curve25519 key.
    pub authorizer_public_key: String,
    /// Its Ed25519 key.
    pub authorizer_signing_key: Option<String>,
}

/// One flag change of a policy: None leaves the flag alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PolicyChange {
    /// Read flag.
    pub read: Option<bool>,
    /// Authorizer flag.
    pub authorizer: Option<bool>,
    /// Edit flag.
    pub edit: Option<bool>,
}

/// Which policies to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyListing {
    /// Read grants the caller made (caller is the owner).
    Outgoing,
    /// Read grants to the caller.
    Incoming,
    /// Authorizers the caller appointed.
    Proxies,
    /// Authorizer grants to the caller.
    Granted,
}

/// One listed policy; `other_*` is the reader (outgoing, proxies) or the owner (incoming, granted).
#[derive(Clone, Debug)]
pub struct PolicyRow {
    /// Writer / owner.
    pub owner_id: String,
    /// Reader / authorizer.
    pub reader_id: String,
    /// Record type.
    pub record_type: String,
    /// The other party's registered name.
    pub other_name: String,
}

/// SQL-level record selection for query v1 and search v2 (everything but plain-meta matching).
#[derive(Clone, Debug, Default)]
pub struct RecordFilter {
    /// Include records shared with the caller through read policies.
    pub include_shared: bool,
    /// Only these records (empty = any).
    pub record_ids: Vec<String>,
    /// Only these writers.
    pub writer_ids: Vec<String>,
    /// Only these users.
    pub user_ids: Vec<String>,
    /// Only these types.
    pub types: Vec<String>,
    /// Only records with a greater index.
    pub after_index: i64,
    /// At most this many.
    pub limit: Option<i64>,
    /// Load the encrypted data too.
    pub with_data: bool,
}

/// A stored note (§8.1). The key columns are normalised (unpadded b64url); `body` is the note as
/// written, with the server's choices (`id_string`, `client_id`) already applied.
#[derive(Clone, Debug)]
pub struct NoteRow {
    /// UUID.
    pub note_id: String,
    /// Global name, None when unnamed.
    pub id_string: Option<String>,
    /// Registered writer, None for anonymous notes.
    pub client_id: Option<String>,
    /// Only the holder of this key may read the note.
    pub recipient_signing_key: String,
    /// The writer's key; signing with it authorises deletion.
    pub writer_signing_key: String,
    /// Reads allowed; <= 0 is unlimited.
    pub max_views: i64,
    /// Reads so far.
    pub views: i64,
    /// Whether `expiration` applies.
    pub expires: bool,
    /// Expiry (µs).
    pub expiration: i64,
    /// Creation time (µs).
    pub created: i64,
    /// The rest of the note.
    pub body: wire::Note,
}

/// A note to insert.
#[derive(Clone, Debug)]
pub struct NewNote {
    /// Global name, None when unnamed.
    pub id_string: Option<String>,
    /// Registered writer.
    pub client_id: Option<String>,
    /// Normalised recipient signing key.
    pub recipient_signing_key: String,
    /// Normalised writer signing key.
    pub writer_signing_key: String,
    /// Reads allowed; <= 0 is unlimited.
    pub max_views: i64,
    /// Whether `expiration` applies.
    pub expires: bool,
    /// Expiry (µs).
    pub expiration: i64,
    /// The note as it will be returned.
    pub body: wire::Note,
}

/// How a note is addressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoteRef {
    /// By `note_id` (lower-case UUID).
    Id(String),
    /// By `id_string`.
    Name(String),
}

/// An announced file upload to insert.
#[derive(Clone, Debug)]
pub struct NewPendingFile {
    /// Pending upload UUID.
    pub id: String,
    /// Writer (== caller).
    pub writer_id: String,
    /// Record type.
    pub record_type: String,
    /// Plaintext meta of the record to be.
    pub plain: StringMap,
    /// Encrypted fields of the record to be (usually none).
    pub data: StringMap,
    /// Opaque record signature.
    pub rec_sig: Option<String>,
    /// Announced name, checksum, compression and size.
    pub meta: FileMeta,
    /// Hash of the upload URL's secret.
    pub secret_hash: String,
    /// When the upload URL stops working (µs).
    pub expires_at: i64,
}

/// An announced upload as stored.
#[derive(Clone, Debug)]
pub struct PendingFileRow {
    /// Announced name, checksum, compression and size.
    pub meta: FileMeta,
    /// Hash of the upload URL's secret.
    pub secret_hash: String,
    /// Set once the bytes were uploaded and verified.
    pub blob_key: Option<String>,
    /// When the upload URL stops working (µs).
    pub expires_at: i64,
}

/// A download URL as stored, with the file it serves (None once the record is gone).
#[derive(Clone, Debug)]
pub struct DownloadRow {
    /// Hash of the URL's secret.
    pub secret_hash: String,
    /// Expiry (µs).
    pub expires_at: i64,
    /// The record's file.
    pub file: Option<StoredFile>,
}

/// Notes (§8.1). Each operation is one transaction; a read that uses up a note's last view or
/// finds it expired deletes it in the same transaction.
#[async_trait]
pub trait NoteStore: Send + Sync {
    /// Inserts a note (409 when its name is taken). With `replace`, first deletes the note of
    /// the same name written by the same client, in the same transaction.
    async fn insert_note(&self, note: NewNote, replace: bool) -> Result<NoteRow>;
    /// Counts one read by the holder of `reader_key` and returns the note as read; 404 when
    /// unknown, expired or out of views, 403 when `reader_key` is not the recipient's or when a
    /// gate of the note's `eacp` is not opened by one of `codes`. The codes used are spent.
    async fn read_note(
        &self,
        which: &NoteRef,
        reader_key: &str,
        codes: &[(Gate, String)],
        now: i64,
    ) -> Result<NoteRow>;
    /// Stores the hash of a one-time code for a gate of a note, replacing the previous one.
    async fn set_note_code(
        &self,
        note_id: &str,
        gate: Gate,
        code_hash: &str,
        expires_at: i64,
    ) -> Result<()>;
    /// The note without counting a read (None when unknown or expired).
    async fn peek_note(&self, which: &NoteRef, now: i64) -> Result<Option<NoteRow>>;
    /// Deletes a note as its writer: `signer_key` is the writer's signing key, or `client` the
    /// registered client that wrote it. 404 unknown, 403 not the writer.
    async fn delete_note(
        &self,
        note_id: &str,
        signer_key: &str,
        client: Option<&str>,
    ) -> Result<()>;
}

/// Large files (§8.2): announced uploads, their blobs, commits and download URLs. Blob keys of
/// PostgreSQL large objects are released inside the database transaction that drops their last
/// reference; other keys are returned for the caller to remove from their blob store after the
/// commit (a crash in between leaves an orphan that the start-up sweep removes).
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Stores an announced upload.
    async fn insert_pending_file(&self, pending: NewPendingFile) -> Result<()>;
    /// An announced upload by id.
    async fn pending_file(&self, id: &str) -> Result<Option<PendingFileRow>>;
    /// Attaches an uploaded blob to a pending upload that has none yet; false when the upload
    /// is gone or already has one (the caller then removes the blob).
    /// `file_meta` is the JSON of the upload's final `file_meta`, checksum included.
    async fn attach_blob(&self, pending_id: &str, blob_key: &str, file_meta: &str) -> Result<bool>;
    /// Turns an uploaded pending file of `writer` into a file record, atomically. 404 unknown,
    /// 403 another writer's, 400 not uploaded yet.
    async fn commit_file(&self, pending_id: &str, writer: &str) -> Result<RecordRow>;
    /// Deletes uploads announced to expire before `before`; returns blob keys to remove.
    async fn purge_pending_files(&self, before: i64) -> Result<Vec<String>>;
    /// Stores a download URL for a record.
    async fn insert_download(
        &self,
        id: &str,
        record_id: &str,
        secret_hash: &str,
        expires_at: i64,
    ) -> Result<()>;
    /// A download URL by id.
    async fn download(&self, id: &str) -> Result<Option<DownloadRow>>;
    /// Every referenced blob key that starts with `prefix` (for the orphan sweep).
    async fn blob_keys(&self, prefix: &str) -> Result<HashSet<String>>;
}

/// Every persistent operation of the server.
#[async_trait]
pub trait Store: NoteStore + FileStore + Send + Sync {
    /// "sqlite" or "postgres", for logs.
    fn backend(&self) -> &'static str;

    // --- clients and authentication ---

    /// A client by (lower-case) id.
    async fn client(&self, id: &str) -> Result<Option<ClientRow>>;
    /// A client by its OAuth client id.
    async fn client_by_api_key(&self, api_key_id: &str) -> Result<Option<ClientRow>>;
    /// Stores a hashed OAuth access token.
    async fn insert_access_token(&self, hash: &str, client_id: &str, expires_at: i64)
    -> Result<()>;
    /// The client owning an unexpired access token.
    async fn client_by_access_token(&self, hash: &str, now: i64) -> Result<Option<ClientRow>>;
    /// Records a TSV1 nonce; false when it was already used (a replay).
    async fn insert_nonce(&self, key: &str, expires_at: i64) -> Result<bool>;
    /// Deletes expired tokens, sessions, challenges, nonces, notes and download URLs.
    async fn purge_expired(&self, now: i64) -> Result<()>;

    // --- accounts, registration tokens, registration ---

    /// Creates an account and its queen client (409 when the e-mail is taken).
    async fn create_account(&self, account: NewAccount) -> Result<(AccountRow, ClientRow)>;
    /// An account by lower-cased e-mail.
    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRow>>;
    /// An account by id.
    async fn account_by_id(&self, id: &str) -> Result<Option<AccountRow>>;
    /// Replaces an account's meta map.
    async fn set_account_meta(&self, account_id: &str, meta: &StringMap) -> Result<()>;
    /// Stores a login challenge.
    async fn insert_challenge(
        &self,
        account_id: &str,
        challenge: &str,
        expires_at: i64,
    ) -> Result<()>;
    /// Consumes a login challenge; false when unknown, expired or already used.
    async fn take_challenge(&self, account_id: &str, challenge: &str, now: i64) -> Result<bool>;
    /// Stores a hashed account session token.
    async fn insert_session(&self, hash: &str, account_id: &str, expires_at: i64) -> Result<()>;
    /// The account of an unexpired session token.
    async fn account_by_session(&self, hash: &str, now: i64) -> Result<Option<AccountRow>>;
    /// Stores a registration token under its hash.
    async fn insert_token(&self, token: &TokenRow, hash: &str) -> Result<()>;
    /// An account's registration tokens, oldest first.
    async fn list_tokens(&self, account_id: &str) -> Result<Vec<TokenRow>>;
    /// Deletes a token by public id or hash; false when the account has no such token.
    async fn delete_token(&self, account_id: &str, id: &str, hash: &str) -> Result<bool>;
    /// A (not deleted) token by hash, whatever its state.
    async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRow>>;
    /// Spends one use of a token and creates the client, atomically. Returns the client and the
    /// account's queen client id; 403 when the token is unknown, disabled, expired, used up or
    /// does not allow the client type.
    async fn register_client(
        &self,
        token_hash: &str,
        now: i64,
        client: NewClient,
    ) -> Result<(ClientRow, String)>;
    /// Sets has_backup on a client.
    async fn set_has_backup(&self, client_id: &str) -> Result<()>;
    /// One page of an account's clients, by creation order.
    async fn list_clients(
        &self,
        account_id: &str,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<ClientRow>>;
    /// Enables or disables a client of the account; false when it has no such client.
    async fn set_client_enabled(
        &self,
        account_id: &str,
        client_id: &str,
        enabled: bool,
    ) -> Result<bool>;

    // --- records ---

    /// Inserts a record with fresh id, version and timestamps.
    async fn insert_record(&self, record: NewRecord) -> Result<RecordRow>;
    /// A record with its data.
    async fn get_record(&self, id: &str) -> Result<Option<RecordRow>>;
    /// Replaces plain, data and rec_sig. `version` None skips the version check; `editor`
    /// is the caller, who must be the writer or hold an edit grant when `allow_edit`.
    async fn update_record(
        &self,
        id: &str,
        version: Option<&str>,
        editor: &str,
        allow_edit: bool,
        change: RecordChange,
    ) -> Result<RecordRow>;
    /// Deletes a record of `writer`; `version` None skips the version check. Returns the blob
    /// key of a file record when the caller must remove it from its blob store.
    async fn delete_record(
        &self,
        id: &str,
        version: Option<&str>,
        writer: &str,
    ) -> Result<Option<String>>;
    /// Records matching a filter visible to `caller`, by index.
    async fn select_records(&self, caller: &str, filter: &RecordFilter) -> Result<Vec<RecordRow>>;
    /// Loads the data of the given records (id -> data).
    async fn records_data(&self, ids: &[String]) -> Result<Vec<(String, StringMap)>>;
    /// Whether `reader` holds a read grant on (owner, type).
    async fn can_read(&self, owner: &str, reader: &str, record_type: &str) -> Result<bool>;
    /// Readers holding a read grant on (owner, type).
    async fn readers_of(&self, owner: &str, record_type: &str) -> Result<Vec<String>>;

    // --- access keys and policies ---

    /// Stores an EAK put by `caller` (the writer or its authorizer for the type).
    async fn put_eak(&self, caller: &str, key: &EakKey, eak: &str) -> Result<()>;
    /// The EAK `caller` may read (it must be the reader, and hold a grant unless it is the writer).
    async fn get_eak(&self, caller: &str, key: &EakKey) -> Result<Option<EakRow>>;
    /// Deletes an EAK: as its writer or the writer's authorizer, or (`as_reader`) as its reader.
    async fn delete_eak(&self, caller: &str, key: &EakKey, as_reader: bool) -> Result<()>;
    /// Applies allow/deny flags to the (owner, reader, type) policy.
    async fn put_policy(
        &self,
        caller: &str,
        owner: &str,
        reader: &str,
        record_type: &str,
        change: PolicyChange,
    ) -> Result<()>;
    /// Removes `reader`'s authorizer grants for every type of `owner`.
    async fn remove_authorizer_all(&self, owner: &str, reader: &str) -> Result<()>;
    /// Policy listings for `caller`.
    async fn list_policies(&self, caller: &str, which: PolicyListing) -> Result<Vec<PolicyRow>>;
}
