//! Channel messages as serenity builders: pages (the one message that may ping, and only the
//! paged role), with their buttons and a link to the ticket's thread.

use chrono::{DateTime, Utc};
use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed, CreateMessage,
    EditMessage, Nonce,
};

use super::buttons::ButtonAction;
use crate::domain::{GuildId, Level, RoleId};
use crate::effects::{Arrival, TicketCard};
use crate::render::Text;
use crate::tr;

/// Discord's embed limits.
const EMBED_TITLE: usize = 256;
const EMBED_DESCRIPTION: usize = 4096;

/// `text` cut to `max` characters, with an ellipsis when something was cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// What a page shows, as the outbox stores it.
pub struct PageView<'a> {
    /// The outbox id: the nonce that makes Discord create the message once.
    pub nonce: i64,
    pub guild: GuildId,
    pub role: RoleId,
    pub level: Level,
    pub card: &'a TicketCard,
    pub arrival: &'a Arrival,
    pub ack_due_at: Option<DateTime<Utc>>,
    /// The ticket's thread, once Discord created it.
    pub thread: Option<u64>,
}

/// A page: mentions exactly the paged role; the ticket's text sits in the embed, and
/// `allowed_mentions` lets nothing but that role ping.
pub fn page(text: &Text, p: &PageView) -> CreateMessage {
    let l = text.lang;
    let c = p.card;
    let level_name = text
        .config
        .tier(p.level)
        .map_or_else(|| p.level.default_name().to_owned(), |t| t.name.clone());
    let mut embed = CreateEmbed::new()
        .title(clip(&format!("#{} {}", c.number, c.title), EMBED_TITLE))
        .description(clip(&text.arrival(p.arrival).join("\n"), EMBED_DESCRIPTION))
        .field(
            tr!(l, "page-field-priority"),
            text.priority(c.priority),
            true,
        )
        .field(
            tr!(l, "page-field-level"),
            format!("{} ({level_name})", p.level),
            true,
        );
    if let Some(due) = p.ack_due_at {
        embed = embed.field(
            tr!(l, "page-field-due"),
            format!("<t:{}:R>", due.timestamp()),
            true,
        );
    }
    let mut buttons = vec![
        CreateButton::new(ButtonAction::Ack(c.number).custom_id())
            .label(tr!(l, "button-ack"))
            .style(ButtonStyle::Success),
        CreateButton::new(ButtonAction::Assign(c.number).custom_id())
            .label(tr!(l, "button-assign"))
            .style(ButtonStyle::Primary),
    ];
    if let Some(thread) = p.thread {
        buttons.push(
            CreateButton::new_link(format!("https://discord.com/channels/{}/{thread}", p.guild))
                .label(tr!(l, "button-thread")),
        );
    }
    CreateMessage::new()
        .content(tr!(
            l,
            "page-content",
            role = p.role,
            number = c.number,
            level_name = level_name
        ))
        .embed(embed)
        .components(vec![CreateActionRow::Buttons(buttons)])
        .allowed_mentions(CreateAllowedMentions::new().roles([p.role.0]))
        .nonce(Nonce::String(p.nonce.to_string()))
        .enforce_nonce(true)
}

/// A message that pings exactly `role` (re-pages, admin pages).
pub fn role_ping(nonce_id: &str, role: RoleId, body: &str) -> CreateMessage {
    CreateMessage::new()
        .content(clip(body, crate::render::MESSAGE_LIMIT))
        .allowed_mentions(CreateAllowedMentions::new().roles([role.0]))
        .nonce(Nonce::String(nonce_id.to_owned()))
        .enforce_nonce(true)
}

/// A message that pings nobody (thread posts, summaries), with optional buttons.
pub fn quiet(nonce_id: &str, body: &str, components: Vec<CreateActionRow>) -> CreateMessage {
    CreateMessage::new()
        .content(clip(body, crate::render::MESSAGE_LIMIT))
        .allowed_mentions(CreateAllowedMentions::new())
        .nonce(Nonce::String(nonce_id.to_owned()))
        .enforce_nonce(true)
        .components(components)
}

/// The rating buttons 1–5 on a closure message; only the requester's press counts.
pub fn rating_buttons(ticket: crate::domain::TicketNumber) -> Vec<CreateActionRow> {
    vec![CreateActionRow::Buttons(
        (1..=5)
            .map(|score| {
                CreateButton::new(ButtonAction::Rate(ticket, score).custom_id())
                    .label(score.to_string())
                    .style(ButtonStyle::Secondary)
            })
            .collect(),
    )]
}

/// The edit that makes a page show the ticket as it stands: level, status, assignee; the
/// buttons go once the ticket is closed.
pub fn page_update(text: &Text, card: &TicketCard) -> EditMessage {
    let embed = CreateEmbed::new()
        .title(clip(
            &format!("#{} {}", card.number, card.title),
            EMBED_TITLE,
        ))
        .description(clip(&text.card_line(card), EMBED_DESCRIPTION));
    let buttons = if card.status == crate::domain::Status::Closed {
        Vec::new()
    } else {
        vec![CreateActionRow::Buttons(vec![
            CreateButton::new(ButtonAction::Ack(card.number).custom_id())
                .label(tr!(text.lang, "button-ack"))
                .style(ButtonStyle::Success),
            CreateButton::new(ButtonAction::Assign(card.number).custom_id())
                .label(tr!(text.lang, "button-assign"))
                .style(ButtonStyle::Primary),
        ])]
    };
    EditMessage::new()
        .embed(embed)
        .components(buttons)
        .allowed_mentions(CreateAllowedMentions::new())
}
