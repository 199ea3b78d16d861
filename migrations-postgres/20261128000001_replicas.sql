-- Several replicas on one database (SPEC §14): see migrations/20261128000001_replicas.sql.
CREATE TABLE interactions (
    id  BIGINT PRIMARY KEY,
    at  BIGINT NOT NULL
);
CREATE INDEX interactions_at ON interactions (at);

CREATE TABLE leases (
    name   TEXT   PRIMARY KEY,
    holder TEXT   NOT NULL,
    until  BIGINT NOT NULL
);

CREATE TABLE replicas (
    holder   TEXT   PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    digest   TEXT   NOT NULL,
    keys     TEXT   NOT NULL,
    seen_at  BIGINT NOT NULL
);
