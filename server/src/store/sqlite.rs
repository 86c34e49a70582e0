//! SQLite backend: the embedded default.
//!
//! WAL journal, one write connection (SQLite has one writer at a time; queueing in the pool is
//! cheaper than lock retries) and a few read connections that never block on it. Durability: with
//! `synchronous=NORMAL` a committed transaction is in the WAL file before the response is sent,
//! so it survives the server being killed (kill -9); only an OS crash or power loss may drop the
//! last commits. `synchronous=FULL` (`--sqlite-sync full`) also fsyncs every commit.

use std::path::Path;

use sqlx::Executor;
use sqlx::any::AnyPoolOptions;

use super::sql::{Backend, SqlStore};
use super::{Result, StoreError};

/// The SQLite dialect.
pub struct Sqlite;

impl Backend for Sqlite {
    const NAME: &'static str = "sqlite";
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const INT: &'static str = "INTEGER";
    const SERIAL_PK: &'static str = "INTEGER PRIMARY KEY AUTOINCREMENT";
    const MIGRATION_LOCK: Option<&'static str> = None;
    const CLOCK_TX_SETUP: Option<&'static str> = None;
}

/// How hard SQLite syncs a commit to disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SyncMode {
    /// Survives a killed server; an OS crash may lose the last commits.
    Normal,
    /// fsync on every commit: also survives power loss.
    Full,
}

/// The database file of a `sqlite://PATH` URL.
pub fn file_path(url: &str) -> Result<&str> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::BadRequest("SQLite URL must start with sqlite://".into()))?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains(":memory:") {
        return Err(StoreError::BadRequest(
            "an in-memory SQLite database is not supported; give a file path".into(),
        ));
    }
    Ok(path)
}

/// Opens (creating if needed) the database at `sqlite://PATH` and migrates it.
pub async fn open(url: &str, sync: SyncMode) -> Result<SqlStore<Sqlite>> {
    let path = file_path(url)?;
    if let Some(dir) = Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::BadRequest(format!(
                "cannot create database directory {}: {e}",
                dir.display()
            ))
        })?;
    }
    let any_url = format!("sqlite://{path}?mode=rwc");
    let sync_pragma = match sync {
        SyncMode::Normal => "PRAGMA synchronous = NORMAL",
        SyncMode::Full => "PRAGMA synchronous = FULL",
    };
    let pool = |max: u32| {
        AnyPoolOptions::new()
            .max_connections(max)
            .min_connections(1)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute(sync_pragma).await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    Ok(())
                })
            })
    };
    sqlx::any::install_default_drivers();
    let write = pool(1).connect(&any_url).await?;
    let read = pool(4).connect(&any_url).await?;
    SqlStore::new(read, write).await
}
