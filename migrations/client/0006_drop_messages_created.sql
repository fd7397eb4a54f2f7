-- Nothing reads messages by `created_at` through an index any more: the
-- time-ordered `pk` (0004) serves search's date bounds, and every other
-- read goes by room and seq or by id. One index fewer to keep on every
-- insert (a catch-up writes 100,000 of them).
DROP INDEX IF EXISTS messages_created;
