-- Monitoring alerts (SPEC §12): each alert key of a source points at the ticket it opened,
-- so a repeat is counted on that ticket instead of opening another, and a firing after the
-- ticket closed opens a new one that links the old.
CREATE TABLE alert_keys (
    guild_id   INTEGER NOT NULL,
    source     TEXT    NOT NULL,
    alert_key  TEXT    NOT NULL,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    firings    INTEGER NOT NULL DEFAULT 1,      -- times it fired for this ticket
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, source, alert_key)
);
