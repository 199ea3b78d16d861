//! Knowledge articles: their numbers (`KB-12`), their tags, and the full-text queries built
//! from what users type.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{TicketNumber, UserId};
use crate::domain::error::UserError;

/// The number users see (`KB-12`), unique within a guild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ArticleNumber(pub i64);

impl ArticleNumber {
    /// Parses `KB-12`, `kb12` or `12`.
    pub fn parse(value: &str) -> Result<Self, UserError> {
        let t = value.trim();
        let digits = t
            .strip_prefix("KB-")
            .or_else(|| t.strip_prefix("kb-"))
            .or_else(|| t.strip_prefix("KB"))
            .or_else(|| t.strip_prefix("kb"))
            .unwrap_or(t)
            .trim_start_matches('#');
        match digits.parse::<i64>() {
            Ok(n) if n > 0 => Ok(ArticleNumber(n)),
            _ => Err(UserError::BadArticle(value.to_owned())),
        }
    }
}

impl std::fmt::Display for ArticleNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KB-{}", self.0)
    }
}

/// A knowledge article as it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub id: i64,
    pub number: ArticleNumber,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub author: UserId,
    pub source_ticket: Option<TicketNumber>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One version of an article: who wrote it, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub at: DateTime<Utc>,
    pub editor: UserId,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleHit {
    pub number: ArticleNumber,
    pub title: String,
    /// A few words around the match.
    pub snippet: String,
}

/// Tags as typed (`vpn, Network ,vpn`) to a clean list: lower case, no blanks, no repeats.
pub fn parse_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split(',').map(|t| t.trim().to_lowercase()) {
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// How the words of a query combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// Every word must appear (a search).
    All,
    /// Any word may appear; more matches rank higher (suggestions from a ticket's text).
    Any,
}

/// The most words a query uses; a ticket's details can be long.
const MAX_TERMS: usize = 16;

/// The words of a search, lower case, at most `MAX_TERMS`, each matched as a prefix (so
/// `conex` finds `conexión`). Only letters and digits survive, so no search syntax of either
/// database can be injected; the store spells them in its backend's query language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerms {
    pub words: Vec<String>,
    pub how: Match,
}

/// The search terms of free text; `None` when no word of two characters or more is left.
pub fn search_terms(text: &str, how: Match) -> Option<SearchTerms> {
    let mut terms: Vec<String> = Vec::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
    {
        if !terms.contains(&word) {
            terms.push(word);
        }
        if terms.len() == MAX_TERMS {
            break;
        }
    }
    if terms.is_empty() {
        return None;
    }
    Some(SearchTerms { words: terms, how })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_numbers() {
        assert_eq!(ArticleNumber::parse("KB-12").unwrap(), ArticleNumber(12));
        assert_eq!(ArticleNumber::parse("kb7").unwrap(), ArticleNumber(7));
        assert_eq!(ArticleNumber::parse(" 3 ").unwrap(), ArticleNumber(3));
        assert!(ArticleNumber::parse("KB-").is_err());
        assert!(ArticleNumber::parse("printer").is_err());
        assert_eq!(ArticleNumber(4).to_string(), "KB-4");
    }

    #[test]
    fn tags_are_cleaned() {
        assert_eq!(parse_tags("vpn, Network ,vpn,,"), ["vpn", "network"]);
    }

    #[test]
    fn searches_keep_words_only() {
        let terms = search_terms("VPN \"down\" OR NEAR(x) -y vpn", Match::All).unwrap();
        assert_eq!(terms.words, ["vpn", "down", "or", "near"]);
        assert_eq!(
            search_terms("conexión lenta", Match::Any).unwrap().words,
            ["conexión", "lenta"]
        );
        assert_eq!(search_terms("?! a", Match::All), None);
    }
}
