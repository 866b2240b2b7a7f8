-- v5 -> v6: which server database this store syncs with, so that a server restored from a
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
