-- v4 -> v5: every pulled row asks whether a change of it still waits for the server; without
-- an index that was a scan of the whole outbox (which keeps acknowledged entries) per row.
CREATE INDEX outbox_waiting ON outbox (entity, row_id) WHERE acked_at IS NULL;
