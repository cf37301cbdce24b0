-- 0001: operations schema shared by the bot and the dashboard.
-- Trading tables (order intents, fills, positions, ledger) arrive in later
-- migrations; nothing here needs to change for them.

-- Last status of the bot process ("bot") and each subservice ("bot/<area>/<name>").
CREATE TABLE service_heartbeats (
    service    TEXT PRIMARY KEY,
    instance   TEXT        NOT NULL,
    state      TEXT        NOT NULL CHECK (state IN ('starting','running','restarting','backoff','stopped','failed')),
    activity   TEXT        NOT NULL DEFAULT '',
    restarts   BIGINT      NOT NULL DEFAULT 0 CHECK (restarts >= 0),
    last_error TEXT        NOT NULL DEFAULT '',
    since      TIMESTAMPTZ NOT NULL,
    beat_at    TIMESTAMPTZ NOT NULL,
    version    TEXT        NOT NULL DEFAULT ''
);

-- Bounded history of supervision events (the writer trims old rows).
CREATE TABLE supervisor_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    tree       TEXT        NOT NULL,
    supervisor TEXT        NOT NULL,
    service    TEXT        NOT NULL DEFAULT '',
    kind       TEXT        NOT NULL,
    message    TEXT        NOT NULL DEFAULT '',
    restarting BOOLEAN     NOT NULL DEFAULT FALSE
);

-- Operator commands from the dashboard to the bot.
CREATE TABLE operator_commands (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT        NOT NULL,
    args         TEXT        NOT NULL DEFAULT '{}',
    requested_by TEXT        NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    acked_at     TIMESTAMPTZ,
    result       TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX operator_commands_pending ON operator_commands (id) WHERE acked_at IS NULL;

-- The operator's persistent intent: a single row, absent until first set.
CREATE TABLE operator_intent (
    id     SMALLINT PRIMARY KEY CHECK (id = 1),
    state  TEXT        NOT NULL CHECK (state IN ('running','paused','halted')),
    reason TEXT        NOT NULL DEFAULT '',
    set_by TEXT        NOT NULL,
    set_at TIMESTAMPTZ NOT NULL
);
