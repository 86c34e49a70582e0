-- toz-server schema, version 2: notes (spec §8.1) and large files (§8.2). Same conventions as
-- 0001_init.sql ({INT} per backend, times in microseconds, flags 0/1, JSON in TEXT, secrets only
-- as BLAKE2b hashes).

-- A note. id_string is NULL for unnamed notes (and always for anonymous writers), so the UNIQUE
-- constraint covers names only; both databases allow many NULLs. client_id is the registered
-- writer, NULL for anonymous ones. body is the rest of the note JSON, opaque to the server.
CREATE TABLE IF NOT EXISTS notes (
    note_id TEXT PRIMARY KEY,
    id_string TEXT UNIQUE,
    client_id TEXT,
    recipient_signing_key TEXT NOT NULL,
    writer_signing_key TEXT NOT NULL,
    max_views {INT} NOT NULL,
    views {INT} NOT NULL,
    expires {INT} NOT NULL,
    expiration {INT} NOT NULL,
    created {INT} NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_expiry ON notes (expires, expiration);

-- A file record's bytes: file_blob names the blob ("file:<uuid>" in a directory store,
-- "lo:<oid>" for a PostgreSQL large object); file_meta is {file_name, checksum, compression, size}.
ALTER TABLE records ADD COLUMN file_blob TEXT;
ALTER TABLE records ADD COLUMN file_meta TEXT;

-- An announced upload (POST /v1/storage/files) until it is committed or abandoned. The upload
-- URL's secret is kept only as a hash; blob_key is set once the bytes arrived and verified.
CREATE TABLE IF NOT EXISTS pending_files (
    id TEXT PRIMARY KEY,
    writer_id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    plain TEXT NOT NULL,
    data TEXT NOT NULL,
    rec_sig TEXT,
    file_meta TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    blob_key TEXT,
    created {INT} NOT NULL,
    expires_at {INT} NOT NULL
);
CREATE INDEX IF NOT EXISTS pending_files_expiry ON pending_files (expires_at);

-- A download URL handed out by GET /v1/storage/files/<record_id>.
CREATE TABLE IF NOT EXISTS file_downloads (
    id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    expires_at {INT} NOT NULL
);
CREATE INDEX IF NOT EXISTS file_downloads_expiry ON file_downloads (expires_at);
