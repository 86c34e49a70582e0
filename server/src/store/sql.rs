//! The SQL implementation of [`Store`], shared by both backends.
//!
//! Every statement here is valid on SQLite and PostgreSQL alike (`$N` parameters, upserts with
//! `ON CONFLICT`, `RETURNING`, integers for flags and microsecond times, JSON in TEXT), so the two
//! backends differ only in what [`Backend`] supplies. Writes that must not race (spending a
//! registration token, compare-and-swap on a record version, EAK creation) are single conditional
//! statements, which both databases execute atomically even with several servers connected.

use std::marker::PhantomData;

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use toz::sdk::crypto;
use toz::sdk::wire::{Profile, StringMap};

use super::*;
use crate::time::now_micros;

/// What differs between the databases.
pub trait Backend: Send + Sync + 'static {
    /// Name for logs.
    const NAME: &'static str;
    /// Statement that opens a write transaction (SQLite takes the write lock up front, so a
    /// transaction never fails half-way on a lock upgrade).
    const BEGIN_WRITE: &'static str;
    /// DDL integer type.
    const INT: &'static str;
    /// DDL auto-increment primary key.
    const SERIAL_PK: &'static str;
    /// Run first inside the migration transaction, to serialise servers starting together.
    const MIGRATION_LOCK: Option<&'static str>;
    /// When set, the write clock advances in a transaction of its own, started with this
    /// statement after BEGIN; when None, inside the write transaction (one writer anyway).
    const CLOCK_TX_SETUP: Option<&'static str>;
}

/// Migrations, in order: (version, SQL template).
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/0001_init.sql")),
    (2, include_str!("../../migrations/0002_notes_files.sql")),
    (3, include_str!("../../migrations/0003_note_codes.sql")),
];

/// The store over a read pool and a write pool (the same pool on PostgreSQL; on SQLite the write
/// pool has one connection, because SQLite has one writer at a time anyway).
pub struct SqlStore<B> {
    pub(super) read: AnyPool,
    pub(super) write: AnyPool,
    _backend: PhantomData<B>,
}

pub(super) type Tx = sqlx::Transaction<'static, sqlx::Any>;

macro_rules! client_cols {
    () => {
        "id, account_id, name, client_type, enabled, has_backup, public_key, signing_key, api_key_id, api_secret_hash, created"
    };
}
macro_rules! account_cols {
    () => {
        "id, email, company, plan, profile, meta, queen_client_id"
    };
}
macro_rules! token_cols {
    () => {
        "id, account_id, name, enabled, one_time, allowed_types, uses, total_uses_allowed, expires_at, created"
    };
}
macro_rules! record_cols {
    () => {
        "idx, id, writer_id, user_id, record_type, plain, data, rec_sig, created, last_modified, version, file_blob, file_meta"
    };
}

fn client_row(r: &AnyRow) -> sqlx::Result<ClientRow> {
    Ok(ClientRow {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        name: r.try_get(2)?,
        client_type: r.try_get(3)?,
        enabled: r.try_get::<i64, _>(4)? != 0,
        has_backup: r.try_get::<i64, _>(5)? != 0,
        public_key: r.try_get(6)?,
        signing_key: r.try_get(7)?,
        api_key_id: r.try_get(8)?,
        api_secret_hash: r.try_get(9)?,
        created: r.try_get(10)?,
    })
}

fn account_row(r: &AnyRow) -> sqlx::Result<AccountRow> {
    Ok(AccountRow {
        id: r.try_get(0)?,
        email: r.try_get(1)?,
        company: r.try_get(2)?,
        plan: r.try_get(3)?,
        profile: from_json_col::<Profile>(&r.try_get::<String, _>(4)?)?,
        meta: from_json_col::<StringMap>(&r.try_get::<String, _>(5)?)?,
        queen_client_id: r.try_get(6)?,
    })
}

fn token_row(r: &AnyRow) -> sqlx::Result<TokenRow> {
    Ok(TokenRow {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        name: r.try_get(2)?,
        enabled: r.try_get::<i64, _>(3)? != 0,
        one_time: r.try_get::<i64, _>(4)? != 0,
        allowed_types: from_json_col(&r.try_get::<String, _>(5)?)?,
        uses: r.try_get(6)?,
        total_uses_allowed: r.try_get(7)?,
        expires_at: r.try_get(8)?,
        created: r.try_get(9)?,
    })
}

