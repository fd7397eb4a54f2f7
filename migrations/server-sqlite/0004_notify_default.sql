-- A membership's notification level starts as 'mentions' in channels and
-- groups and 'all' in direct rooms (set where memberships are inserted;
-- the column's default is no longer used). Before this, every membership
-- started as 'all' while the clients notified of mentions and direct
-- messages whatever the level said (the desktop ignored it; the terminal
-- client used its own setting, mentions unless changed there). So 'all'
-- in a channel or group is, but for a rare explicit choice, the old
-- default: it becomes 'mentions', and what each user is notified of stays
-- as it was now that the clients honour the level.
UPDATE room_members SET notify = 'mentions'
WHERE notify = 'all'
  AND room_id IN (SELECT id FROM rooms WHERE kind <> 'direct');
