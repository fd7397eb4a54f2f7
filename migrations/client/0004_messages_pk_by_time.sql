-- Tern client store, version 4: message rowids follow creation time.
-- See NOTES.md.
--
-- `messages.pk` (the full-text index's rowid) becomes
-- `created_at << 20` plus a counter within the millisecond, so that search
-- can walk the index newest first and stop at the page it wants, instead
-- of ranking every match. Rows made before keep their order within a
-- millisecond (their old pk is below 2^20 apart from one another).
UPDATE messages SET pk = (created_at << 20) | (pk & 1048575)
    WHERE created_at >= 0 AND created_at < 4398046511104;
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
