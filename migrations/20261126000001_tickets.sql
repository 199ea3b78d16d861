-- The ticket ladder: tickets (current state), their append-only timeline, and the outbox of
-- Discord messages that state changes cause. Never edit this file once it has shipped: add a
-- new migration instead (see migrations/README.md).

-- Current state of every ticket. Each column is derived from the ticket's events; the row is
-- rewritten, the timeline never is.
CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    number          INTEGER NOT NULL,          -- shown as #42, unique within the guild
    title           TEXT    NOT NULL,
    details         TEXT    NOT NULL DEFAULT '',
    requester_id    INTEGER NOT NULL,
    priority        TEXT    NOT NULL CHECK (priority IN ('critical', 'high', 'normal', 'low')),
    level           INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
    status          TEXT    NOT NULL CHECK (status IN ('open', 'acknowledged', 'waiting', 'closed')),
    waiting_on      TEXT             CHECK (waiting_on IN ('requester', 'vendor')),
    vendor          TEXT,
    vendor_reason   TEXT,
    vendor_ref      TEXT,
    assignee_id     INTEGER,
    thread_id       INTEGER,                   -- filled in once Discord created the thread
    page_outbox_id  INTEGER,                   -- the outbox row of the current page, to edit it
    opened_at       INTEGER NOT NULL,          -- unix seconds, UTC
    arrived_at      INTEGER NOT NULL,          -- arrival at the current level
    acknowledged_at INTEGER,                   -- first acknowledgement at the current level
    ack_due_at      INTEGER,                   -- deadline for that acknowledgement
    repages         INTEGER NOT NULL DEFAULT 0, -- re-pages sent at the current level
    next_action_at  INTEGER,                   -- when the scheduler must look at it again
    closed_at       INTEGER,
    closed_level    INTEGER,
    closed_by       INTEGER,
    resolution      TEXT,
    root_cause      TEXT,
    fix_type        TEXT,
    kb_ref          TEXT,
    rating          INTEGER CHECK (rating BETWEEN 1 AND 5),
    UNIQUE (guild_id, number)
);

-- The backlog queries (counts per level and priority, oldest open tickets) read only this
-- index; closed tickets sit in their own range of it and cost nothing.
CREATE INDEX tickets_backlog ON tickets (guild_id, status, level, priority, opened_at);
-- The scheduler's queue: open tickets by their next deadline.
CREATE INDEX tickets_deadlines ON tickets (next_action_at) WHERE status = 'open';
-- Time to resolution reads the tickets closed in a window, from this index alone.
CREATE INDEX tickets_closed ON tickets (guild_id, closed_at, priority, opened_at)
    WHERE closed_at IS NOT NULL;

-- The timeline. Append-only: the triggers below refuse any update or delete.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    guild_id    INTEGER NOT NULL,
    at          INTEGER NOT NULL,              -- unix seconds, UTC
    actor_id    INTEGER,                       -- NULL when the bot itself acted
    kind        TEXT    NOT NULL,
    level       INTEGER NOT NULL,              -- level owning the ticket after the event
    from_level  INTEGER,                       -- for escalations and returns
    measure     INTEGER,                       -- what key figures read: seconds since arrival
                                               -- for an acknowledgement, the score of a rating
    details     TEXT    NOT NULL               -- JSON of the event's fields
);
CREATE INDEX events_ticket ON events (ticket_id, id);
-- Key figures and the summary read a window of time of a few kinds of event: they grow with
-- the window, not with history. The index covers every column they read, so they never
-- touch the table.
CREATE INDEX events_window ON events (guild_id, kind, at, level, from_level, ticket_id, measure);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the timeline is append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the timeline is append-only');
END;

-- Messages to Discord caused by a state change, written in the same transaction and
-- delivered afterwards by the delivery worker.
CREATE TABLE outbox (
    id                 INTEGER PRIMARY KEY,    -- also the message nonce, so Discord dedups
    guild_id           INTEGER NOT NULL,
    ticket_id          INTEGER REFERENCES tickets (id),
    kind               TEXT    NOT NULL,
    payload            TEXT    NOT NULL,       -- JSON of the message
    created_at         INTEGER NOT NULL,
    next_attempt_at    INTEGER NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    last_error         TEXT,
    delivered_at       INTEGER,
    discord_message_id INTEGER
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at, id) WHERE delivered_at IS NULL;

-- One row per posted summary: the counts it showed, so the next one can show the change.
-- `scheduled` marks the daily one, of which there is exactly one per guild and local day.
CREATE TABLE summaries (
    id        INTEGER PRIMARY KEY,
    guild_id  INTEGER NOT NULL,
    day       TEXT    NOT NULL,                -- local date in summary.timezone, YYYY-MM-DD
    scheduled INTEGER NOT NULL,                -- 1 for the daily summary, 0 for /summary
    posted_at INTEGER NOT NULL,
    counts    TEXT    NOT NULL                 -- JSON: open tickets per level and priority
);
CREATE UNIQUE INDEX summaries_daily ON summaries (guild_id, day) WHERE scheduled = 1;
CREATE INDEX summaries_latest ON summaries (guild_id, id);
