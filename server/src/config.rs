//! Turning a `--database` URL into a store.

use std::path::Path;
use std::sync::Arc;

use crate::blobs::Blobs;
use crate::blobs::dir::DirStore;
use crate::blobs::large_object::LargeObjects;
use crate::store::sql::SqlStore;
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

fn describe(e: StoreError) -> String {
    match e {
        StoreError::Db(e) => format!("database error: {e}"),
        StoreError::BadRequest(m) => m,
        other => format!("{other:?}"),
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// An opened database of either backend.
enum Opened {
    Postgres(SqlStore<postgres::Postgres>),
    Sqlite(SqlStore<sqlite::Sqlite>),
}

async fn open_db(url: &str, opts: StoreOptions) -> Result<Opened, String> {
    if is_postgres(url) {
        let s = postgres::open(url, opts.pg_max_connections).await;
        Ok(Opened::Postgres(s.map_err(describe)?))
    } else if url.starts_with("sqlite:") {
        let s = sqlite::open(url, opts.sqlite_sync).await;
        Ok(Opened::Sqlite(s.map_err(describe)?))
    } else {
        Err("--database must be sqlite://PATH or postgres://USER@HOST/DB".into())
    }
}

/// Opens and migrates the database named by `url` (`sqlite://PATH` or `postgres://...`).
pub async fn open_store(url: &str, opts: StoreOptions) -> Result<DynStore, String> {
    Ok(match open_db(url, opts).await? {
        Opened::Postgres(s) => Arc::new(s),
        Opened::Sqlite(s) => Arc::new(s),
    })
}

/// Opens the database and the blob stores of `serve`. New file uploads go to `blob_dir` when
/// given; otherwise to `<directory of the SQLite database>/blobs`, or on PostgreSQL to large
/// objects (which stay readable when a directory is named later).
pub async fn open_serving(
    url: &str,
    opts: StoreOptions,
    blob_dir: Option<&Path>,
) -> Result<(DynStore, Blobs), String> {
    let dir_store = |dir: &Path| {
        DirStore::open(dir).map_err(|e| format!("cannot use blob directory {}: {e}", dir.display()))
    };
    match open_db(url, opts).await? {
        Opened::Postgres(s) => {
            let dir = blob_dir.map(dir_store).transpose()?;
            let blobs = Blobs::new(dir, Some(LargeObjects::new(s.write_pool())));
            Ok((Arc::new(s), blobs))
        }
        Opened::Sqlite(s) => {
            let dir = match blob_dir {
                Some(d) => d.to_path_buf(),
                None => {
                    let db = Path::new(sqlite::file_path(url).map_err(describe)?);
                    db.parent().unwrap_or(Path::new("")).join("blobs")
                }
            };
            Ok((Arc::new(s), Blobs::new(Some(dir_store(&dir)?), None)))
        }
    }
}
