-- v4 -> v5: every pulled row asks whether a change of it still waits for the server; without
-- an index that was a scan of the whole outbox (which keeps acknowledged entries) per row.
CREATE INDEX outbox_waiting ON outbox (entity, row_id) WHERE acked_at IS NULL;

-- A job that left this engineer while changes of theirs still waited used to be passed over
-- for good (the cursor moved on): it is now remembered and removed once they are answered.
CREATE TABLE pending_removals (
    work_order_id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
