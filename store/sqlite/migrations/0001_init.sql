-- 0001: operations schema shared by the bot and the dashboard (SQLite dialect
-- of store/postgres/migrations/0001_init.sql; keep the two in step).
-- Timestamps are UTC text in the fixed form 2006-01-02T15:04:05.000000Z, so
-- text order is time order. Money, when it arrives, is INTEGER micro-units.

CREATE TABLE service_heartbeats (
    service    TEXT PRIMARY KEY,
    instance   TEXT    NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('starting','running','restarting','backoff','stopped','failed')),
    activity   TEXT    NOT NULL DEFAULT '',
    restarts   INTEGER NOT NULL DEFAULT 0 CHECK (restarts >= 0),
    last_error TEXT    NOT NULL DEFAULT '',
    since      TEXT    NOT NULL,
    beat_at    TEXT    NOT NULL,
    version    TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE supervisor_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT    NOT NULL,
    tree       TEXT    NOT NULL,
    supervisor TEXT    NOT NULL,
    service    TEXT    NOT NULL DEFAULT '',
    kind       TEXT    NOT NULL,
    message    TEXT    NOT NULL DEFAULT '',
    restarting INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE operator_commands (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    args         TEXT NOT NULL DEFAULT '{}',
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    acked_at     TEXT,
    result       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX operator_commands_pending ON operator_commands (id) WHERE acked_at IS NULL;

CREATE TABLE operator_intent (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    state  TEXT NOT NULL CHECK (state IN ('running','paused','halted')),
    reason TEXT NOT NULL DEFAULT '',
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
) STRICT;
