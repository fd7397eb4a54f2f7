-- Tern client store, version 2: the file cache. See NOTES.md.

-- Thumbnails in the cache, one per (file, size). Like the files
-- themselves they are named by the SHA-256 of their bytes under files/.
CREATE TABLE file_thumbnails (
    file_id         TEXT    NOT NULL,
    size            TEXT    NOT NULL,
    sha256          TEXT    NOT NULL,
    -- Path under the profile's files/ dir.
    path            TEXT    NOT NULL,
    bytes           INTEGER NOT NULL DEFAULT 0,
    mime            TEXT    NOT NULL DEFAULT 'application/octet-stream',
    last_used_at    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (file_id, size)
) STRICT;

CREATE INDEX file_thumbnails_path ON file_thumbnails (path);
CREATE INDEX files_cache_path ON files (cache_path) WHERE cache_path IS NOT NULL;

-- 1 once name, size and type came from the server (an upload's answer, a
-- download, a HEAD); a file seen only by id in a message is 0.
ALTER TABLE files ADD COLUMN known INTEGER NOT NULL DEFAULT 0;
