//! Knowledge articles: insert, edit with history, find, full-text search (SQLite FTS5) and
//! title completion. A PostgreSQL twin would search with its own text search here.

use sqlx::any::AnyExecutor;
use sqlx::AnyPool;
use sqlx::FromRow;

use super::{from_ts, ts, Backend, Store, Tx};
use crate::domain::kb::{Article, ArticleHit, ArticleNumber, Match, Revision, SearchTerms};
use crate::domain::{GuildId, TicketNumber, UserId};

#[derive(FromRow)]
struct Row {
    id: i64,
    number: i64,
    title: String,
    body: String,
    tags: String,
    author_id: i64,
    source_ticket: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

fn tags_of(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

impl From<Row> for Article {
    fn from(r: Row) -> Article {
        Article {
            id: r.id,
            number: ArticleNumber(r.number),
            title: r.title,
            body: r.body,
            tags: tags_of(&r.tags),
            author: UserId::from_db(r.author_id),
            source_ticket: r.source_ticket.map(TicketNumber),
            created_at: from_ts(r.created_at),
            updated_at: from_ts(r.updated_at),
        }
    }
}

async fn add_revision(tx: &mut Tx, a: &Article, editor: UserId) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO article_revisions (article_id, at, editor_id, title, body, tags) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(a.id)
    .bind(ts(a.updated_at))
    .bind(editor.db())
    .bind(&a.title)
    .bind(&a.body)
    .bind(a.tags.join(","))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Inserts a new article numbered after the guild's last one, with its first revision.
pub async fn insert(tx: &mut Tx, guild: GuildId, a: &Article) -> anyhow::Result<Article> {
    let (id, number): (i64, i64) = sqlx::query_as(
        "INSERT INTO articles (guild_id, number, title, body, tags, author_id, source_ticket, \
             created_at, updated_at) \
         VALUES ($1, (SELECT COALESCE(MAX(number), 0) + 1 FROM articles WHERE guild_id = $1), \
             $2, $3, $4, $5, $6, $7, $8) \
         RETURNING id, number",
    )
    .bind(guild.db())
    .bind(&a.title)
    .bind(&a.body)
    .bind(a.tags.join(","))
    .bind(a.author.db())
    .bind(a.source_ticket.map(|t| t.0))
    .bind(ts(a.created_at))
    .bind(ts(a.updated_at))
    .fetch_one(&mut **tx)
    .await?;
    let stored = Article {
        id,
        number: ArticleNumber(number),
        ..a.clone()
    };
    add_revision(tx, &stored, a.author).await?;
    Ok(stored)
}

/// Writes an edited article and records the new version in its history.
pub async fn update(tx: &mut Tx, a: &Article, editor: UserId) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE articles SET title = $1, body = $2, tags = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(&a.title)
    .bind(&a.body)
    .bind(a.tags.join(","))
    .bind(ts(a.updated_at))
    .bind(a.id)
    .execute(&mut **tx)
    .await?;
    add_revision(tx, a, editor).await
}

/// The article numbered `number` in `guild`.
pub async fn find<'e>(
    db: impl AnyExecutor<'e>,
    guild: GuildId,
    number: ArticleNumber,
) -> anyhow::Result<Option<Article>> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, number, title, body, tags, author_id, source_ticket, created_at, updated_at \
         FROM articles WHERE guild_id = $1 AND number = $2",
    )
    .bind(guild.db())
    .bind(number.0)
    .fetch_optional(db)
    .await?;
    Ok(row.map(Article::from))
}

/// Every version of an article, oldest first.
pub async fn revisions<'e>(
    db: impl AnyExecutor<'e>,
    article_id: i64,
) -> anyhow::Result<Vec<Revision>> {
    let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT at, editor_id, title, body, tags FROM article_revisions \
         WHERE article_id = $1 ORDER BY id",
    )
    .bind(article_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, editor, title, body, tags)| Revision {
            at: from_ts(at),
            editor: UserId::from_db(editor),
            title,
            body,
            tags: tags_of(&tags),
        })
        .collect())
}

