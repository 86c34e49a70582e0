//! Large files (§8.2) in SQL: announced uploads, their commit into records, download URLs, and
//! releasing blobs when the last row naming them goes.

use std::collections::HashSet;

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};

use super::sql::{Backend, SqlStore, from_json_col, insert_record_row, stored_file, to_json_col};
use super::*;
use crate::blobs::large_object;
use crate::time::now_micros;

/// Releases a blob whose last reference the transaction on `conn` is deleting. Large objects are
/// unlinked right here, so they go exactly when the transaction commits; any other key is
/// returned for the caller to remove from its blob store after the commit.
pub(super) async fn release_blob(conn: &mut AnyConnection, key: String) -> Result<Option<String>> {
    match large_object::parse_key(&key) {
        Some(oid) => {
            sqlx::query(large_object::UNLINK_SQL)
                .bind(oid)
                .execute(conn)
                .await?;
            Ok(None)
        }
        None => Ok(Some(key)),
    }
}

#[async_trait]
impl<B: Backend> FileStore for SqlStore<B> {
    async fn insert_pending_file(&self, p: NewPendingFile) -> Result<()> {
        sqlx::query(
            "INSERT INTO pending_files (id, writer_id, record_type, plain, data, rec_sig, file_meta, secret_hash, \
             blob_key, created, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)",
        )
        .bind(&p.id)
        .bind(&p.writer_id)
        .bind(&p.record_type)
        .bind(to_json_col(&p.plain))
        .bind(to_json_col(&p.data))
        .bind(&p.rec_sig)
        .bind(to_json_col(&p.meta))
        .bind(&p.secret_hash)
        .bind(now_micros())
        .bind(p.expires_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn pending_file(&self, id: &str) -> Result<Option<PendingFileRow>> {
        let row = sqlx::query(
            "SELECT file_meta, secret_hash, blob_key, expires_at FROM pending_files WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(PendingFileRow {
            meta: from_json_col(&r.try_get::<String, _>(0)?)?,
            secret_hash: r.try_get(1)?,
            blob_key: r.try_get(2)?,
            expires_at: r.try_get(3)?,
        }))
    }

    async fn attach_blob(&self, pending_id: &str, blob_key: &str, file_meta: &str) -> Result<bool> {
        let done = sqlx::query(super::sql::ATTACH_BLOB_SQL)
            .bind(blob_key)
            .bind(pending_id)
            .bind(file_meta)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn commit_file(&self, pending_id: &str, writer: &str) -> Result<RecordRow> {
        let (mut tx, ts) = self.begin_stamped().await?;
        let r = sqlx::query(
            "SELECT writer_id, record_type, plain, data, rec_sig, file_meta, blob_key FROM pending_files WHERE id = $1",
        )
        .bind(pending_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound("pending file not found".into()))?;
        let owner: String = r.try_get(0)?;
        if owner != writer {
            return Err(StoreError::Forbidden(
                "only the writer may commit this file".into(),
            ));
        }
        let blob_key: String = r.try_get::<Option<String>, _>(6)?.ok_or_else(|| {
            StoreError::BadRequest("the file's bytes have not been uploaded yet".into())
        })?;
        let record = NewRecord {
            writer_id: owner.clone(),
            user_id: owner,
            record_type: r.try_get(1)?,
            plain: from_json_col(&r.try_get::<String, _>(2)?)?,
            data: from_json_col(&r.try_get::<String, _>(3)?)?,
            rec_sig: r.try_get(4)?,
        };
        let meta = from_json_col(&r.try_get::<String, _>(5)?)?;
        let done = sqlx::query("DELETE FROM pending_files WHERE id = $1 AND blob_key = $2")
            .bind(pending_id)
            .bind(&blob_key)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(
                "the upload changed during commit".into(),
            ));
        }
        let row =
            insert_record_row(&mut tx, ts, record, Some(StoredFile { blob_key, meta })).await?;
        tx.commit().await?;
        Ok(row)
    }

    async fn purge_pending_files(&self, before: i64) -> Result<Vec<String>> {
        let mut tx = self.begin().await?;
        let keys: Vec<Option<String>> = sqlx::query_scalar(
            "DELETE FROM pending_files WHERE expires_at < $1 RETURNING blob_key",
        )
        .bind(before)
        .fetch_all(&mut *tx)
        .await?;
        let mut outside = Vec::new();
        for key in keys.into_iter().flatten() {
            outside.extend(release_blob(&mut tx, key).await?);
        }
        tx.commit().await?;
        Ok(outside)
    }

    async fn insert_download(
        &self,
        id: &str,
        record_id: &str,
        secret_hash: &str,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO file_downloads (id, record_id, secret_hash, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(record_id)
        .bind(secret_hash)
        .bind(expires_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn download(&self, id: &str) -> Result<Option<DownloadRow>> {
        let row = sqlx::query(
            "SELECT d.secret_hash, d.expires_at, r.file_blob, r.file_meta FROM file_downloads d \
             LEFT JOIN records r ON r.id = d.record_id WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(DownloadRow {
            secret_hash: r.try_get(0)?,
            expires_at: r.try_get(1)?,
            file: stored_file(r.try_get(2)?, r.try_get(3)?)?,
        }))
    }

    async fn blob_keys(&self, prefix: &str) -> Result<HashSet<String>> {
        let pattern = format!("{prefix}%");
        let keys: Vec<String> = sqlx::query_scalar(
            "SELECT file_blob FROM records WHERE file_blob LIKE $1 \
             UNION SELECT blob_key FROM pending_files WHERE blob_key LIKE $1",
        )
        .bind(pattern)
        .fetch_all(&self.read)
        .await?;
        Ok(keys.into_iter().collect())
    }
}
