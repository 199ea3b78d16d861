-- On-call rotations (SPEC §11): who holds each level's page role now (so a handoff is done
-- once, and one missed while the bot was down is done once at start), the overrides agents
-- set, and outbox lanes: a level's role changes go out one after another, in order.
CREATE TABLE oncall_state (
    guild_id  INTEGER NOT NULL,
    level     INTEGER NOT NULL,
    holder_id INTEGER NOT NULL,
    since     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, level)
);

CREATE TABLE oncall_overrides (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    level      INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL,
    set_by     INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX oncall_overrides_level ON oncall_overrides (guild_id, level, ends_at);

ALTER TABLE outbox ADD COLUMN lane TEXT;
CREATE INDEX outbox_lane ON outbox (lane, id) WHERE lane IS NOT NULL;
