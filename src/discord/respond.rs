//! Replies to interactions: the text of a reply or a refusal, ephemeral where it should be,
//! and `allowed_mentions` empty, so nothing a user typed can ping anyone.

use serenity::all::{
    CreateAllowedMentions, CreateInteractionResponse, CreateInteractionResponseMessage,
};

use crate::config::Config;
use crate::error::Error;
use crate::i18n::Lang;
use crate::render::{Text, MESSAGE_LIMIT};
use crate::service::Outcome;
use crate::tr;

/// Keeps whole lines of `text` within `limit` characters, saying how many were left out.
/// A very long line (a 4,000-character note in a timeline) is shortened rather than hiding
/// everything after it; the whole text stays in the ticket's thread.
pub fn fit(text: &str, limit: usize, lang: Lang) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let lines: Vec<String> = text
        .lines()
        .map(|l| super::messages::clip(l, limit / 4))
        .collect();
    let mut kept = String::new();
    for (i, line) in lines.iter().enumerate() {
        let more = tr!(lang, "reply-more-lines", count = lines.len() - i);
        if kept.chars().count() + line.chars().count() + more.chars().count() + 2 > limit {
            return format!("{kept}{more}");
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

fn message(text: String, ephemeral: bool) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(text)
            .ephemeral(ephemeral)
            .allowed_mentions(CreateAllowedMentions::new()),
    )
}

/// The response to a command that ran.
pub fn success(config: &Config, lang: Lang, outcome: &Outcome) -> CreateInteractionResponse {
    let text = Text::new(config, lang).reply(&outcome.reply);
    message(fit(&text, MESSAGE_LIMIT, lang), outcome.reply.ephemeral())
}

/// The response to a refused or failed command: only the member sees it.
pub fn refusal(lang: Lang, error: &Error) -> CreateInteractionResponse {
    message(fit(&error.message(lang), MESSAGE_LIMIT, lang), true)
}

/// A short notice from the catalogue, for the member only.
pub fn notice(lang: Lang, id: &str) -> CreateInteractionResponse {
    message(tr!(lang, id), true)
}

/// The same response, shown only to the member (button presses answer privately; the page
/// edit shows everyone the result).
pub fn ephemeral(response: CreateInteractionResponse) -> CreateInteractionResponse {
    match response {
        CreateInteractionResponse::Message(m) => {
            CreateInteractionResponse::Message(m.ephemeral(true))
        }
        other => other,
    }
}
