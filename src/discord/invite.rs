//! `tierdesk invite`: the URL that adds the bot to a server with exactly the scopes and
//! permissions this config needs, each permission listed with why (SPEC §8).

use serenity::all::Permissions;

use crate::config::Config;

/// What the bot needs in every queue channel.
pub const QUEUE: &[(Permissions, &str)] = &[
    (
        Permissions::VIEW_CHANNEL,
        "see the queue channels and the summary channel",
    ),
    (
        Permissions::SEND_MESSAGES,
        "post pages, re-pages and the daily summary",
    ),
    (
        Permissions::EMBED_LINKS,
        "show each page's ticket as an embed",
    ),
    (
        Permissions::READ_MESSAGE_HISTORY,
        "edit its pages and find a page it already posted",
    ),
    (
        Permissions::CREATE_PUBLIC_THREADS,
        "open a thread per ticket on its page",
    ),
    (
        Permissions::SEND_MESSAGES_IN_THREADS,
        "post the ticket's timeline in its thread",
    ),
];

/// What the bot needs in the summary channel.
pub const SUMMARY: &[(Permissions, &str)] = &[
    (Permissions::VIEW_CHANNEL, "see the summary channel"),
    (Permissions::SEND_MESSAGES, "post the daily summary"),
    (Permissions::EMBED_LINKS, "lay the summary out"),
    (Permissions::ATTACH_FILES, "attach the summary's chart"),
];

/// Only with a `[[rotation]]`.
const ROTATION: (Permissions, &str) = (
    Permissions::MANAGE_ROLES,
    "hand the page role to whoever is on call ([[rotation]])",
);

/// Every permission this config needs, once each, with why.
pub fn needed(config: &Config) -> Vec<(Permissions, &'static str)> {
    let mut all: Vec<(Permissions, &'static str)> = Vec::new();
    for (p, why) in QUEUE.iter().chain(SUMMARY) {
        if !all.iter().any(|(q, _)| q == p) {
            all.push((*p, why));
        }
    }
    if !config.rotations.is_empty() {
        all.push(ROTATION);
    }
    all
}

/// The permissions integer of the invite.
pub fn bits(config: &Config) -> Permissions {
    needed(config)
        .iter()
        .fold(Permissions::empty(), |acc, (p, _)| acc | *p)
}

/// The OAuth2 URL that adds the bot with the slash commands and those permissions.
pub fn url(config: &Config) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={}&scope=bot%20applications.commands&permissions={}",
        config.discord.application_id,
        bits(config).bits()
    )
}

/// What `tierdesk invite` prints.
pub fn report(config: &Config) -> String {
    let mut out = format!(
        "Open this URL to add tierdesk to your server (scopes: bot, applications.commands):\n\n  {}\n\nPermissions it asks for, and why:\n",
        url(config)
    );
    for (p, why) in needed(config) {
        let name = p.get_permission_names().join(", ");
        out.push_str(&format!("  - {name:<26} {why}\n"));
    }
    out.push_str(
        "\nIt never asks for \"Mention @everyone, @here and All Roles\": make each page role \
         mentionable instead (Server Settings → Roles → the role → \"Allow anyone to @mention \
         this role\"), or pages ping nobody. `tierdesk doctor` checks all of this.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manage_roles_only_with_a_rotation() {
        let names = |ps: Permissions| ps.get_permission_names();
        let queue = QUEUE.iter().fold(Permissions::empty(), |a, (p, _)| a | *p);
        assert!(names(queue).contains(&"Create Public Threads"));
        assert!(!queue.contains(Permissions::MANAGE_ROLES));
        assert!(!queue.contains(Permissions::MENTION_EVERYONE));
        assert!(SUMMARY.iter().any(|(p, _)| *p == Permissions::ATTACH_FILES));
    }
}
