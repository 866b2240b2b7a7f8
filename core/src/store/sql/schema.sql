-- The device store at the latest schema version (7). A fresh store is created from this file;
-- an older store is brought here by the migration ladder (migrate_v2.sql, migrate_v3.sql, ...). The upgrade
-- test checks that both roads end in the same schema.

-- Exactly one row: who this device store is, and its counters.
CREATE TABLE device (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    client_id         TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    -- Next outbox seq. Kept here, not derived from MAX(seq), so that a seq is never reused
    -- after acknowledged entries are pruned.
    next_outbox_seq   INTEGER NOT NULL DEFAULT 1,
    hlc_wall_ms       INTEGER NOT NULL DEFAULT 0,
    hlc_counter       INTEGER NOT NULL DEFAULT 0,
    -- Correction to the device clock learnt from the server (sync sets it).
    clock_offset_ms   INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE customers (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    phone  TEXT,
    email  TEXT,
    -- The row's insert stamp: it stamps every field without a stamp of its own in field_clocks.
    row_stamp TEXT
) STRICT;

CREATE TABLE sites (
    id            TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers(id),
    address       TEXT NOT NULL,
    access_notes  TEXT NOT NULL DEFAULT '',
    contact_name  TEXT,
    contact_phone TEXT,
    row_stamp TEXT
) STRICT;
CREATE INDEX sites_customer ON sites(customer_id);

CREATE TABLE contracts (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT    NOT NULL REFERENCES customers(id),
    plan            TEXT    NOT NULL,
    starts_on       TEXT    NOT NULL,
    ends_on         TEXT    NOT NULL,
    visits_per_year INTEGER NOT NULL,
    covers_parts    INTEGER NOT NULL,
    covers_labour   INTEGER NOT NULL,
    row_stamp TEXT
) STRICT;

CREATE TABLE assets (
    id               TEXT PRIMARY KEY,
    site_id          TEXT NOT NULL REFERENCES sites(id),
    kind             TEXT NOT NULL,
    category         TEXT NOT NULL,
    brand            TEXT NOT NULL,
    model            TEXT NOT NULL,
    serial           TEXT NOT NULL,
    firmware         TEXT,
    purchased_on     TEXT,
    installed_on     TEXT,
    warranty_ends_on TEXT,
    contract_id      TEXT REFERENCES contracts(id),
    row_stamp TEXT
) STRICT;
CREATE INDEX assets_site ON assets(site_id);

CREATE TABLE work_orders (
    id            TEXT PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    priority      TEXT NOT NULL,
    status        TEXT NOT NULL,
    customer_id   TEXT NOT NULL REFERENCES customers(id),
    site_id       TEXT NOT NULL REFERENCES sites(id),
    asset_id      TEXT REFERENCES assets(id),
    symptom       TEXT NOT NULL,
    error_code    TEXT,
    fault_since   TEXT,
    fault_trigger TEXT,
    window_start  TEXT NOT NULL,
    window_end    TEXT NOT NULL,
    assignee      TEXT,
    created_at    TEXT NOT NULL,
    follow_up_of  TEXT REFERENCES work_orders(id),
    row_stamp TEXT
) STRICT;
CREATE INDEX work_orders_window ON work_orders(window_start);
CREATE INDEX work_orders_asset ON work_orders(asset_id, window_start);
CREATE INDEX work_orders_follow_up ON work_orders(follow_up_of) WHERE follow_up_of IS NOT NULL;

-- Visit records: each its own row with its own device-made id, so they never conflict.
CREATE TABLE status_changes (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    from_status   TEXT NOT NULL,
    to_status     TEXT NOT NULL,
    role          TEXT NOT NULL,
    reason        TEXT,
    at            TEXT NOT NULL,
    row_stamp TEXT
) STRICT;
CREATE INDEX status_changes_wo ON status_changes(work_order_id);

CREATE TABLE diagnoses (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    symptom       TEXT NOT NULL,
    cause         TEXT NOT NULL,
    error_codes   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    row_stamp TEXT
) STRICT;
CREATE INDEX diagnoses_wo ON diagnoses(work_order_id);

CREATE TABLE measurements (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    name          TEXT NOT NULL,
    value         REAL NOT NULL,
    unit          TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    row_stamp TEXT
) STRICT;
CREATE INDEX measurements_wo ON measurements(work_order_id);

CREATE TABLE checklist_results (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    item_key      TEXT NOT NULL,
    result        TEXT NOT NULL,
    note          TEXT,
    recorded_at   TEXT NOT NULL,
    row_stamp TEXT
) STRICT;
CREATE INDEX checklist_results_wo ON checklist_results(work_order_id);

CREATE TABLE notes (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    body          TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    row_stamp TEXT
) STRICT;
CREATE INDEX notes_wo ON notes(work_order_id);

CREATE TABLE time_entries (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    kind          TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    ended_at      TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    row_stamp TEXT
) STRICT;
CREATE INDEX time_entries_wo ON time_entries(work_order_id);

CREATE TABLE part_lines (
    id               TEXT PRIMARY KEY,
    work_order_id    TEXT    NOT NULL REFERENCES work_orders(id),
    direction        TEXT    NOT NULL,
    part_number      TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    serial_in        TEXT,
    serial_out       TEXT,
    billing          TEXT    NOT NULL,
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    recorded_at      TEXT    NOT NULL,
    row_stamp TEXT
) STRICT;
CREATE INDEX part_lines_wo ON part_lines(work_order_id);

CREATE TABLE quote_lines (
    id               TEXT PRIMARY KEY,
    work_order_id    TEXT    NOT NULL REFERENCES work_orders(id),
    description      TEXT    NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    recorded_at      TEXT    NOT NULL,
    row_stamp TEXT
) STRICT;
CREATE INDEX quote_lines_wo ON quote_lines(work_order_id);

CREATE TABLE quote_decisions (
    id             TEXT PRIMARY KEY,
    work_order_id  TEXT    NOT NULL REFERENCES work_orders(id),
    approved       INTEGER NOT NULL,
    signer_name    TEXT    NOT NULL,
    total_cents    INTEGER NOT NULL,
    charges_sha256 TEXT    NOT NULL,
    decided_at     TEXT    NOT NULL,
    row_stamp TEXT
) STRICT;
CREATE INDEX quote_decisions_wo ON quote_decisions(work_order_id);

CREATE TABLE function_tests (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT    NOT NULL REFERENCES work_orders(id),
    passed        INTEGER NOT NULL,
    notes         TEXT    NOT NULL,
    tested_at     TEXT    NOT NULL,
    row_stamp TEXT
) STRICT;
CREATE INDEX function_tests_wo ON function_tests(work_order_id);

CREATE TABLE signoffs (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    signer_name   TEXT NOT NULL,
    signed_at     TEXT NOT NULL,
    -- The strokes (JSON) and the canonical report as signed (its SHA-256 is report_sha256; NULL
    -- before v4), both zstd-compressed (store/packed.rs).
    strokes       BLOB NOT NULL,
    report_sha256 TEXT NOT NULL,
    report_json   BLOB,
    row_stamp     TEXT
) STRICT;
CREATE INDEX signoffs_wo ON signoffs(work_order_id);

-- Per-field hybrid-logical-clock stamps: the last writer of each field changed since its row was
-- written, for the sync merge. The row's own stamp (for every other field) is its row_stamp.
CREATE TABLE field_clocks (
    entity TEXT NOT NULL,
    row_id TEXT NOT NULL,
    field  TEXT NOT NULL,
    hlc    TEXT NOT NULL,
    PRIMARY KEY (entity, row_id, field)
) STRICT, WITHOUT ROWID;

-- Every local action, numbered 1, 2, 3, ... per client, waiting for the server.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY,
    mutation_id TEXT    NOT NULL UNIQUE,
    entity      TEXT    NOT NULL,
    row_id      TEXT    NOT NULL,
    op          TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    hlc         TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    acked_at    TEXT
) STRICT;
-- Every pulled row asks whether a change of it still waits: the waiting entries by row.
CREATE INDEX outbox_waiting ON outbox (entity, row_id) WHERE acked_at IS NULL;

