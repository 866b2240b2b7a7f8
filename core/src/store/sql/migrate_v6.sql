-- v5 -> v6: a pulled row that cannot be applied (its parent missing, a value that does not
-- decode, a constraint) no longer fails its whole page: it waits here, one entry per row, and
-- is tried again at every pull until it applies, a newer version of it applies, or its job
-- leaves the phone.
CREATE TABLE quarantine (
    entity        TEXT    NOT NULL,
    row_id        TEXT    NOT NULL,
    work_order_id TEXT,
    server_seq    INTEGER NOT NULL,
    change        TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    held_at       TEXT    NOT NULL,
    attempts      INTEGER NOT NULL,
    PRIMARY KEY (entity, row_id)
) STRICT, WITHOUT ROWID;

-- The server's pull scope asks, per work-order entry, whether a follow-up of the caller's
-- follows it; a removal on the phone asks whether a remaining job still follows it.
CREATE INDEX work_orders_follow_up ON work_orders(follow_up_of) WHERE follow_up_of IS NOT NULL;

-- Also v5 -> v6: which server database this store syncs with, so that a server restored from a
-- backup (a new identity) is noticed: the store pulls again from the start and re-sends the
-- acknowledged changes the server lost (see sync/recovery.rs).
ALTER TABLE sync_state ADD COLUMN server_id TEXT;
-- 1 while a recovery is due: set with the cursor reset, in one transaction, so a crash before
-- the re-send does not forget it.
ALTER TABLE sync_state ADD COLUMN recovery_due INTEGER NOT NULL DEFAULT 0 CHECK (recovery_due IN (0, 1));
-- The last recovery: when, how many changes were sent again, how many could not be (their
-- entries were dropped after ACKED_KEPT_DAYS).
ALTER TABLE sync_state ADD COLUMN recovered_at TEXT;
ALTER TABLE sync_state ADD COLUMN recovery_resent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_state ADD COLUMN recovery_unrecoverable INTEGER NOT NULL DEFAULT 0;
