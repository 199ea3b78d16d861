-- Paging you can trust (SPEC §4, "Isolation"): a message that keeps failing is set aside after
-- about a day instead of retrying forever; a message sent in several parts remembers which parts
-- Discord already has; an attempt whose outcome is unknown is looked for before it is re-sent;
-- the ticket index makes "earlier messages of this ticket" cheap; a modal remembers the
-- options of the command that opened it.
ALTER TABLE outbox ADD COLUMN failed_at INTEGER;                      -- set aside: retries exhausted
ALTER TABLE outbox ADD COLUMN parts_done INTEGER NOT NULL DEFAULT 0;  -- parts Discord accepted
ALTER TABLE outbox ADD COLUMN first_attempt_at INTEGER;               -- when sending first began
ALTER TABLE outbox ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;   -- last attempt may have landed

DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (next_attempt_at, id)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_ticket ON outbox (ticket_id, id);
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;

-- The options of a slash command that answered with a modal, until the modal is submitted.
CREATE TABLE modal_drafts (
    id         INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    options    TEXT    NOT NULL                 -- JSON: [[name, value], ...]
);
