//! Channel messages as serenity builders: pages (the one message that may ping, and only the
//! paged role), with their fields, a colour per priority, their buttons and a link to the
//! ticket's thread; page edits that keep all of it; quiet messages that ping nobody.

use chrono::{DateTime, Utc};
use serenity::all::{
    ButtonStyle, Colour, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateMessage, EditMessage, Nonce,
};

use super::buttons::ButtonAction;
use crate::domain::effects::{Arrival, TicketCard};
use crate::domain::{GuildId, Level, Priority, RoleId, Status};
use crate::render::Text;
use crate::tr;

/// Discord's embed limits.
const EMBED_TITLE: usize = 256;
const EMBED_DESCRIPTION: usize = 4096;

pub use crate::domain::text::clip;

/// What a page shows, as the outbox stores it.
pub struct PageView<'a> {
    /// The outbox id: the nonce that makes Discord create the message once.
    pub nonce: i64,
    pub guild: GuildId,
    pub role: RoleId,
    /// The level this page was posted for.
    pub level: Level,
    /// The ticket as it stands now.
    pub card: &'a TicketCard,
    pub arrival: &'a Arrival,
    pub ack_due_at: Option<DateTime<Utc>>,
    /// The ticket's thread, once Discord created it.
    pub thread: Option<u64>,
    /// Who holds the page role, for a level with a rotation: named and pinged with the
    /// role, since a member may mute role mentions for the server (SPEC §4).
    pub on_call: Option<crate::domain::UserId>,
    /// False out of service hours: the page pings nobody (the role is pinged at opening).
    pub ping: bool,
}

impl PageView<'_> {
    /// Whether this page's level still has work on the ticket: its buttons work only then.
    fn live(&self) -> bool {
        let c = self.card;
        match c.status {
            Status::Closed => false,
            // The vendor liaison's page stays live while the ticket waits on the vendor.
            _ if self.level == Level::VENDOR => c.status == Status::Waiting,
            _ => c.level == self.level,
        }
    }
}

/// A colour per priority, so a critical page stands out in the channel.
fn colour(p: Priority) -> Colour {
    Colour::new(match p {
        Priority::Critical => 0xE0_3E_3E,
        Priority::High => 0xE6_7E_22,
        Priority::Normal => 0x34_98_DB,
        Priority::Low => 0x95_A5_A6,
    })
}

fn level_label(text: &Text, level: Level) -> String {
    let name = text
        .config
        .tier(level)
        .map_or_else(|| level.default_name().to_owned(), |t| t.name.clone());
    format!("{level} ({name})")
}

/// The ticket's card as an embed (a re-page, the admins' page): number and title, colour,
/// priority, level and status.
pub fn card_embed(text: &Text, c: &TicketCard) -> CreateEmbed {
    card_base(text, c, c.level)
}

fn card_base(text: &Text, c: &TicketCard, level: Level) -> CreateEmbed {
    let l = text.lang;
    CreateEmbed::new()
        .title(clip(&format!("#{} {}", c.number, c.title), EMBED_TITLE))
        .colour(colour(c.priority))
        .field(
            tr!(l, "page-field-priority"),
            text.priority(c.priority),
            true,
        )
        .field(tr!(l, "page-field-level"), level_label(text, level), true)
        .field(tr!(l, "page-field-status"), text.status(c.status), true)
}

/// The page's embed: who it is for, where it came from, and the ticket as it stands.
fn page_embed(text: &Text, p: &PageView) -> CreateEmbed {
    let l = text.lang;
    let c = p.card;
    let mut embed = card_base(text, c, p.level)
        .description(clip(&text.arrival(p.arrival).join("\n"), EMBED_DESCRIPTION));
    if c.level != p.level {
        embed = embed.field(tr!(l, "page-field-owner"), level_label(text, c.level), true);
    }
    if let Some(assignee) = c.assignee {
        embed = embed.field(
            tr!(l, "page-field-assignee"),
            format!("<@{assignee}>"),
            true,
        );
    }
    if let (Some(due), false) = (c.resolve_due_at, c.status == Status::Closed) {
        let due = format!("<t:{}:f>", due.timestamp());
        embed = embed.field(tr!(l, "page-field-target"), due, true);
    }
    match p.ack_due_at {
        Some(due) if c.status == Status::Open && p.live() => embed.field(
            tr!(l, "page-field-due"),
            format!("<t:{}:R>", due.timestamp()),
            true,
        ),
        _ => embed,
    }
}

