//! The knowledge-base use cases: write (optionally from a closed ticket), edit with history,
//! search and show.

use super::{Context, Outcome, Reply, Service};
use crate::domain::error::{Error, UserError};
use crate::domain::kb::{search_terms, Article, ArticleNumber, Match};
use crate::domain::{rules, LongText, ShortText, TicketNumber};
use crate::service::store;

/// How many results a search lists.
const SEARCH_RESULTS: i64 = 5;

impl Service {
    pub(super) async fn kb_write(
        &self,
        ctx: &Context,
        title: Option<ShortText>,
        body: Option<LongText>,
        tags: Vec<String>,
        from_ticket: Option<TicketNumber>,
    ) -> Result<Outcome, Error> {
        rules::require_kb_author(&ctx.actor, "action-write")?;
        let mut tx = self.store.begin_write().await?;
        let source = match from_ticket {
            Some(n) => {
                let t = self.load(&mut tx, ctx, n).await?;
                let closure = t.closure.clone().ok_or(UserError::SourceNotClosed(n))?;
                Some((t, closure))
            }
            None => None,
        };
        let title = match (title, &source) {
            (Some(t), _) => t.to_string(),
            (None, Some((t, _))) => t.title.clone(),
            (None, None) => {
                return Err(UserError::Missing {
                    field: "title",
                    hint: "hint-article-title",
                }
                .into())
            }
        };
        let body = match (body, &source) {
            (Some(b), _) => b.to_string(),
            (None, Some((t, c))) => prefill(t, c),
            (None, None) => {
                return Err(UserError::Missing {
                    field: "body",
                    hint: "hint-article-body",
                }
                .into())
            }
        };
        let draft = Article {
            id: 0,
            number: ArticleNumber(0),
            title,
            body,
            tags,
            author: ctx.actor.user,
            source_ticket: source.as_ref().map(|(t, _)| t.number),
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        let article = store::kb::insert(&mut tx, ctx.guild, &draft).await?;
        tx.commit().await?;
        Ok(Outcome {
            reply: Reply::KbWritten(article),
            effects: Vec::new(),
        })
    }

    pub(super) async fn kb_edit(
        &self,
        ctx: &Context,
        number: ArticleNumber,
        title: Option<ShortText>,
        body: Option<LongText>,
        tags: Option<Vec<String>>,
    ) -> Result<Outcome, Error> {
        rules::require_kb_author(&ctx.actor, "action-edit")?;
        let mut tx = self.store.begin_write().await?;
        let mut article = store::kb::find(&mut *tx, ctx.guild, number)
            .await?
            .ok_or(UserError::UnknownArticle(number))?;
        let before = article.clone();
        if let Some(t) = title {
            article.title = t.to_string();
        }
        if let Some(b) = body {
            article.body = b.to_string();
        }
        if let Some(t) = tags {
            article.tags = t;
        }
        if (&article.title, &article.body, &article.tags)
            == (&before.title, &before.body, &before.tags)
        {
            return Err(UserError::NothingToEdit.into());
        }
        article.updated_at = ctx.now;
        store::kb::update(&mut tx, &article, ctx.actor.user).await?;
        tx.commit().await?;
        Ok(Outcome {
            reply: Reply::KbEdited(article),
            effects: Vec::new(),
        })
    }

    pub(super) async fn kb_search(
        &self,
        ctx: &Context,
        query: ShortText,
    ) -> Result<Outcome, Error> {
        // Every word first; when nothing has them all, any of them, best matches first.
        let mut hits = Vec::new();
        for how in [Match::All, Match::Any] {
            if let Some(terms) = search_terms(query.as_str(), how) {
                hits = store::kb::search(&self.store, ctx.guild, &terms, SEARCH_RESULTS).await?;
            }
            if !hits.is_empty() {
                break;
            }
        }
        Ok(Outcome {
            reply: Reply::KbResults {
                query: query.to_string(),
                hits,
            },
            effects: Vec::new(),
        })
    }

    pub(super) async fn kb_show(
        &self,
        ctx: &Context,
        number: ArticleNumber,
    ) -> Result<Outcome, Error> {
        let db = self.store.reader();
        let article = store::kb::find(db, ctx.guild, number)
            .await?
            .ok_or(UserError::UnknownArticle(number))?;
        let revisions = store::kb::revisions(db, article.id).await?;
        Ok(Outcome {
            reply: Reply::KbArticle { article, revisions },
            effects: Vec::new(),
        })
    }
}

/// An article's first draft from a closed ticket: the problem, the fix, the cause.
fn prefill(t: &crate::domain::Ticket, c: &crate::domain::Closure) -> String {
    let mut body = format!("Problem: {}", t.title);
    if !t.details.is_empty() {
        body.push_str(&format!("\n{}", t.details));
    }
    body.push_str(&format!("\n\nResolution: {}", c.resolution));
    if let Some(rc) = &c.root_cause {
        body.push_str(&format!("\n\nRoot cause: {rc}"));
    }
    if let Some(f) = c.fix_type {
        body.push_str(&format!("\n\nFix type: {f}"));
    }
    // An article is at most 4,000 characters, like any long text.
    body.chars().take(LongText::MAX).collect()
}

impl Service {
    /// Articles whose number or title contains `typed`, for autocompletion.
    pub async fn complete_articles(
        &self,
        typed: &str,
    ) -> anyhow::Result<Vec<(ArticleNumber, String)>> {
        let guild = self.config.discord.guild_id;
        store::kb::complete_titles(self.store.reader(), guild, typed, 25).await
    }
}
