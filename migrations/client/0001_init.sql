-- Tern client store, version 1. See NOTES.md next to this file.
-- Times are unix milliseconds; ids are UUID text.

-- The signed-in account of this profile (one row at most). Tokens are not
-- here: they live in the secret store.
CREATE TABLE account (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    user_id     TEXT    NOT NULL,
    session_id  TEXT    NOT NULL,
    server_url  TEXT    NOT NULL,
    signed_in_at INTEGER NOT NULL,
    -- A lease on refreshing the tokens: two clients on one profile must
    -- never rotate the refresh token at once (the loser's token would be
    -- taken for a stolen one and the session revoked).
    refresh_claimed_by    TEXT,
    refresh_claimed_until INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE users (
    id              TEXT    PRIMARY KEY,
    username        TEXT    NOT NULL DEFAULT '',
    display_name    TEXT    NOT NULL DEFAULT '',
    kind            TEXT    NOT NULL DEFAULT 'human',
    avatar_file_id  TEXT,
    updated_at      INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE rooms (
    id              TEXT    PRIMARY KEY,
    workspace_id    TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    visibility      TEXT    NOT NULL,
    name            TEXT,
    topic           TEXT,
    created_by      TEXT    NOT NULL,
    read_only       INTEGER NOT NULL DEFAULT 0,
    secret          INTEGER NOT NULL DEFAULT 0,
    archived        INTEGER NOT NULL DEFAULT 0,
    member_count    INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    -- The newest message (or creation) time: the room list sorts on it.
    last_activity   INTEGER NOT NULL DEFAULT 0,
    -- The caller's own membership.
    membership      TEXT    NOT NULL DEFAULT 'joined',
    role            TEXT    NOT NULL DEFAULT 'member',
    muted           INTEGER NOT NULL DEFAULT 0,
    notify          TEXT    NOT NULL DEFAULT 'all',
    unread_count    INTEGER NOT NULL DEFAULT 0,
    mention_count   INTEGER NOT NULL DEFAULT 0,
    -- 1 while the room exists only here (created offline, in the outbox).
    local_only      INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX rooms_activity ON rooms (last_activity DESC);

CREATE TABLE members (
    room_id         TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    role            TEXT    NOT NULL DEFAULT 'member',
    state           TEXT    NOT NULL DEFAULT 'joined',
    last_read_seq   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, user_id)
) STRICT;

-- What the sync engine holds of each room's log. `seq` is the highest seq
-- held with nothing missing above the newest gap: the number sent to sync.
CREATE TABLE sync_cursors (
    room_id     TEXT    PRIMARY KEY,
    seq         INTEGER NOT NULL DEFAULT 0,
    synced_at   INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Runs of seqs known to be missing (a `limited` sync left them out);
-- backfill shrinks them. Inclusive bounds.
CREATE TABLE gaps (
    room_id     TEXT    NOT NULL,
    from_seq    INTEGER NOT NULL,
    to_seq      INTEGER NOT NULL,
    PRIMARY KEY (room_id, to_seq)
) STRICT;

-- The raw room log as the server sent it.
CREATE TABLE events (
    room_id     TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    id          TEXT    NOT NULL,
    sender_id   TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    content     TEXT    NOT NULL,
    -- For edit, delete and reaction events: the message they act on.
    target      TEXT,
    txn_id      TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (room_id, seq)
) STRICT;

CREATE INDEX events_target ON events (target) WHERE target IS NOT NULL;

-- The message projection: edits, deletes and reactions applied. A local
-- echo is a row with no seq and the txn id of its outbox item.
CREATE TABLE messages (
    -- An explicit rowid: VACUUM may renumber an implicit one, and the
    -- full-text index refers to rows by it.
    pk          INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    room_id     TEXT    NOT NULL,
    seq         INTEGER,
    sender_id   TEXT    NOT NULL,
    kind        TEXT    NOT NULL DEFAULT 'text',
    body        TEXT    NOT NULL DEFAULT '',
    reply_to    TEXT,
    thread_root TEXT,
    attachments TEXT    NOT NULL DEFAULT '[]',
    forward_of  TEXT,
    mentions    TEXT    NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL,
    edited_at   INTEGER,
    -- The seq of the edit shown: an older edit arriving late (backfill)
    -- never overwrites a newer one.
    edited_seq  INTEGER NOT NULL DEFAULT 0,
    deleted_at  INTEGER,
    erased      INTEGER NOT NULL DEFAULT 0,
    txn_id      TEXT,
    -- Order of local echoes among themselves (their outbox id).
    local_order INTEGER,
    -- The provisional id it had as a local echo: a front end may still
    -- hold it, so it keeps finding the message.
    local_id    TEXT,
    -- What the full-text index sees: the body with the folds unicode61
    -- does not make (ё is е to a Russian reader). One character for one,
    -- so highlights map back onto the body.
    search_text TEXT GENERATED ALWAYS AS (replace(replace(body, 'ё', 'е'), 'Ё', 'Е')) VIRTUAL
) STRICT;

CREATE UNIQUE INDEX messages_room_seq ON messages (room_id, seq) WHERE seq IS NOT NULL;
CREATE INDEX messages_local ON messages (room_id, local_order) WHERE seq IS NULL;
CREATE INDEX messages_txn ON messages (txn_id) WHERE txn_id IS NOT NULL;
CREATE INDEX messages_created ON messages (created_at);
CREATE INDEX messages_local_id ON messages (local_id) WHERE local_id IS NOT NULL;

-- The latest word on each (message, emoji, user): added or taken back,
-- and at which seq, so that events applied out of order (backfill) end in
-- the log's state.
CREATE TABLE reactions (
    message_id  TEXT    NOT NULL,
    emoji       TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    added       INTEGER NOT NULL DEFAULT 1,
    seq         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (message_id, emoji, user_id)
) STRICT;

-- Every write the user made, until the server has it. Delivered per room
-- in `id` order.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    txn_id          TEXT    NOT NULL UNIQUE,
    room_id         TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    error           TEXT,
    -- The client instance delivering it, until `claimed_until`.
    claimed_by      TEXT,
    claimed_until   INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX outbox_room ON outbox (room_id, id);

-- Downloaded and uploaded files (content-addressed cache). Filled by the
-- files work; the shape is here so the rest of the store can refer to it.
CREATE TABLE files (
    id              TEXT    PRIMARY KEY,
    sha256          TEXT,
    name            TEXT    NOT NULL DEFAULT '',
    mime            TEXT    NOT NULL DEFAULT 'application/octet-stream',
    size            INTEGER NOT NULL DEFAULT 0,
    -- Path under the profile's files/ dir, when the bytes are cached.
    cache_path      TEXT,
    thumbnail_path  TEXT,
    pinned          INTEGER NOT NULL DEFAULT 0,
    last_used_at    INTEGER NOT NULL DEFAULT 0,
    -- For uploads waiting in the outbox: the source on disk.
    upload_source   TEXT,
    uploaded_bytes  INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX files_lru ON files (pinned, last_used_at) WHERE cache_path IS NOT NULL;

-- Full-text index over message bodies (external content: the messages
-- table). Accents folded, Cyrillic and Latin alike, prefix indexes for
-- type-ahead search.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    search_text,
    content = 'messages',
    content_rowid = 'pk',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, search_text) VALUES (new.pk, new.search_text);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_text) VALUES ('delete', old.pk, old.search_text);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_text) VALUES ('delete', old.pk, old.search_text);
    INSERT INTO messages_fts (rowid, search_text) VALUES (new.pk, new.search_text);
END;
