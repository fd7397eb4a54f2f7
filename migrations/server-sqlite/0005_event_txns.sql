-- Txn ids move from an index on `events` to a table filled in bulk.
--
-- `events_txn (sender_id, txn_id)` took one index leaf per sender per
-- commit: with many senders each commit wrote a page for every one of them
-- (two thirds of the WAL written per send). `event_txns` holds the same
-- pairs, but the writer adds them from `events` a few thousand at a time
-- (every row past `server_meta.event_txns_upto`, the events rowid it has
-- reached) and keeps the pairs appended since in memory; at start the
-- store indexes whatever a crash left past that mark.
CREATE TABLE event_txns (
    sender_id TEXT NOT NULL,
    txn_id    TEXT NOT NULL,
    room_id   TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (sender_id, txn_id)
) STRICT, WITHOUT ROWID;

INSERT INTO event_txns (sender_id, txn_id, room_id, seq)
    SELECT sender_id, txn_id, room_id, seq FROM events WHERE txn_id IS NOT NULL;

DROP INDEX events_txn;

INSERT INTO server_meta (key, value)
    VALUES ('event_txns_upto', CAST((SELECT coalesce(max(rowid), 0) FROM events) AS TEXT))
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
