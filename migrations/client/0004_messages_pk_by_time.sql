-- Tern client store, version 4: message rowids follow creation time.
-- See NOTES.md.
--
-- `messages.pk` (the full-text index's rowid) becomes
-- `created_at << 20` plus a counter within the millisecond, so that search
-- can walk the index newest first and stop at the page it wants, instead
-- of ranking every match. Rows of one millisecond keep their order. The new
-- values (2^40 and up) never meet the old ones, so the update cannot
-- collide with itself; rows stamped before 1970-01-01T00:17:28Z keep
-- their pk, as `store::message_pk` does for them.
UPDATE messages SET pk = n.new_pk
FROM (
    SELECT pk AS old_pk,
           (created_at << 20) + row_number() OVER (PARTITION BY created_at ORDER BY pk) - 1
               AS new_pk
    FROM messages
    WHERE created_at >= 1048576 AND created_at < 4398046511104
) AS n
WHERE messages.pk = n.old_pk;
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