/// A file from its `file_blob` and `file_meta` columns (both NULL for ordinary records).
pub(super) fn stored_file(
    blob: Option<String>,
    meta: Option<String>,
) -> sqlx::Result<Option<StoredFile>> {
    match (blob, meta) {
        (Some(blob_key), Some(meta)) => Ok(Some(StoredFile {
            blob_key,
            meta: from_json_col(&meta)?,
        })),
        _ => Ok(None),
    }
}

/// Attaches blob `$1` to pending upload `$2` unless it already has one, and stores its final
/// `file_meta` `$3` (the checksum of the bytes received filled in). Run by the directory store
/// through the store, and by the large-object store inside its upload transaction.
pub const ATTACH_BLOB_SQL: &str =
    "UPDATE pending_files SET blob_key = $1, file_meta = $3 WHERE id = $2 AND blob_key IS NULL";

pub(super) fn record_row(r: &AnyRow) -> sqlx::Result<RecordRow> {
    let data: Option<String> = r.try_get(6)?;
    let file = stored_file(r.try_get(11)?, r.try_get(12)?)?;
    Ok(RecordRow {
        idx: r.try_get(0)?,
        id: r.try_get(1)?,
        writer_id: r.try_get(2)?,
        user_id: r.try_get(3)?,
        record_type: r.try_get(4)?,
        plain: from_json_col(&r.try_get::<String, _>(5)?)?,
        data: data.map(|d| from_json_col(&d)).transpose()?,
        rec_sig: r.try_get(7)?,
        created: r.try_get(8)?,
        last_modified: r.try_get(9)?,
        version: r.try_get(10)?,
        file,
    })
}

pub(super) fn from_json_col<T: serde::de::DeserializeOwned>(text: &str) -> sqlx::Result<T> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

pub(super) fn to_json_col<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("maps and lists of strings always serialise")
}

pub(super) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Maps a unique-constraint violation to 409, anything else to a database error.
pub(super) fn conflict_on_unique(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict(format!("{what} already exists"))
        }
        _ => StoreError::Db(e),
    }
}

/// Appends ` AND <column> IN ($n, ...)` and collects the values.
fn push_in(
    sql: &mut String,
    args: &mut Vec<String>,
    column: &str,
    values: &[String],
    first_param: usize,
) {
    if values.is_empty() {
        return;
    }
    sql.push_str(" AND ");
    sql.push_str(column);
    sql.push_str(" IN (");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("${}", first_param + args.len()));
        args.push(v.clone());
    }
    sql.push(')');
}

/// The next write timestamp: strictly greater than every one handed out before, by any process.
/// Updating the single clock row also serialises concurrent record writes on PostgreSQL.
async fn tick(conn: &mut AnyConnection) -> Result<i64> {
    let ts: i64 = sqlx::query_scalar(
        "UPDATE write_clock SET ts = CASE WHEN ts + 1 > $1 THEN ts + 1 ELSE $1 END WHERE id = 1 RETURNING ts",
    )
    .bind(now_micros())
    .fetch_one(conn)
    .await?;
    Ok(ts)
}

async fn policy_flag(
    conn: &mut AnyConnection,
    column: Flag,
    owner: &str,
    reader: &str,
    record_type: &str,
) -> Result<bool> {
    let sql = match column {
        Flag::Read => {
            "SELECT can_read FROM policies WHERE owner_id = $1 AND reader_id = $2 AND record_type = $3"
        }
        Flag::Authorize => {
            "SELECT can_authorize FROM policies WHERE owner_id = $1 AND reader_id = $2 AND record_type = $3"
        }
        Flag::Edit => {
            "SELECT can_edit FROM policies WHERE owner_id = $1 AND reader_id = $2 AND record_type = $3"
        }
        Flag::ReadOrAuthorize => {
            "SELECT can_read + can_authorize FROM policies WHERE owner_id = $1 AND reader_id = $2 AND record_type = $3"
        }
    };
    let v: Option<i64> = sqlx::query_scalar(sql)
        .bind(owner)
        .bind(reader)
        .bind(record_type)
        .fetch_optional(conn)
        .await?;
    Ok(v.unwrap_or(0) > 0)
}

#[derive(Clone, Copy)]
enum Flag {
    Read,
    Authorize,
    Edit,
    ReadOrAuthorize,
}

