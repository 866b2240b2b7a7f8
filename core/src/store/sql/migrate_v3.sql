-- v2 -> v3: the device's sync state: where it is in the server's change log, which server.
CREATE TABLE sync_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    pull_cursor     INTEGER NOT NULL DEFAULT 0,
    server_url      TEXT,
    token           TEXT,
    last_success_at TEXT
) STRICT;
INSERT INTO sync_state (id) VALUES (1);
