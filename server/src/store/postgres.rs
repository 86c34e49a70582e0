//! PostgreSQL backend: several `toz-server serve` processes may share one database.
//!
//! Nothing that matters is kept in a process: OAuth tokens, account sessions, login challenges,
//! TSV1 nonces and the write clock are rows, so any server answers for any other. Races are
//! settled by the database: conditional UPDATEs (token spending, record versions), primary keys
//! (nonces, EAKs) and the clock row's lock. Migrations take an advisory lock so servers starting
//! together do not race on DDL.

use sqlx::any::AnyPoolOptions;

use super::Result;
use super::sql::{Backend, SqlStore};

/// The PostgreSQL dialect.
pub struct Postgres;

impl Backend for Postgres {
    const NAME: &'static str = "postgres";
    const BEGIN_WRITE: &'static str = "BEGIN";
    const INT: &'static str = "BIGINT";
    const SERIAL_PK: &'static str = "BIGSERIAL PRIMARY KEY";
    // Any constant works; it only has to be the same in every toz-server.
    const MIGRATION_LOCK: Option<&'static str> = Some("SELECT pg_advisory_xact_lock(7461626001)");
    // The clock row needs no durability of its own (after a crash it restarts from the wall
    // clock), so its short transaction skips the commit flush.
    const CLOCK_TX_SETUP: Option<&'static str> = Some("SET LOCAL synchronous_commit = off");
}

/// Connects to `postgres://...` and migrates.
pub async fn open(url: &str, max_connections: u32) -> Result<SqlStore<Postgres>> {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections)
        .connect(url)
        .await?;
    SqlStore::new(pool.clone(), pool).await
}
