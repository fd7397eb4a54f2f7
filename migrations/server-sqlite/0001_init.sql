-- Tern server schema, SQLite. Times are unix milliseconds (INTEGER), ids
-- UUIDv7 text. Every table is STRICT; see NOTES.md for the lessons kept.

CREATE TABLE server_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    avatar_file_id TEXT,
    kind           TEXT NOT NULL DEFAULT 'human' CHECK (kind IN ('human', 'bot')),
    server_role    TEXT NOT NULL DEFAULT 'user' CHECK (server_role IN ('user', 'admin')),
    active         INTEGER NOT NULL DEFAULT 1,
    last_seen_at   INTEGER,
    created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    device_name   TEXT,
    ip            TEXT,
    user_agent    TEXT,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    -- SHA-256 of the current refresh token, and of the one before it.
    refresh_hash  TEXT NOT NULL UNIQUE,
    previous_hash TEXT,
    rotated_at    INTEGER,
    -- One family per login; kept for audit when sessions are re-keyed.
    refresh_family TEXT NOT NULL,
    revoked_at    INTEGER
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_previous ON sessions (previous_hash);

-- Every refresh token ever rotated away, so that a replay is recognised.
CREATE TABLE refresh_used (
    hash       TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    used_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE workspaces (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('system', 'client')),
    settings   TEXT NOT NULL DEFAULT '{}',
    active     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE workspace_members (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    role         TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    joined_at    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
) STRICT;
CREATE INDEX workspace_members_user ON workspace_members (user_id);

CREATE TABLE invites (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    email        TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    inviter_id   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    accepted_at  INTEGER,
    accepted_by  TEXT
) STRICT;

CREATE TABLE rooms (
    id              TEXT PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspaces (id),
    kind            TEXT NOT NULL CHECK (kind IN ('direct', 'group', 'channel')),
    visibility      TEXT NOT NULL CHECK (visibility IN ('public', 'private', 'hidden')),
    name            TEXT,
    topic           TEXT,
    created_by      TEXT NOT NULL,
    read_only       INTEGER NOT NULL DEFAULT 0,
    secret          INTEGER NOT NULL DEFAULT 0,
    archived        INTEGER NOT NULL DEFAULT 0,
    last_seq        INTEGER NOT NULL DEFAULT 0,
    last_message_at INTEGER,
    member_count    INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX rooms_workspace ON rooms (workspace_id);

-- One direct room per pair of users in a workspace (user_a < user_b).
CREATE TABLE direct_pairs (
    workspace_id TEXT NOT NULL,
    user_a       TEXT NOT NULL,
    user_b       TEXT NOT NULL,
    room_id      TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_a, user_b)
) STRICT;

CREATE TABLE room_members (
    room_id       TEXT NOT NULL REFERENCES rooms (id),
    user_id       TEXT NOT NULL REFERENCES users (id),
    role          TEXT NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    state         TEXT NOT NULL CHECK (state IN ('joined', 'invited', 'left', 'banned')),
    joined_at     INTEGER NOT NULL,
    left_at       INTEGER,
    muted         INTEGER NOT NULL DEFAULT 0,
    notify        TEXT NOT NULL DEFAULT 'all' CHECK (notify IN ('all', 'mentions', 'none')),
    last_read_seq INTEGER NOT NULL DEFAULT 0,
    -- The seq of this member's latest membership event (for sync).
    member_seq    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, user_id)
) STRICT;
CREATE INDEX room_members_user ON room_members (user_id, state);

-- The room log. (room_id, seq) is gapless per room.
CREATE TABLE events (
    room_id    TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    id         TEXT NOT NULL UNIQUE,
    sender_id  TEXT NOT NULL,
    type       TEXT NOT NULL,
    content    TEXT NOT NULL,
    txn_id     TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, seq)
) STRICT;
CREATE UNIQUE INDEX events_txn ON events (sender_id, txn_id) WHERE txn_id IS NOT NULL;

-- Projection of message events, kept in the same transaction.
CREATE TABLE messages (
    id           TEXT PRIMARY KEY,
    room_id      TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    sender_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    body         TEXT NOT NULL,
    reply_to     TEXT,
    thread_root  TEXT,
    attachments  TEXT NOT NULL DEFAULT '[]',
    edited_at    INTEGER,
    deleted_at   INTEGER,
    -- Seq of the delete event, so a repeated delete answers with it.
    deleted_seq  INTEGER,
    thread_count INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_room_seq ON messages (room_id, seq);

CREATE TABLE reactions (
    message_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    emoji      TEXT NOT NULL,
    -- Seq of the event that last added or removed it.
    seq        INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (message_id, user_id, emoji)
) STRICT;

-- Who a message mentions, for mention counts.
CREATE TABLE mentions (
    user_id TEXT NOT NULL,
    room_id TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id, seq)
) STRICT, WITHOUT ROWID;

-- Key-value metadata on any entity (the seeds' "Meta").
CREATE TABLE meta (
    entity_type TEXT NOT NULL CHECK (entity_type IN ('user', 'room', 'message', 'workspace', 'system')),
    entity_id   TEXT NOT NULL,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    data_type   TEXT NOT NULL,
    public      INTEGER NOT NULL DEFAULT 0,
    owner_id    TEXT,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (entity_type, entity_id, key)
) STRICT;
