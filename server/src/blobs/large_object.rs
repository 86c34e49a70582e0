//! Blobs as PostgreSQL large objects, through the server-side functions `lo_create`, `lo_put`,
//! `lo_get` and `lo_unlink` (plain SQL, so they work through sqlx's Any driver).
//!
//! An upload is one transaction: the large object is created, written in 256 KiB pieces and
//! attached to its pending upload, then committed; an upload that fails or is abandoned rolls
//! back and leaves nothing. Unlinks happen in the transaction that deletes the last row naming
//! the object ([`UNLINK_SQL`]). Reads are one `lo_get` per piece, so any server on the database
//! serves any object. Every server must connect as a role that may read the objects (the same
//! role, as usual, or `lo_compat_privileges`).

use std::io;

use async_trait::async_trait;
use bytes::Bytes;
use sqlx::AnyPool;

use super::{BlobRead, BlobStore, BlobUpload};
use crate::store::Store;
use crate::store::sql::ATTACH_BLOB_SQL;

/// Key prefix of large-object blobs.
pub const SCHEME_PREFIX: &str = "lo:";
/// Bytes per `lo_put` / `lo_get`.
const CHUNK: usize = 256 * 1024;
/// Unlinks the large object `$1` (a BIGINT oid) if it exists.
pub const UNLINK_SQL: &str = "SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE oid = CAST(CAST($1 AS BIGINT) AS OID)";

/// The oid of a `lo:<oid>` key.
pub fn parse_key(key: &str) -> Option<i64> {
    key.strip_prefix(SCHEME_PREFIX)?
        .parse()
        .ok()
        .filter(|o| *o > 0)
}

/// Large objects in the server's PostgreSQL database.
pub struct LargeObjects {
    pool: AnyPool,
}

impl LargeObjects {
    /// Large objects through `pool` (a PostgreSQL pool).
    pub fn new(pool: AnyPool) -> Self {
        LargeObjects { pool }
    }
}

fn db(e: sqlx::Error) -> io::Error {
    io::Error::other(e)
}

#[async_trait]
impl BlobStore for LargeObjects {
    fn scheme(&self) -> &'static str {
        "lo"
    }

    fn describe(&self) -> String {
        "PostgreSQL large objects".into()
    }

    async fn begin(&self) -> io::Result<Box<dyn BlobUpload>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let oid: i64 = sqlx::query_scalar("SELECT CAST(lo_create(0) AS BIGINT)")
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        Ok(Box::new(LoUpload {
            tx,
            oid,
            offset: 0,
            buf: Vec::with_capacity(CHUNK),
        }))
    }

    async fn open(&self, key: &str) -> io::Result<Option<BlobRead>> {
        let oid = parse_key(key).ok_or_else(|| io::Error::other("malformed large-object key"))?;
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM pg_largeobject_metadata WHERE oid = CAST(CAST($1 AS BIGINT) AS OID)",
        )
        .bind(oid)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        if exists.is_none() {
            return Ok(None);
        }
        let pool = self.pool.clone();
        let body = futures_util::stream::unfold(Some(0i64), move |state| {
            let pool = pool.clone();
            async move {
                let offset = state?;
                let piece: sqlx::Result<Vec<u8>> = sqlx::query_scalar(
                    "SELECT lo_get(CAST(CAST($1 AS BIGINT) AS OID), $2, CAST($3 AS INTEGER))",
                )
                .bind(oid)
                .bind(offset)
                .bind(CHUNK as i64)
                .fetch_one(&pool)
                .await;
                match piece {
                    Ok(p) if p.is_empty() => None,
                    Ok(p) => {
                        let next = (p.len() == CHUNK).then_some(offset + p.len() as i64);
                        Some((Ok(Bytes::from(p)), next))
                    }
                    Err(e) => Some((Err(db(e)), None)),
                }
            }
        });
        Ok(Some(BlobRead {
            len: None,
            body: Box::pin(body),
        }))
    }

    async fn remove(&self, key: &str) -> io::Result<()> {
        if let Some(oid) = parse_key(key) {
            sqlx::query(UNLINK_SQL)
                .bind(oid)
                .execute(&self.pool)
                .await
                .map_err(db)?;
        }
        Ok(())
    }
}

/// A large object being written inside its own transaction; dropped unfinished, the transaction
/// rolls back and the object never existed.
struct LoUpload {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    oid: i64,
    offset: i64,
    buf: Vec<u8>,
}

impl LoUpload {
    async fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        let len = piece.len() as i64;
        sqlx::query("SELECT lo_put(CAST(CAST($1 AS BIGINT) AS OID), $2, $3)")
            .bind(self.oid)
            .bind(self.offset)
            .bind(piece)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        self.offset += len;
        Ok(())
    }
}

#[async_trait]
impl BlobUpload for LoUpload {
    async fn write(&mut self, mut chunk: &[u8]) -> io::Result<()> {
        while !chunk.is_empty() {
            let take = (CHUNK - self.buf.len()).min(chunk.len());
            self.buf.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.buf.len() == CHUNK {
                self.flush().await?;
            }
        }
        Ok(())
    }

    async fn finish(
        mut self: Box<Self>,
        _store: &dyn Store,
        pending_id: &str,
        file_meta: &str,
    ) -> io::Result<bool> {
        self.flush().await?;
        let key = format!("{SCHEME_PREFIX}{}", self.oid);
        let attached = sqlx::query(ATTACH_BLOB_SQL)
            .bind(&key)
            .bind(pending_id)
            .bind(file_meta)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        if attached.rows_affected() != 1 {
            // Dropping the transaction rolls the object back.
            return Ok(false);
        }
        self.tx.commit().await.map_err(db)?;
        Ok(true)
    }
}
