//! Notes (§8.1) in SQL, shared by both backends like the rest of [`super::sql`].
//!
//! Reading a note is a write: the view counter moves with one conditional UPDATE (two concurrent
//! readers of a one-view note cannot both get it), and the read that uses the last view deletes
//! the note in the same transaction. Expired notes are deleted when they are found, and by the
//! periodic purge.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use toz::sdk::crypto;

use super::sql::{Backend, SqlStore, conflict_on_unique, flag, from_json_col, to_json_col};
use super::*;
use crate::eacp;
use crate::secrets::{self, Kind};
use crate::time::now_micros;

macro_rules! note_cols {
    () => {
        "note_id, id_string, client_id, recipient_signing_key, writer_signing_key, max_views, views, expires, expiration, created, body"
    };
}

fn note_row(r: &AnyRow) -> sqlx::Result<NoteRow> {
    Ok(NoteRow {
        note_id: r.try_get(0)?,
        id_string: r.try_get(1)?,
        client_id: r.try_get(2)?,
        recipient_signing_key: r.try_get(3)?,
        writer_signing_key: r.try_get(4)?,
        max_views: r.try_get(5)?,
        views: r.try_get(6)?,
        expires: r.try_get::<i64, _>(7)? != 0,
        expiration: r.try_get(8)?,
        created: r.try_get(9)?,
        body: from_json_col(&r.try_get::<String, _>(10)?)?,
    })
}

async fn find(conn: &mut AnyConnection, which: &NoteRef) -> Result<Option<NoteRow>> {
    let (sql, value) = match which {
        NoteRef::Id(id) => (
            concat!("SELECT ", note_cols!(), " FROM notes WHERE note_id = $1"),
            id,
        ),
        NoteRef::Name(name) => (
            concat!("SELECT ", note_cols!(), " FROM notes WHERE id_string = $1"),
            name,
        ),
    };
    let row = sqlx::query(sql).bind(value).fetch_optional(conn).await?;
    Ok(row.as_ref().map(note_row).transpose()?)
}

fn expired(note: &NoteRow, now: i64) -> bool {
    note.expires && note.expiration <= now
}

