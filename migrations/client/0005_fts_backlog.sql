-- Tern client store, version 5: the full-text index may trail the
-- messages table.
--
-- A catch-up stores tens of thousands of messages at once; indexing them
-- in the same transactions cost more than storing them. New messages now
-- go on a backlog (`fts_pending`), which the client indexes in chunks
-- (small batches at once, in the same transaction; large ones in the
-- background once the writer is quiet). Search reads the index and checks
-- the backlog directly, so it is complete either way.
--
-- The index must only ever be told to delete what it holds (an external
-- content table has no other way to know), so the delete and update
-- triggers touch it only for rows that are not on the backlog.
CREATE TABLE fts_pending (
    pk INTEGER PRIMARY KEY
) STRICT;

DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO fts_pending (pk) VALUES (new.pk);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_text)
        SELECT 'delete', old.pk, old.search_text
        WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE pk = old.pk);
    DELETE FROM fts_pending WHERE pk = old.pk;
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages
WHEN NOT EXISTS (SELECT 1 FROM fts_pending WHERE pk = new.pk) BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_text) VALUES ('delete', old.pk, old.search_text);
    INSERT INTO messages_fts (rowid, search_text) VALUES (new.pk, new.search_text);
END;