/// Articles matching `terms`, best first (a title match above a tag match above a body
/// match), with a snippet of the body; at most `limit` of them.
pub async fn search(
    store: &Store,
    guild: GuildId,
    terms: &SearchTerms,
    limit: i64,
) -> anyhow::Result<Vec<ArticleHit>> {
    let (sql, query) = match store.backend() {
        Backend::Sqlite => (SQLITE_SEARCH, fts5_query(terms)),
        Backend::Postgres => match unaccented(store, terms).await? {
            Some(terms) => (POSTGRES_SEARCH, tsquery(&terms)),
            None => return Ok(Vec::new()),
        },
    };
    let rows: Vec<(i64, String, String)> = sqlx::query_as(sql)
        .bind(query)
        .bind(guild.db())
        .bind(limit)
        .fetch_all(store.reader())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(number, title, snippet)| ArticleHit {
            number: ArticleNumber(number),
            title,
            snippet,
        })
        .collect())
}

/// FTS5 ranks with the weights set in the migration (`bm25(10, 1, 4)`).
const SQLITE_SEARCH: &str = "SELECT a.number, a.title, snippet(articles_fts, 1, '', '', '…', 16) \
     FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid \
     WHERE articles_fts MATCH $1 AND articles_fts.rowid IN ( \
         SELECT rowid FROM articles_fts \
         WHERE articles_fts MATCH $1 AND guild_id = $2 ORDER BY rank LIMIT $3) \
     ORDER BY articles_fts.rank, a.number";

/// The words as the vector holds them, unaccented by PostgreSQL, then split into words
/// again: `unaccent` expands some characters into punctuation (`⑴` becomes `(1)`), which
/// `to_tsquery` would read as syntax.
async fn unaccented(store: &Store, terms: &SearchTerms) -> anyhow::Result<Option<SearchTerms>> {
    let plain: String = sqlx::query_scalar("SELECT public.unaccent($1)")
        .bind(terms.words.join(" "))
        .fetch_one(store.reader())
        .await?;
    Ok(crate::domain::kb::search_terms(&plain, terms.how))
}

/// `search` holds the weighted vector the migration's trigger keeps; the query's words were
/// unaccented as the vector was (`unaccented`).
const POSTGRES_SEARCH: &str = "SELECT number, title, \
         ts_headline('simple', body, q, 'StartSel=\"\", StopSel=\"\", MaxWords=16, MinWords=8, \
             FragmentDelimiter=…, MaxFragments=1') \
     FROM (SELECT number, title, body, ts_rank(search, q) AS rank, q \
           FROM articles, to_tsquery('simple', $1) AS q \
           WHERE guild_id = $2 AND search @@ q ORDER BY rank DESC, number LIMIT $3) AS hits \
     ORDER BY rank DESC, number";

/// Each word quoted, as a prefix: `"vpn"* AND "down"*`.
fn fts5_query(terms: &SearchTerms) -> String {
    let quoted: Vec<String> = terms.words.iter().map(|t| format!("\"{t}\"*")).collect();
    quoted.join(match terms.how {
        Match::All => " AND ",
        Match::Any => " OR ",
    })
}

/// Each word as a prefix: `vpn:* & down:*`. The words hold letters and digits only, which
/// `to_tsquery` reads as plain lexemes.
fn tsquery(terms: &SearchTerms) -> String {
    let words: Vec<String> = terms.words.iter().map(|t| format!("{t}:*")).collect();
    words.join(match terms.how {
        Match::All => " & ",
        Match::Any => " | ",
    })
}

/// Article titles for autocompletion: those that start with `typed`, then those that
/// contain it, at most `limit`.
pub async fn complete_titles(
    db: &AnyPool,
    guild: GuildId,
    typed: &str,
    limit: i64,
) -> anyhow::Result<Vec<(ArticleNumber, String)>> {
    let escaped = typed
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT number, title FROM articles \
         WHERE guild_id = $1 AND lower(title) LIKE lower($2) ESCAPE '\\' \
         ORDER BY lower(title) NOT LIKE lower($3) ESCAPE '\\', lower(title) LIMIT $4",
    )
    .bind(guild.db())
    .bind(format!("%{escaped}%"))
    .bind(format!("{escaped}%"))
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(n, t)| (ArticleNumber(n), t))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kb::search_terms;

    #[test]
    fn each_backend_spells_the_words_as_prefixes() {
        let all = search_terms("VPN \"down\" OR NEAR(x)", Match::All).unwrap();
        assert_eq!(
            fts5_query(&all),
            "\"vpn\"* AND \"down\"* AND \"or\"* AND \"near\"*"
        );
        assert_eq!(tsquery(&all), "vpn:* & down:* & or:* & near:*");
        let any = search_terms("conexión lenta", Match::Any).unwrap();
        assert_eq!(fts5_query(&any), "\"conexión\"* OR \"lenta\"*");
        assert_eq!(tsquery(&any), "conexión:* | lenta:*");
    }
}