/// May `caller` manage keys and read grants of (writer, type)? The writer itself, or a client the
/// writer made an authorizer for the type (spec §5.3).
async fn may_share(
    conn: &mut AnyConnection,
    caller: &str,
    writer: &str,
    record_type: &str,
) -> Result<bool> {
    Ok(caller == writer || policy_flag(conn, Flag::Authorize, writer, caller, record_type).await?)
}

async fn client_exists(conn: &mut AnyConnection, id: &str) -> Result<bool> {
    let v: Option<i64> = sqlx::query_scalar("SELECT 1 FROM clients WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(v.is_some())
}

async fn insert_client(
    conn: &mut AnyConnection,
    account_id: &str,
    c: &NewClient,
) -> Result<ClientRow> {
    let id = crypto::random_uuid_v4();
    let created = now_micros();
    sqlx::query(
        "INSERT INTO clients (id, account_id, name, client_type, enabled, has_backup, public_key, signing_key, \
         api_key_id, api_secret_hash, created) VALUES ($1, $2, $3, $4, 1, 0, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(account_id)
    .bind(&c.name)
    .bind(&c.client_type)
    .bind(&c.public_key)
    .bind(&c.signing_key)
    .bind(&c.api_key_id)
    .bind(&c.api_secret_hash)
    .bind(created)
    .execute(conn)
    .await
    .map_err(|e| conflict_on_unique(e, "client"))?;
    Ok(ClientRow {
        id,
        account_id: account_id.to_string(),
        name: c.name.clone(),
        client_type: c.client_type.clone(),
        enabled: true,
        has_backup: false,
        public_key: c.public_key.clone(),
        signing_key: c.signing_key.clone(),
        api_key_id: c.api_key_id.clone(),
        api_secret_hash: c.api_secret_hash.clone(),
        created,
    })
}

/// Inserts a record (with its file, for a committed upload) stamped `ts`.
pub(super) async fn insert_record_row(
    conn: &mut AnyConnection,
    ts: i64,
    r: NewRecord,
    file: Option<StoredFile>,
) -> Result<RecordRow> {
    let id = crypto::random_uuid_v4();
    let version = crypto::random_uuid_v4();
    let idx: i64 = sqlx::query_scalar(
        "INSERT INTO records (id, writer_id, user_id, record_type, plain, data, rec_sig, created, last_modified, version, \
         file_blob, file_meta) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11) RETURNING idx",
    )
    .bind(&id)
    .bind(&r.writer_id)
    .bind(&r.user_id)
    .bind(&r.record_type)
    .bind(to_json_col(&r.plain))
    .bind(to_json_col(&r.data))
    .bind(&r.rec_sig)
    .bind(ts)
    .bind(&version)
    .bind(file.as_ref().map(|f| f.blob_key.clone()))
    .bind(file.as_ref().map(|f| to_json_col(&f.meta)))
    .fetch_one(conn)
    .await?;
    Ok(RecordRow {
        idx,
        id,
        writer_id: r.writer_id,
        user_id: r.user_id,
        record_type: r.record_type,
        plain: r.plain,
        data: Some(r.data),
        rec_sig: r.rec_sig,
        created: ts,
        last_modified: ts,
        version,
        file,
    })
}

impl<B: Backend> SqlStore<B> {
    /// Wraps connected pools and brings the schema up to date.
    pub async fn new(read: AnyPool, write: AnyPool) -> Result<Self> {
        let store = SqlStore {
            read,
            write,
            _backend: PhantomData,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// The write pool (large objects use it on PostgreSQL).
    pub fn write_pool(&self) -> AnyPool {
        self.write.clone()
    }

    pub(super) async fn begin(&self) -> Result<Tx> {
        Ok(self.write.begin_with(B::BEGIN_WRITE).await?)
    }

    /// A write transaction and the timestamp its writes carry. Where the backend asks for it,
    /// the clock advances in its own short transaction first, so the clock row is not locked
    /// while the write waits for its commit to reach disk (PostgreSQL then group-commits
    /// concurrent writes). A write acknowledged before another starts still gets the smaller
    /// timestamp, which is the ordering clients can observe.
    pub(super) async fn begin_stamped(&self) -> Result<(Tx, i64)> {
        if let Some(setup) = B::CLOCK_TX_SETUP {
            let mut clock = self.begin().await?;
            sqlx::query(setup).execute(&mut *clock).await?;
            let ts = tick(&mut clock).await?;
            clock.commit().await?;
            return Ok((self.begin().await?, ts));
        }
        let mut tx = self.begin().await?;
        let ts = tick(&mut tx).await?;
        Ok((tx, ts))
    }

    async fn migrate(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        if let Some(lock) = B::MIGRATION_LOCK {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version {} PRIMARY KEY)",
            B::INT
        )))
        .execute(&mut *tx)
        .await?;
        for (version, template) in MIGRATIONS {
            let done: Option<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?;
            if done.is_some() {
                continue;
            }
            let ddl = template
                .replace("{SERIAL_PK}", B::SERIAL_PK)
                .replace("{INT}", B::INT);
            sqlx::raw_sql(AssertSqlSafe(ddl)).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version) VALUES ($1)")
                .bind(version)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn client_where(&self, sql: &'static str, value: &str) -> Result<Option<ClientRow>> {
        let row = sqlx::query(sql)
            .bind(value)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(client_row).transpose()?)
    }

    async fn account_where(&self, sql: &'static str, value: &str) -> Result<Option<AccountRow>> {
        let row = sqlx::query(sql)
            .bind(value)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(account_row).transpose()?)
    }
}

