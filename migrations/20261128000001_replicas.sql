-- Several replicas on one database (SPEC §14): the interactions already taken by a replica
-- (so each acts once when every replica receives them), leases (one replica delivers the
-- outbox at a time; another takes over when it stops renewing), and each replica's config
-- digest (so a rolling change gone half-way is noticed). Twin: migrations-postgres/.
CREATE TABLE interactions (
    id  INTEGER PRIMARY KEY,                   -- Discord's interaction id
    at  INTEGER NOT NULL                       -- when a replica took it; pruned after a day
);
CREATE INDEX interactions_at ON interactions (at);

CREATE TABLE leases (
    name   TEXT    PRIMARY KEY,                -- what is held: 'delivery'
    holder TEXT    NOT NULL,                   -- the replica holding it
    until  INTEGER NOT NULL                    -- unix seconds; free for anyone after this
);

CREATE TABLE replicas (
    holder   TEXT    PRIMARY KEY,              -- the replica, as it names itself in leases
    guild_id INTEGER NOT NULL,
    digest   TEXT    NOT NULL,                 -- of the whole config
    keys     TEXT    NOT NULL,                 -- JSON: {"section.key": digest of its value}
    seen_at  INTEGER NOT NULL
);