/// Acknowledge and Assign (disabled once this page's level no longer owns the ticket), and
/// the link to the ticket's thread whenever it exists.
fn page_buttons(text: &Text, p: &PageView) -> Vec<CreateActionRow> {
    let l = text.lang;
    let number = p.card.number;
    let live = p.live();
    let mut buttons = vec![
        CreateButton::new(ButtonAction::Ack(number).custom_id())
            .label(tr!(l, "button-ack"))
            .style(ButtonStyle::Success)
            .disabled(!live),
        CreateButton::new(ButtonAction::Assign(number).custom_id())
            .label(tr!(l, "button-assign"))
            .style(ButtonStyle::Primary)
            .disabled(!live),
    ];
    if let Some(thread) = p.thread {
        buttons.push(
            CreateButton::new_link(format!("https://discord.com/channels/{}/{thread}", p.guild))
                .label(tr!(l, "button-thread")),
        );
    }
    let mut rows = vec![CreateActionRow::Buttons(buttons)];
    // An alert's links (source, runbook, dashboard, silence) on a row of their own.
    if let Arrival::Alert { links, .. } = p.arrival {
        let links: Vec<CreateButton> = links
            .iter()
            .take(5)
            .map(|link| CreateButton::new_link(&link.url).label(clip(&link.label, 80)))
            .collect();
        if !links.is_empty() {
            rows.push(CreateActionRow::Buttons(links));
        }
    }
    rows
}

/// The page's text: the one line that mentions the paged role.
pub fn page_content(text: &Text, p: &PageView) -> String {
    let level_name = text
        .config
        .tier(p.level)
        .map_or_else(|| p.level.default_name().to_owned(), |t| t.name.clone());
    let content = tr!(
        text.lang,
        "page-content",
        role = p.role,
        number = p.card.number,
        level_name = level_name
    );
    match p.on_call {
        Some(user) => format!("{content} {}", text.on_call_note(user)),
        None => content,
    }
}

/// The paged role and, where a rotation names one, the member on call: all a page or
/// re-page may ping.
pub fn role_and_member(
    role: RoleId,
    on_call: Option<crate::domain::UserId>,
) -> CreateAllowedMentions {
    let roles = CreateAllowedMentions::new().roles([role.0]);
    match on_call {
        Some(member) => roles.users([member.0]),
        None => roles,
    }
}

/// Who a page may ping: the role and the member on call, or nobody while the desk is closed.
/// The ticket's text sits in the embed, so nothing a requester typed can ping.
fn page_mentions(p: &PageView) -> CreateAllowedMentions {
    if p.ping {
        role_and_member(p.role, p.on_call)
    } else {
        CreateAllowedMentions::new()
    }
}

/// A page: mentions exactly the paged role (and the member on call); `allowed_mentions`
/// lets nothing else ping.
pub fn page(text: &Text, p: &PageView) -> CreateMessage {
    CreateMessage::new()
        .content(page_content(text, p))
        .embed(page_embed(text, p))
        .components(page_buttons(text, p))
        .allowed_mentions(page_mentions(p))
        .nonce(Nonce::String(p.nonce.to_string()))
        .enforce_nonce(true)
}

/// The edit that makes a page show the ticket as it stands, with every field kept; the text
/// line is left alone, and an edit never pings.
pub fn page_edit(text: &Text, p: &PageView) -> EditMessage {
    EditMessage::new()
        .embed(page_embed(text, p))
        .components(page_buttons(text, p))
        .allowed_mentions(CreateAllowedMentions::new())
}

/// A message that pings exactly `role` (re-pages, admin pages).
pub fn role_ping(nonce_id: &str, role: RoleId, body: &str) -> CreateMessage {
    CreateMessage::new()
        .content(clip(body, crate::render::MESSAGE_LIMIT))
        .allowed_mentions(CreateAllowedMentions::new().roles([role.0]))
        .nonce(Nonce::String(nonce_id.to_owned()))
        .enforce_nonce(true)
}

/// A message that may ping exactly one member (a handoff notice: the member coming on).
pub fn mention_one(nonce_id: &str, user: crate::domain::UserId, body: &str) -> CreateMessage {
    CreateMessage::new()
        .content(clip(body, crate::render::MESSAGE_LIMIT))
        .allowed_mentions(CreateAllowedMentions::new().users([user.0]))
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
