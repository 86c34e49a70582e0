-- toz-server schema, version 3: one-time codes that open notes' access control policies
-- (server/src/eacp.rs). gate is "tozny_otp" or "email_otp"; a new code for the same gate
-- replaces the old one. Codes are kept only as BLAKE2b hashes, like every server-issued secret.
CREATE TABLE IF NOT EXISTS note_codes (
    note_id TEXT NOT NULL,
    gate TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    expires_at {INT} NOT NULL,
    PRIMARY KEY (note_id, gate)
);
CREATE INDEX IF NOT EXISTS note_codes_expiry ON note_codes (expires_at);
