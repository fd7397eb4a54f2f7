-- Applying an old message (backfill) looks up later edits and reactions
-- aimed at it: `target = ? AND room_id = ? AND seq > ?`. With only an index
-- on `target` the planner scanned the room's whole log instead, which made
-- catching up quadratic.
CREATE INDEX events_target_room_seq ON events (target, room_id, seq) WHERE target IS NOT NULL;
