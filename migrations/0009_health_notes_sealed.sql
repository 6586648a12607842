-- Health notes (PAI) are sensitive data (RGPD art. 9): the database holds them only sealed with
-- AES-256-GCM by the store (store/healthkeys.go), with the ID of the key that sealed them so keys
-- can rotate. The child's ID is the additional data: a ciphertext moved to another child does not
-- open. The keys never enter the database.
CREATE TABLE child_health_note (
    child_id   bigint PRIMARY KEY REFERENCES child (id) ON DELETE CASCADE,
    key_id     text NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
    nonce      bytea NOT NULL CHECK (length(nonce) = 12),
    -- The ciphertext and its 16-byte tag; an empty note has no row, a note holds at most 1,000
    -- characters of at most 4 bytes.
    sealed     bytea NOT NULL CHECK (length(sealed) BETWEEN 17 AND 4016),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Rotation looks for the notes still sealed with an older key.
CREATE INDEX child_health_note_key_idx ON child_health_note (key_id);

-- Notes written before encryption wait here until the service first starts with a key, which
-- seals them and empties this table (store.SealPlainHealthNotes). Nothing else reads it.
CREATE TABLE child_health_note_plain (
    child_id bigint PRIMARY KEY REFERENCES child (id) ON DELETE CASCADE,
    note     text NOT NULL CHECK (note <> '')
);
INSERT INTO child_health_note_plain (child_id, note)
SELECT id, health_note FROM child WHERE health_note <> '';

ALTER TABLE child DROP COLUMN health_note;
