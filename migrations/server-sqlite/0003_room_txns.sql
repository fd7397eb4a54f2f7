-- Room creation made idempotent: a retried create with the same txn id
-- answers the room the first one made.
CREATE TABLE room_txns (
    user_id TEXT NOT NULL,
    txn_id  TEXT NOT NULL,
    room_id TEXT NOT NULL,
    PRIMARY KEY (user_id, txn_id)
) STRICT;
