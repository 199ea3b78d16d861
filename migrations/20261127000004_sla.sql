-- Service hours and SLA targets (SPEC §10): each ticket's resolution target (which moves on
-- while the ticket waits on someone), the open time it spent waiting, which warnings and
-- breaches were already recorded (so each happens once), and when the SLA step must look at
-- it next. Acknowledgement and resolution events record whether they met their target.
ALTER TABLE tickets ADD COLUMN resolve_due_at INTEGER;
ALTER TABLE tickets ADD COLUMN waiting_since INTEGER;
ALTER TABLE tickets ADD COLUMN waited_secs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN sla_flags INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN sla_next_at INTEGER;
CREATE INDEX tickets_sla ON tickets (sla_next_at) WHERE sla_next_at IS NOT NULL;

ALTER TABLE events ADD COLUMN met INTEGER;   -- 1 within target, 0 not, NULL without one