-- Jobs that left this engineer while changes of theirs still waited: removed as soon as the
-- server has answered those changes (a later pull), unless the job comes back first.
CREATE TABLE pending_removals (
    work_order_id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- Pulled rows that could not be applied (a missing parent, a value that does not decode, a
-- constraint): one entry per row, tried again at every pull (`sync/quarantine.rs`).
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

-- Values that lost a merge or were rejected by the server: nothing is dropped silently.
CREATE TABLE conflicts (
    id           TEXT PRIMARY KEY,
    entity       TEXT NOT NULL,
    row_id       TEXT NOT NULL,
    field        TEXT,
    local_value  TEXT,
    remote_value TEXT,
    kept         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    occurred_at  TEXT NOT NULL,
    seen_at      TEXT
) STRICT;
CREATE INDEX conflicts_unseen ON conflicts(seen_at, occurred_at);

-- Where this device is in the server's change log, and which server it talks to.
CREATE TABLE sync_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    pull_cursor     INTEGER NOT NULL DEFAULT 0,
    server_url      TEXT,
    token           TEXT,
    last_success_at TEXT,
    -- The identity of the server database last answered by (a new one: restored from a backup).
    server_id       TEXT,
    -- 1 while a recovery from a restored server is due (set with the cursor reset).
    recovery_due    INTEGER NOT NULL DEFAULT 0 CHECK (recovery_due IN (0, 1)),
    -- The last recovery: when, changes sent again, changes that could not be.
    recovered_at    TEXT,
    recovery_resent INTEGER NOT NULL DEFAULT 0,
    recovery_unrecoverable INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO sync_state (id) VALUES (1);