#[async_trait]
impl<B: Backend> Store for SqlStore<B> {
    fn backend(&self) -> &'static str {
        B::NAME
    }

    async fn client(&self, id: &str) -> Result<Option<ClientRow>> {
        self.client_where(
            concat!("SELECT ", client_cols!(), " FROM clients WHERE id = $1"),
            id,
        )
        .await
    }

    async fn client_by_api_key(&self, api_key_id: &str) -> Result<Option<ClientRow>> {
        self.client_where(
            concat!(
                "SELECT ",
                client_cols!(),
                " FROM clients WHERE api_key_id = $1"
            ),
            api_key_id,
        )
        .await
    }

    async fn insert_access_token(
        &self,
        hash: &str,
        client_id: &str,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO access_tokens (token_hash, client_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(hash)
        .bind(client_id)
        .bind(expires_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn client_by_access_token(&self, hash: &str, now: i64) -> Result<Option<ClientRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            client_cols!(),
            " FROM clients WHERE id = (SELECT client_id FROM access_tokens WHERE token_hash = $1 AND expires_at > $2)"
        ))
        .bind(hash)
        .bind(now)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(client_row).transpose()?)
    }

    async fn insert_nonce(&self, key: &str, expires_at: i64) -> Result<bool> {
        let done = sqlx::query("INSERT INTO tsv1_nonces (nonce_key, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(key)
            .bind(expires_at)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn purge_expired(&self, now: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        for sql in [
            "DELETE FROM access_tokens WHERE expires_at <= $1",
            "DELETE FROM account_sessions WHERE expires_at <= $1",
            "DELETE FROM login_challenges WHERE expires_at <= $1",
            "DELETE FROM tsv1_nonces WHERE expires_at <= $1",
            "DELETE FROM notes WHERE expires = 1 AND expiration <= $1",
            "DELETE FROM note_codes WHERE expires_at <= $1 OR note_id NOT IN (SELECT note_id FROM notes)",
            "DELETE FROM file_downloads WHERE expires_at <= $1",
        ] {
            sqlx::query(sql).bind(now).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn create_account(&self, account: NewAccount) -> Result<(AccountRow, ClientRow)> {
        let mut tx = self.begin().await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT 1 FROM accounts WHERE email = $1")
            .bind(&account.email)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(
                "an account with this e-mail already exists".into(),
            ));
        }
        let account_id = crypto::random_uuid_v4();
        let queen = insert_client(&mut tx, &account_id, &account.queen).await?;
        let mut profile = account.profile;
        profile.id = Some(account_id.clone());
        sqlx::query(
            "INSERT INTO accounts (id, email, company, plan, profile, meta, queen_client_id, created) \
             VALUES ($1, $2, $3, $4, $5, '{}', $6, $7)",
        )
        .bind(&account_id)
        .bind(&account.email)
        .bind(&account.company)
        .bind(&account.plan)
        .bind(to_json_col(&profile))
        .bind(&queen.id)
        .bind(now_micros())
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, "account"))?;
        tx.commit().await?;
        let row = AccountRow {
            id: account_id,
            email: account.email,
            company: account.company,
            plan: account.plan,
            profile,
            meta: StringMap::new(),
            queen_client_id: queen.id.clone(),
        };
        Ok((row, queen))
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRow>> {
        self.account_where(
            concat!(
                "SELECT ",
                account_cols!(),
                " FROM accounts WHERE email = $1"
            ),
            email,
        )
        .await
    }

    async fn account_by_id(&self, id: &str) -> Result<Option<AccountRow>> {
        self.account_where(
            concat!("SELECT ", account_cols!(), " FROM accounts WHERE id = $1"),
            id,
        )
        .await
    }

    async fn set_account_meta(&self, account_id: &str, meta: &StringMap) -> Result<()> {
        sqlx::query("UPDATE accounts SET meta = $1 WHERE id = $2")
            .bind(to_json_col(meta))
            .bind(account_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn insert_challenge(
        &self,
        account_id: &str,
        challenge: &str,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO login_challenges (account_id, challenge, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(account_id)
        .bind(challenge)
        .bind(expires_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn take_challenge(&self, account_id: &str, challenge: &str, now: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM login_challenges WHERE account_id = $1 AND challenge = $2 AND expires_at > $3")
            .bind(account_id)
            .bind(challenge)
            .bind(now)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_session(&self, hash: &str, account_id: &str, expires_at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO account_sessions (token_hash, account_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(hash)
        .bind(account_id)
        .bind(expires_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn account_by_session(&self, hash: &str, now: i64) -> Result<Option<AccountRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            account_cols!(),
            " FROM accounts WHERE id = (SELECT account_id FROM account_sessions WHERE token_hash = $1 AND expires_at > $2)"
        ))
        .bind(hash)
        .bind(now)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(account_row).transpose()?)
    }

    async fn insert_token(&self, t: &TokenRow, hash: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO registration_tokens (id, token_hash, account_id, name, enabled, one_time, allowed_types, \
             uses, total_uses_allowed, expires_at, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&t.id)
        .bind(hash)
        .bind(&t.account_id)
        .bind(&t.name)
        .bind(flag(t.enabled))
        .bind(flag(t.one_time))
        .bind(to_json_col(&t.allowed_types))
        .bind(t.uses)
        .bind(t.total_uses_allowed)
        .bind(t.expires_at)
        .bind(t.created)
        .execute(&self.write)
        .await
        .map_err(|e| conflict_on_unique(e, "token"))?;
        Ok(())
    }

    async fn list_tokens(&self, account_id: &str) -> Result<Vec<TokenRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            token_cols!(),
            " FROM registration_tokens WHERE account_id = $1 ORDER BY seq"
        ))
        .bind(account_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(token_row).collect::<sqlx::Result<_>>()?)
    }

    async fn delete_token(&self, account_id: &str, id: &str, hash: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM registration_tokens WHERE account_id = $1 AND (id = $2 OR token_hash = $3)")
            .bind(account_id)
            .bind(id)
            .bind(hash)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            token_cols!(),
            " FROM registration_tokens WHERE token_hash = $1"
        ))
        .bind(hash)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(token_row).transpose()?)
    }

    async fn register_client(
        &self,
        token_hash: &str,
        now: i64,
        client: NewClient,
    ) -> Result<(ClientRow, String)> {
        let refused = || {
            StoreError::Forbidden(
                "registration token is not valid (unknown, disabled, expired or used up)".into(),
            )
        };
        let mut tx = self.begin().await?;
        // One conditional UPDATE spends the use: two concurrent registrations with a one-time
        // token cannot both see uses < 1 (row lock on PostgreSQL, single writer on SQLite).
        let spent = sqlx::query(
            "UPDATE registration_tokens SET uses = uses + 1 WHERE token_hash = $1 AND enabled = 1 \
             AND (expires_at IS NULL OR expires_at > $2) AND (total_uses_allowed = 0 OR uses < total_uses_allowed) \
             RETURNING account_id, allowed_types",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(refused)?;
        let account_id: String = spent.try_get(0)?;
        let allowed: Vec<String> = from_json_col(&spent.try_get::<String, _>(1)?)?;
        if !allowed.is_empty() && !allowed.contains(&client.client_type) {
            return Err(StoreError::Forbidden(
                "registration token does not allow this client type".into(),
            ));
        }
        let queen: String =
            sqlx::query_scalar("SELECT queen_client_id FROM accounts WHERE id = $1")
                .bind(&account_id)
                .fetch_one(&mut *tx)
                .await?;
        let row = insert_client(&mut tx, &account_id, &client).await?;
        tx.commit().await?;
        Ok((row, queen))
    }

    async fn set_has_backup(&self, client_id: &str) -> Result<()> {
        sqlx::query("UPDATE clients SET has_backup = 1 WHERE id = $1")
            .bind(client_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn list_clients(
        &self,
        account_id: &str,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<ClientRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            client_cols!(),
            " FROM clients WHERE account_id = $1 ORDER BY seq LIMIT $2 OFFSET $3"
        ))
        .bind(account_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(client_row).collect::<sqlx::Result<_>>()?)
    }

    async fn set_client_enabled(
        &self,
        account_id: &str,
        client_id: &str,
        enabled: bool,
    ) -> Result<bool> {
        let done = sqlx::query("UPDATE clients SET enabled = $1 WHERE id = $2 AND account_id = $3")
            .bind(flag(enabled))
            .bind(client_id)
            .bind(account_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_record(&self, r: NewRecord) -> Result<RecordRow> {
        let (mut tx, ts) = self.begin_stamped().await?;
        let row = insert_record_row(&mut tx, ts, r, None).await?;
        tx.commit().await?;
        Ok(row)
    }

    async fn get_record(&self, id: &str) -> Result<Option<RecordRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            record_cols!(),
            " FROM records WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(record_row).transpose()?)
    }

    async fn update_record(
        &self,
        id: &str,
        version: Option<&str>,
        editor: &str,
        allow_edit: bool,
        change: RecordChange,
    ) -> Result<RecordRow> {
        let RecordChange {
            plain,
            data,
            rec_sig,
        } = change;
        let (mut tx, ts) = self.begin_stamped().await?;
        let current =
            sqlx::query("SELECT writer_id, record_type, version FROM records WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound("record not found".into()))?;
        let (writer, record_type, stored_version): (String, String, String) = (
            current.try_get(0)?,
            current.try_get(1)?,
            current.try_get(2)?,
        );
        if editor != writer
            && !(allow_edit
                && policy_flag(&mut tx, Flag::Edit, &writer, editor, &record_type).await?)
        {
            return Err(StoreError::Forbidden(
                "only the writer may update this record".into(),
            ));
        }
        let expected = version.unwrap_or(&stored_version);
        if expected != stored_version {
            return Err(StoreError::Conflict(
                "record version does not match (stale update)".into(),
            ));
        }
        let new_version = crypto::random_uuid_v4();
        let row = sqlx::query(concat!(
            "UPDATE records SET plain = $1, data = $2, rec_sig = $3, last_modified = $4, version = $5 \
             WHERE id = $6 AND version = $7 RETURNING ",
            record_cols!()
        ))
        .bind(to_json_col(&plain))
        .bind(to_json_col(&data))
        .bind(&rec_sig)
        .bind(ts)
        .bind(&new_version)
        .bind(id)
        .bind(expected)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Conflict("record version does not match (concurrent update)".into()))?;
        let row = record_row(&row)?;
        tx.commit().await?;
        Ok(row)
    }

    async fn delete_record(
        &self,
        id: &str,
        version: Option<&str>,
        writer: &str,
    ) -> Result<Option<String>> {
        let mut tx = self.begin().await?;
        let current =
            sqlx::query("SELECT writer_id, version, file_blob FROM records WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound("record not found".into()))?;
        let (owner, stored_version): (String, String) = (current.try_get(0)?, current.try_get(1)?);
        let blob: Option<String> = current.try_get(2)?;
        if owner != writer {
            return Err(StoreError::Forbidden(
                "only the writer may delete this record".into(),
            ));
        }
        if version.is_some_and(|v| v != stored_version) {
            return Err(StoreError::Conflict(
                "record version does not match (stale delete)".into(),
            ));
        }
        let done = sqlx::query("DELETE FROM records WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(&stored_version)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict("record changed during delete".into()));
        }
        sqlx::query("DELETE FROM file_downloads WHERE record_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let outside = match blob {
            Some(key) => super::sql_files::release_blob(&mut tx, key).await?,
            None => None,
        };
        tx.commit().await?;
        Ok(outside)
    }

    async fn select_records(&self, caller: &str, f: &RecordFilter) -> Result<Vec<RecordRow>> {
        let data_col = if f.with_data {
            "r.data"
        } else {
            "CAST(NULL AS TEXT)"
        };
        let mut sql = format!(
            "SELECT r.idx, r.id, r.writer_id, r.user_id, r.record_type, r.plain, {data_col}, r.rec_sig, r.created, \
             r.last_modified, r.version, r.file_blob, r.file_meta FROM records r WHERE r.idx > $1 AND (r.writer_id = $2"
        );
        if f.include_shared {
            sql.push_str(
                " OR EXISTS (SELECT 1 FROM policies p WHERE p.owner_id = r.writer_id AND p.reader_id = $2 \
                 AND p.record_type = r.record_type AND p.can_read = 1)",
            );
        }
        sql.push(')');
        let mut args = Vec::new();
        push_in(&mut sql, &mut args, "r.id", &f.record_ids, 3);
        push_in(&mut sql, &mut args, "r.writer_id", &f.writer_ids, 3);
        push_in(&mut sql, &mut args, "r.user_id", &f.user_ids, 3);
        push_in(&mut sql, &mut args, "r.record_type", &f.types, 3);
        sql.push_str(" ORDER BY r.idx");
        if f.limit.is_some() {
            sql.push_str(&format!(" LIMIT ${}", 3 + args.len()));
        }
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(f.after_index)
            .bind(caller);
        for a in args {
            q = q.bind(a);
        }
        if let Some(limit) = f.limit {
            q = q.bind(limit);
        }
        let rows = q.fetch_all(&self.read).await?;
        Ok(rows.iter().map(record_row).collect::<sqlx::Result<_>>()?)
    }

    async fn records_data(&self, ids: &[String]) -> Result<Vec<(String, StringMap)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = String::from("SELECT id, data FROM records WHERE 1 = 1");
        let mut args = Vec::new();
        push_in(&mut sql, &mut args, "id", ids, 1);
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for a in args {
            q = q.bind(a);
        }
        let rows = q.fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, from_json_col(&r.try_get::<String, _>(1)?)?)))
            .collect::<sqlx::Result<_>>()
            .map_err(StoreError::Db)
    }

    async fn can_read(&self, owner: &str, reader: &str, record_type: &str) -> Result<bool> {
        let mut conn = self.read.acquire().await?;
        policy_flag(&mut conn, Flag::Read, owner, reader, record_type).await
    }

    async fn readers_of(&self, owner: &str, record_type: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT reader_id FROM policies WHERE owner_id = $1 AND record_type = $2 AND can_read = 1")
            .bind(owner)
            .bind(record_type)
            .fetch_all(&self.read)
            .await?)
    }

    async fn put_eak(&self, caller: &str, key: &EakKey, eak: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        if !may_share(&mut tx, caller, &key.writer_id, &key.record_type).await? {
            return Err(StoreError::Forbidden(
                "only the writer or its authorizer may put this access key".into(),
            ));
        }
        if !client_exists(&mut tx, &key.reader_id).await? {
            return Err(StoreError::NotFound("reader client not found".into()));
        }
        let done = sqlx::query(
            "INSERT INTO access_keys (writer_id, user_id, reader_id, record_type, eak, authorizer_id, created) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(&key.writer_id)
        .bind(&key.user_id)
        .bind(&key.reader_id)
        .bind(&key.record_type)
        .bind(eak)
        .bind(caller)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(
                "an access key already exists for this writer, user, reader and type".into(),
            ));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn get_eak(&self, caller: &str, key: &EakKey) -> Result<Option<EakRow>> {
        if caller != key.reader_id {
            return Ok(None);
        }
        let mut conn = self.read.acquire().await?;
        // A reader other than the writer sees its key only while it holds a grant, so a revoke
        // or authorizer removal takes effect even if the client never deleted the EAK.
        if caller != key.writer_id
            && !policy_flag(
                &mut conn,
                Flag::ReadOrAuthorize,
                &key.writer_id,
                caller,
                &key.record_type,
            )
            .await?
        {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT a.eak, a.authorizer_id, c.public_key, c.signing_key FROM access_keys a \
             JOIN clients c ON c.id = a.authorizer_id \
             WHERE a.writer_id = $1 AND a.user_id = $2 AND a.reader_id = $3 AND a.record_type = $4",
        )
        .bind(&key.writer_id)
        .bind(&key.user_id)
        .bind(&key.reader_id)
        .bind(&key.record_type)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(EakRow {
            eak: r.try_get(0)?,
            authorizer_id: r.try_get(1)?,
            authorizer_public_key: r.try_get(2)?,
            authorizer_signing_key: r.try_get(3)?,
        }))
    }

    async fn delete_eak(&self, caller: &str, key: &EakKey, as_reader: bool) -> Result<()> {
        let mut tx = self.begin().await?;
        let allowed = if as_reader {
            caller == key.reader_id
        } else {
            may_share(&mut tx, caller, &key.writer_id, &key.record_type).await?
        };
        if !allowed {
            return Err(StoreError::Forbidden(
                "not allowed to delete this access key".into(),
            ));
        }
        let done = sqlx::query(
            "DELETE FROM access_keys WHERE writer_id = $1 AND user_id = $2 AND reader_id = $3 AND record_type = $4",
        )
        .bind(&key.writer_id)
        .bind(&key.user_id)
        .bind(&key.reader_id)
        .bind(&key.record_type)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("access key not found".into()));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn put_policy(
        &self,
        caller: &str,
        owner: &str,
        reader: &str,
        record_type: &str,
        change: PolicyChange,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        if !may_share(&mut tx, caller, owner, record_type).await? {
            return Err(StoreError::Forbidden(
                "only the writer or its authorizer may change this policy".into(),
            ));
        }
        if !client_exists(&mut tx, reader).await? {
            return Err(StoreError::NotFound("reader client not found".into()));
        }
        let now = now_micros();
        let value = |f: Option<bool>| flag(f.unwrap_or(false));
        let set = |f: Option<bool>| flag(f.is_some());
        sqlx::query(
            "INSERT INTO policies (owner_id, reader_id, record_type, can_read, can_authorize, can_edit, granted_by, created, last_modified) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             ON CONFLICT (owner_id, reader_id, record_type) DO UPDATE SET \
             can_read = CASE WHEN $9 = 1 THEN excluded.can_read ELSE policies.can_read END, \
             can_authorize = CASE WHEN $10 = 1 THEN excluded.can_authorize ELSE policies.can_authorize END, \
             can_edit = CASE WHEN $11 = 1 THEN excluded.can_edit ELSE policies.can_edit END, \
             granted_by = excluded.granted_by, last_modified = excluded.last_modified",
        )
        .bind(owner)
        .bind(reader)
        .bind(record_type)
        .bind(value(change.read))
        .bind(value(change.authorizer))
        .bind(value(change.edit))
        .bind(caller)
        .bind(now)
        .bind(set(change.read))
        .bind(set(change.authorizer))
        .bind(set(change.edit))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_authorizer_all(&self, owner: &str, reader: &str) -> Result<()> {
        sqlx::query("UPDATE policies SET can_authorize = 0, last_modified = $3 WHERE owner_id = $1 AND reader_id = $2")
            .bind(owner)
            .bind(reader)
            .bind(now_micros())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn list_policies(&self, caller: &str, which: PolicyListing) -> Result<Vec<PolicyRow>> {
        // The joined client is the "other" party: the reader for grants the caller made, the
        // owner for grants made to the caller.
        let sql = match which {
            PolicyListing::Outgoing => {
                "SELECT p.owner_id, p.reader_id, p.record_type, COALESCE(c.name, '') FROM policies p \
                 LEFT JOIN clients c ON c.id = p.reader_id WHERE p.owner_id = $1 AND p.can_read = 1 \
                 AND p.reader_id <> p.owner_id ORDER BY p.created, p.reader_id, p.record_type"
            }
            PolicyListing::Incoming => {
                "SELECT p.owner_id, p.reader_id, p.record_type, COALESCE(c.name, '') FROM policies p \
                 LEFT JOIN clients c ON c.id = p.owner_id WHERE p.reader_id = $1 AND p.can_read = 1 \
                 AND p.reader_id <> p.owner_id ORDER BY p.created, p.owner_id, p.record_type"
            }
            PolicyListing::Proxies => {
                "SELECT p.owner_id, p.reader_id, p.record_type, COALESCE(c.name, '') FROM policies p \
                 LEFT JOIN clients c ON c.id = p.reader_id WHERE p.owner_id = $1 AND p.can_authorize = 1 \
                 ORDER BY p.created, p.reader_id, p.record_type"
            }
            PolicyListing::Granted => {
                "SELECT p.owner_id, p.reader_id, p.record_type, COALESCE(c.name, '') FROM policies p \
                 LEFT JOIN clients c ON c.id = p.owner_id WHERE p.reader_id = $1 AND p.can_authorize = 1 \
                 ORDER BY p.created, p.owner_id, p.record_type"
            }
        };
        let rows = sqlx::query(sql).bind(caller).fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(PolicyRow {
                    owner_id: r.try_get(0)?,
                    reader_id: r.try_get(1)?,
                    record_type: r.try_get(2)?,
                    other_name: r.try_get(3)?,
                })
            })
            .collect::<sqlx::Result<_>>()
            .map_err(StoreError::Db)
    }
}
