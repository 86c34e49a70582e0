//! Turning a `--database` URL into a store.

use std::sync::Arc;

use crate::store::sqlite::SyncMode;
use crate::store::{DynStore, StoreError, postgres, sqlite};

/// The embedded default database.
pub const DEFAULT_DATABASE: &str = "sqlite://./toz-data/toz.db";
/// The default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8000";

/// Backend options that only some URLs use.
#[derive(Clone, Copy, Debug)]
pub struct StoreOptions {
    /// SQLite commit durability.
    pub sqlite_sync: SyncMode,
    /// PostgreSQL pool size per server process.
    pub pg_max_connections: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            sqlite_sync: SyncMode::Normal,
            pg_max_connections: 16,
        }
    }
}

/// Opens and migrates the database named by `url` (`sqlite://PATH` or `postgres://...`).
pub async fn open_store(url: &str, opts: StoreOptions) -> Result<DynStore, String> {
    let describe = |e: StoreError| match e {
        StoreError::Db(e) => format!("database error: {e}"),
        StoreError::BadRequest(m) => m,
        other => format!("{other:?}"),
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let s = postgres::open(url, opts.pg_max_connections)
            .await
            .map_err(describe)?;
        Ok(Arc::new(s))
    } else if url.starts_with("sqlite:") {
        let s = sqlite::open(url, opts.sqlite_sync)
            .await
            .map_err(describe)?;
        Ok(Arc::new(s))
    } else {
        Err("--database must be sqlite://PATH or postgres://USER@HOST/DB".into())
    }
}
