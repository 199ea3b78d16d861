-- The knowledge base: articles written by level 3 so that levels 0 to 2 solve more alone,
-- their edit history, and a full-text index (FTS5) that ignores case and accents, so that
-- `conexion` finds `conexión`. Never edit this file once it has shipped.

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    number        INTEGER NOT NULL,            -- shown as KB-12, unique within the guild
    title         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    tags          TEXT    NOT NULL DEFAULT '', -- comma-separated, lower case
    author_id     INTEGER NOT NULL,
    source_ticket INTEGER,                     -- ticket number it was written from
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (guild_id, number)
);
CREATE INDEX articles_title ON articles (guild_id, title COLLATE NOCASE);

-- Every version of every article, the first one included: who wrote what, when.
CREATE TABLE article_revisions (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id),
    at         INTEGER NOT NULL,
    editor_id  INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    tags       TEXT    NOT NULL
);
CREATE INDEX article_revisions_article ON article_revisions (article_id, id);

-- Full-text index over the articles table (external content), kept in step by triggers.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, tags, guild_id UNINDEXED,
    content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Relevance: a match in the title weighs ten times one in the body, a tag four times.
INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 4.0, 0.0)');
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body, tags, guild_id)
        VALUES (new.id, new.title, new.body, new.tags, new.guild_id);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body, tags, guild_id)
        VALUES ('delete', old.id, old.title, old.body, old.tags, old.guild_id);
    INSERT INTO articles_fts (rowid, title, body, tags, guild_id)
        VALUES (new.id, new.title, new.body, new.tags, new.guild_id);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body, tags, guild_id)
        VALUES ('delete', old.id, old.title, old.body, old.tags, old.guild_id);
END;
