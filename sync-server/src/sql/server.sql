-- The server's own tables, beside the core's domain schema in the same file.
CREATE TABLE IF NOT EXISTS users (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('engineer', 'dispatcher', 'admin')),
    created_at TEXT NOT NULL
) STRICT;

-- Tokens are stored only as their SHA-256.
CREATE TABLE IF NOT EXISTS tokens (
    token_sha256 TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
) STRICT;

-- One row per device store: whose it is and the last seq applied from it.
CREATE TABLE IF NOT EXISTS clients (
    client_id        TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id),
    last_applied_seq INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Which mutation each (client, seq) was: a seq that comes back with another mutation id is a
-- copied or restored device store, not a retry, and must not be acknowledged as a duplicate.
CREATE TABLE IF NOT EXISTS applied (
    client_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    mutation_id TEXT    NOT NULL,
    -- Why the rules refused it (NULL: applied). A retry gets the same answer.
    refused     TEXT,
    -- The fields of an applied edit that lost (JSON list of LostField; NULL: none). A retry is
    -- answered with them, so a device whose first answer was lost still logs its losses.
    lost        TEXT,
    PRIMARY KEY (client_id, seq)
) STRICT, WITHOUT ROWID;

-- Every row change, in commit order: pull cursors are these sequence numbers.
CREATE TABLE IF NOT EXISTS change_log (
    server_seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    entity        TEXT NOT NULL,
    row_id        TEXT NOT NULL,
    work_order_id TEXT,
    -- Set on the entry that takes a job away from an engineer (reassigned or unassigned):
    -- that engineer's devices receive it as a removal.
    left_scope_of TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS change_log_wo ON change_log(work_order_id);
-- A pull asks whether a row's parent was offered before the cursor (sync/pull.rs).
CREATE INDEX IF NOT EXISTS change_log_row ON change_log(row_id, server_seq);

-- The pull scope looks jobs up by these (see ENGINEER_SCOPE in sync.rs). No index on the
-- assignee: one engineer has thousands of jobs, so it would be the worst path to a single row.
CREATE INDEX IF NOT EXISTS work_orders_customer ON work_orders(customer_id);
CREATE INDEX IF NOT EXISTS work_orders_site ON work_orders(site_id);
CREATE INDEX IF NOT EXISTS assets_contract ON assets(contract_id);

-- The identity of this database, sent with every answer (the onsite-server-id header). A
-- restore from a backup (`onsite-server restore`) gives it a new one, which tells devices that
-- the server may have lost changes they sent and entries they pulled.
CREATE TABLE IF NOT EXISTS server_identity (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    db_id      TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
