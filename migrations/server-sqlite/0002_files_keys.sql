-- Files, thumbnails, avatars and workspace API keys.

-- One row per distinct content; `storage_key` names the object in the blob
-- store.
CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    mime        TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

-- A visible file: a name and an owner over a blob. Forwarding makes a new
-- row on the same blob.
CREATE TABLE files (
    id         TEXT PRIMARY KEY,
    sha256     TEXT NOT NULL REFERENCES blobs (sha256),
    owner_id   TEXT NOT NULL,
    name       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    mime       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX files_sha ON files (sha256);

-- Which messages reference which files (who may read a file).
CREATE TABLE message_files (
    file_id    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    room_id    TEXT NOT NULL,
    PRIMARY KEY (file_id, message_id)
) STRICT;
CREATE INDEX message_files_message ON message_files (message_id);

CREATE TABLE thumbnails (
    sha256      TEXT NOT NULL,
    size        TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    mime        TEXT NOT NULL,
    PRIMARY KEY (sha256, size)
) STRICT;

ALTER TABLE rooms ADD COLUMN avatar_file_id TEXT;

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    name         TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    -- JSON array of "read", "write", "delete".
    permissions  TEXT NOT NULL,
    bot_user_id  TEXT NOT NULL REFERENCES users (id),
    created_by   TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1,
    expires_at   INTEGER,
    last_used_at INTEGER,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);
