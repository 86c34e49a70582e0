-- toz-server schema, version 1. One file for both backends: {INT} and {SERIAL_PK} are replaced
-- by the backend (INTEGER / INTEGER PRIMARY KEY AUTOINCREMENT on SQLite, BIGINT / BIGSERIAL
-- PRIMARY KEY on PostgreSQL). Times are microseconds since the epoch, flags are 0/1, maps and
-- lists are JSON text. Secrets appear only as BLAKE2b hashes (*_hash columns).

CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    company TEXT NOT NULL,
    plan TEXT NOT NULL,
    profile TEXT NOT NULL,
    meta TEXT NOT NULL,
    queen_client_id TEXT NOT NULL,
    created {INT} NOT NULL
);

CREATE TABLE IF NOT EXISTS clients (
    seq {SERIAL_PK},
    id TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    client_type TEXT NOT NULL,
    enabled {INT} NOT NULL,
    has_backup {INT} NOT NULL,
    public_key TEXT NOT NULL,
    signing_key TEXT,
    api_key_id TEXT NOT NULL UNIQUE,
    api_secret_hash TEXT NOT NULL,
    created {INT} NOT NULL
);
CREATE INDEX IF NOT EXISTS clients_account ON clients (account_id, seq);

CREATE TABLE IF NOT EXISTS registration_tokens (
    seq {SERIAL_PK},
    id TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    enabled {INT} NOT NULL,
    one_time {INT} NOT NULL,
    allowed_types TEXT NOT NULL,
    uses {INT} NOT NULL,
    total_uses_allowed {INT} NOT NULL,
    expires_at {INT},
    created {INT} NOT NULL
);
CREATE INDEX IF NOT EXISTS registration_tokens_account ON registration_tokens (account_id, seq);

CREATE TABLE IF NOT EXISTS access_tokens (
    token_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    expires_at {INT} NOT NULL
);

CREATE TABLE IF NOT EXISTS account_sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    expires_at {INT} NOT NULL
);

CREATE TABLE IF NOT EXISTS login_challenges (
    account_id TEXT NOT NULL,
    challenge TEXT NOT NULL,
    expires_at {INT} NOT NULL,
    PRIMARY KEY (account_id, challenge)
);

CREATE TABLE IF NOT EXISTS tsv1_nonces (
    nonce_key TEXT PRIMARY KEY,
    expires_at {INT} NOT NULL
);

-- One row: the last timestamp handed out, so created/last_modified are strictly increasing across
-- every writer, including other server processes on the same database.
CREATE TABLE IF NOT EXISTS write_clock (
    id {INT} PRIMARY KEY,
    ts {INT} NOT NULL
);
INSERT INTO write_clock (id, ts) VALUES (1, 0) ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS records (
    idx {SERIAL_PK},
    id TEXT NOT NULL UNIQUE,
    writer_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    plain TEXT NOT NULL,
    data TEXT NOT NULL,
    rec_sig TEXT,
    created {INT} NOT NULL,
    last_modified {INT} NOT NULL,
    version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_writer ON records (writer_id, idx);
CREATE INDEX IF NOT EXISTS records_writer_type ON records (writer_id, record_type, idx);

CREATE TABLE IF NOT EXISTS access_keys (
    writer_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    reader_id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    eak TEXT NOT NULL,
    authorizer_id TEXT NOT NULL,
    created {INT} NOT NULL,
    PRIMARY KEY (writer_id, user_id, reader_id, record_type)
);

-- (owner, reader, type) -> flags. owner is the writer (== user in all SDK traffic).
CREATE TABLE IF NOT EXISTS policies (
    owner_id TEXT NOT NULL,
    reader_id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    can_read {INT} NOT NULL,
    can_authorize {INT} NOT NULL,
    can_edit {INT} NOT NULL,
    granted_by TEXT NOT NULL,
    created {INT} NOT NULL,
    last_modified {INT} NOT NULL,
    PRIMARY KEY (owner_id, reader_id, record_type)
);
CREATE INDEX IF NOT EXISTS policies_reader ON policies (reader_id, owner_id);