async fn remove(conn: &mut AnyConnection, note_id: &str) -> Result<()> {
    for sql in [
        "DELETE FROM note_codes WHERE note_id = $1",
        "DELETE FROM notes WHERE note_id = $1",
    ] {
        sqlx::query(sql).bind(note_id).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Spends the codes that open the note's gates, or fails with 403 naming the first gate left
/// closed. A code is deleted as it is checked, so of two concurrent reads with one code only one
/// gets it; a wrong code is not spent because the caller's transaction then rolls back.
async fn open_gates(
    conn: &mut AnyConnection,
    note: &NoteRow,
    codes: &[(Gate, String)],
    now: i64,
) -> Result<()> {
    for gate in eacp::gates(note.body.eacp.as_ref()) {
        let Some((_, presented)) = codes.iter().find(|(g, _)| *g == gate) else {
            return Err(StoreError::Forbidden(format!(
                "this note needs a one-time code in {}",
                gate.name()
            )));
        };
        let stored: Option<String> = sqlx::query_scalar(
            "DELETE FROM note_codes WHERE note_id = $1 AND gate = $2 AND expires_at > $3 \
             RETURNING code_hash",
        )
        .bind(&note.note_id)
        .bind(gate.name())
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        if !stored.is_some_and(|hash| secrets::verify(Kind::NoteCode, presented, &hash)) {
            return Err(StoreError::Forbidden(format!(
                "the {} code is wrong, expired or already used",
                gate.name()
            )));
        }
    }
    Ok(())
}

fn gone() -> StoreError {
    StoreError::NotFound("note not found".into())
}

impl<B: Backend> SqlStore<B> {
    async fn try_insert_note(&self, note: &NewNote, replace: bool) -> Result<NoteRow> {
        let now = now_micros();
        let mut tx = self.begin().await?;
        if let Some(name) = &note.id_string {
            // An expired note no longer holds its name.
            sqlx::query(
                "DELETE FROM notes WHERE id_string = $1 AND expires = 1 AND expiration <= $2",
            )
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if let (true, Some(client)) = (replace, &note.client_id) {
                for sql in [
                    "DELETE FROM note_codes WHERE note_id IN \
                     (SELECT note_id FROM notes WHERE id_string = $1 AND client_id = $2)",
                    "DELETE FROM notes WHERE id_string = $1 AND client_id = $2",
                ] {
                    sqlx::query(sql)
                        .bind(name)
                        .bind(client)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        let note_id = crypto::random_uuid_v4();
        sqlx::query(concat!(
            "INSERT INTO notes (",
            note_cols!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10)"
        ))
        .bind(&note_id)
        .bind(&note.id_string)
        .bind(&note.client_id)
        .bind(&note.recipient_signing_key)
        .bind(&note.writer_signing_key)
        .bind(note.max_views)
        .bind(flag(note.expires))
        .bind(note.expiration)
        .bind(now)
        .bind(to_json_col(&note.body))
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, "a note with this id_string"))?;
        tx.commit().await?;
        Ok(NoteRow {
            note_id,
            id_string: note.id_string.clone(),
            client_id: note.client_id.clone(),
            recipient_signing_key: note.recipient_signing_key.clone(),
            writer_signing_key: note.writer_signing_key.clone(),
            max_views: note.max_views,
            views: 0,
            expires: note.expires,
            expiration: note.expiration,
            created: now,
            body: note.body.clone(),
        })
    }
}

#[async_trait]
impl<B: Backend> NoteStore for SqlStore<B> {
    async fn insert_note(&self, note: NewNote, replace: bool) -> Result<NoteRow> {
        // Two replaces of one name can race on PostgreSQL: the loser's insert hits the unique
        // name the winner just inserted. Trying again replaces the winner's note, as if the
        // two had run one after the other.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_insert_note(&note, replace).await {
                Err(StoreError::Conflict(_)) if replace && attempt < 3 => continue,
                other => return other,
            }
        }
    }

    async fn read_note(
        &self,
        which: &NoteRef,
        reader_key: &str,
        codes: &[(Gate, String)],
        now: i64,
    ) -> Result<NoteRow> {
        let mut tx = self.begin().await?;
        let note = find(&mut tx, which).await?.ok_or_else(gone)?;
        if expired(&note, now) {
            remove(&mut tx, &note.note_id).await?;
            tx.commit().await?;
            return Err(gone());
        }
        if !crypto::constant_time_eq(note.recipient_signing_key.as_bytes(), reader_key.as_bytes()) {
            return Err(StoreError::Forbidden(
                "only the note's recipient may read it".into(),
            ));
        }
        open_gates(&mut tx, &note, codes, now).await?;
        let views: Option<i64> = sqlx::query_scalar(
            "UPDATE notes SET views = views + 1 WHERE note_id = $1 AND (max_views <= 0 OR views < max_views) \
             RETURNING views",
        )
        .bind(&note.note_id)
        .fetch_optional(&mut *tx)
        .await?;
        let views = views.ok_or_else(gone)?;
        if note.max_views > 0 && views >= note.max_views {
            remove(&mut tx, &note.note_id).await?;
        }
        tx.commit().await?;
        Ok(NoteRow { views, ..note })
    }

    async fn set_note_code(
        &self,
        note_id: &str,
        gate: Gate,
        code_hash: &str,
        expires_at: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO note_codes (note_id, gate, code_hash, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (note_id, gate) DO UPDATE SET code_hash = excluded.code_hash, \
             expires_at = excluded.expires_at",
        )
        .bind(note_id)
        .bind(gate.name())
        .bind(code_hash)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn peek_note(&self, which: &NoteRef, now: i64) -> Result<Option<NoteRow>> {
        let mut conn = self.read.acquire().await?;
        let Some(note) = find(&mut conn, which).await? else {
            return Ok(None);
        };
        if expired(&note, now) {
            let mut tx = self.begin().await?;
            sqlx::query(
                "DELETE FROM notes WHERE note_id = $1 AND expires = 1 AND expiration <= $2",
            )
            .bind(&note.note_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(None);
        }
        Ok(Some(note))
    }

    async fn delete_note(
        &self,
        note_id: &str,
        signer_key: &str,
        client: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let note = find(&mut tx, &NoteRef::Id(note_id.to_string()))
            .await?
            .ok_or_else(gone)?;
        if expired(&note, now_micros()) {
            remove(&mut tx, note_id).await?;
            tx.commit().await?;
            return Err(gone());
        }
        let by_key =
            crypto::constant_time_eq(note.writer_signing_key.as_bytes(), signer_key.as_bytes());
        let by_client = client.is_some() && note.client_id.as_deref() == client;
        if !(by_key || by_client) {
            return Err(StoreError::Forbidden(
                "only the note's writer may delete it".into(),
            ));
        }
        remove(&mut tx, note_id).await?;
        tx.commit().await?;
        Ok(())
    }
}
