-- v1 -> v2: follow-up visits and a conflict log the engineer can mark as seen.
-- An incomplete job is continued by a new work order that points back at it.
ALTER TABLE work_orders ADD COLUMN follow_up_of TEXT REFERENCES work_orders(id);
-- Earlier visits to an asset are looked up on every job-detail load.
CREATE INDEX work_orders_asset ON work_orders(asset_id, window_start);
ALTER TABLE conflicts ADD COLUMN seen_at TEXT;
DROP INDEX conflicts_time;
CREATE INDEX conflicts_unseen ON conflicts(seen_at, occurred_at);
