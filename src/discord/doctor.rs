//! `tierdesk doctor`: asks Discord, with read-only calls, whether the bot can do its job with
//! this config, and says for each check `ok` or what is wrong and how to fix it (SPEC §8).
//!
//! Gathering (the REST calls) and judging (pure, over what was gathered) are apart, so every
//! check runs even when an earlier one failed, except those that need what failed. The
//! bot's permissions in a channel are computed the way Discord does (base from @everyone and
//! the member's roles, the administrator short-cut, then @everyone, role and member
//! overwrites), by serenity's `PartialGuild::user_permissions_in`, which needs no cache.

use serenity::all::{
    ChannelType, CurrentUser, GuildChannel, GuildId, Http, HttpError, Member, PartialGuild,
    Permissions, Role, RoleId,
};

use super::invite;
use crate::config::Config;

/// One check's verdict: `ok` with what was checked, or what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub ok: bool,
    pub line: String,
}

impl Check {
    fn ok(line: String) -> Check {
        Check { ok: true, line }
    }
    fn fail(line: String) -> Check {
        Check { ok: false, line }
    }
}

/// What Discord told us about the server, as far as it got.
pub struct Found {
    pub bot: CurrentUser,
    pub guild: PartialGuild,
    pub channels: Vec<GuildChannel>,
    pub member: Member,
}

/// Runs every check against Discord.
pub async fn checks(http: &Http, config: &Config) -> Vec<Check> {
    let mut out = Vec::new();
    let Some(bot) = identity(http, config, &mut out).await else {
        return out;
    };
    match gather(http, config, bot).await {
        Ok(found) => out.extend(judge(config, &found)),
        Err(line) => out.push(Check::fail(line)),
    }
    out
}

/// The token is valid and belongs to `application_id`: the bot user, or `None` when nothing
/// else can be asked.
async fn identity(http: &Http, config: &Config, out: &mut Vec<Check>) -> Option<CurrentUser> {
    let app = match http.get_current_application_info().await {
        Ok(app) => app,
        Err(e) if status(&e) == Some(401) => {
            out.push(Check::fail(
                "token: Discord refuses it (401 Unauthorized) — reset it in the Developer Portal \
                 (your application → Bot → Reset Token) and set DISCORD_TOKEN to the new one"
                    .into(),
            ));
            return None;
        }
        Err(e) => {
            out.push(Check::fail(format!(
                "Discord: cannot ask it anything ({e}) — check the network, or [discord] proxy_url"
            )));
            return None;
        }
    };
    let wanted = config.discord.application_id;
    if app.id.get() == wanted {
        out.push(Check::ok(format!(
            "token: valid, belongs to application {wanted} ({})",
            app.name
        )));
    } else {
        out.push(Check::fail(format!(
            "token: it belongs to application {}, but discord.application_id is {wanted} — \
             use that application's token, or set application_id = {}",
            app.id, app.id
        )));
    }
    match http.get_current_user().await {
        Ok(bot) => Some(bot),
        Err(e) => {
            out.push(Check::fail(format!("bot user: cannot read it ({e})")));
            None
        }
    }
}

/// The guild, its channels, and the bot's member object.
async fn gather(http: &Http, config: &Config, bot: CurrentUser) -> Result<Found, String> {
    let guild_id = GuildId::new(config.discord.guild_id.0);
    let guild = http.get_guild(guild_id).await.map_err(|e| match status(&e) {
        Some(403 | 404) => format!(
            "guild {guild_id}: the bot is not a member of it — add it with the URL `tierdesk invite` prints"
        ),
        _ => format!("guild {guild_id}: cannot read it ({e})"),
    })?;
    let channels = http
        .get_channels(guild_id)
        .await
        .map_err(|e| format!("guild {guild_id}: cannot list its channels ({e})"))?;
    let member = http
        .get_member(guild_id, bot.id)
        .await
        .map_err(|e| format!("guild {guild_id}: cannot read the bot's member ({e})"))?;
    Ok(Found {
        bot,
        guild,
        channels,
        member,
    })
}

fn status(e: &serenity::Error) -> Option<u16> {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => Some(r.status_code.as_u16()),
        _ => None,
    }
}

/// Every check on what was gathered.
pub fn judge(config: &Config, found: &Found) -> Vec<Check> {
    let mut out = vec![Check::ok(format!(
        "guild {}: the bot ({}) is a member",
        found.guild.name, found.bot.name
    ))];
    out.extend(roles(config, found));
    for (key, channel, needs) in channels(config) {
        out.push(channel_check(found, &key, channel, needs));
    }
    for tier in config.tiers.values() {
        out.extend(pingable(found, tier));
    }
    for rotation in &config.rotations {
        if let Some(tier) = config.tier(rotation.level) {
            out.push(role_order(found, tier));
        }
    }
    out
}

/// Every configured role, with the key that names it.
fn roles(config: &Config, found: &Found) -> Vec<Check> {
    let mut keyed = vec![(
        "discord.admin_role_id".to_owned(),
        config.discord.admin_role_id.0,
    )];
    for tier in config.tiers.values() {
        keyed.push((format!("tier {} role_id", tier.level), tier.role_id.0));
        if tier.page_role_id != tier.role_id {
            keyed.push((
                format!("tier {} page_role_id", tier.level),
                tier.page_role_id.0,
            ));
        }
    }
    keyed
        .into_iter()
        .map(|(key, id)| match found.guild.roles.get(&RoleId::new(id)) {
            Some(role) => Check::ok(format!("role {key} = {id}: @{}", role.name)),
            None => Check::fail(format!(
                "role {key} = {id}: no such role in the server — copy the role's id \
                 (Developer Mode → Server Settings → Roles → right click → Copy Role ID)"
            )),
        })
        .collect()
}

type Needs = &'static [(Permissions, &'static str)];

/// Every configured channel, with its key and what the bot needs there.
fn channels(config: &Config) -> Vec<(String, u64, Needs)> {
    let mut keyed: Vec<(String, u64, Needs)> = config
        .tiers
        .values()
        .map(|t| {
            let key = format!("tier {} queue_channel_id", t.level);
            (key, t.queue_channel_id.0, invite::QUEUE)
        })
        .collect();
    keyed.push((
        "summary.channel_id".into(),
        config.summary.channel_id.0,
        invite::SUMMARY,
    ));
    keyed
}

fn channel_check(found: &Found, key: &str, id: u64, needs: Needs) -> Check {
    let Some(channel) = found.channels.iter().find(|c| c.id.get() == id) else {
        return Check::fail(format!(
            "channel {key} = {id}: no such channel in the server — copy the channel's id \
             (Developer Mode → right click the channel → Copy Channel ID)"
        ));
    };
    if !matches!(channel.kind, ChannelType::Text | ChannelType::News) {
        return Check::fail(format!(
            "channel #{} ({key}): not a text channel — pages and threads need a text channel",
            channel.name
        ));
    }
    let has = found.guild.user_permissions_in(channel, &found.member);
    let missing: Vec<&str> = needs
        .iter()
        .filter(|(p, _)| !has.contains(*p))
        .flat_map(|(p, _)| p.get_permission_names())
        .collect();
    if missing.is_empty() {
        Check::ok(format!(
            "channel #{} ({key}): the bot may do all it needs",
            channel.name
        ))
    } else {
        Check::fail(format!(
            "channel #{} ({key}): missing {} — allow it for the role @{} or in the channel's overwrites",
            channel.name,
            missing.join(", "),
            top_role(found).map_or("(none)", |r| r.name.as_str())
        ))
    }
}

/// A page that mentions a role nobody may ping wakes no one.
fn pingable(found: &Found, tier: &crate::config::Tier) -> Option<Check> {
    let role = found.guild.roles.get(&RoleId::new(tier.page_role_id.0))?;
    let everyone = found
        .channels
        .iter()
        .find(|c| c.id.get() == tier.queue_channel_id.0)
        .is_some_and(|c| {
            found
                .guild
                .user_permissions_in(c, &found.member)
                .contains(Permissions::MENTION_EVERYONE)
        });
    Some(if role.mentionable || everyone {
        Check::ok(format!(
            "page role @{} (level {}): the bot can ping it",
            role.name, tier.level
        ))
    } else {
        Check::fail(format!(
            "page role @{} (level {}): not mentionable, so pages would ping nobody — Server \
             Settings → Roles → @{} → turn on \"Allow anyone to @mention this role\"",
            role.name, tier.level, role.name
        ))
    })
}

/// The bot's highest role, by position.
fn top_role(found: &Found) -> Option<&Role> {
    found
        .member
        .roles
        .iter()
        .filter_map(|r| found.guild.roles.get(r))
        .max_by_key(|r| r.position)
}

/// With a rotation, the bot hands the page role out: it needs Manage Roles, and its highest
/// role strictly above the page role (Discord's rule for managing a role).
fn role_order(found: &Found, tier: &crate::config::Tier) -> Check {
    let level = tier.level;
    let Some(page) = found.guild.roles.get(&RoleId::new(tier.page_role_id.0)) else {
        return Check::fail(format!(
            "rotation level {level}: its page role does not exist"
        ));
    };
    let guild_perms = found.guild.member_permissions(&found.member);
    if !guild_perms.contains(Permissions::MANAGE_ROLES) {
        return Check::fail(format!(
            "rotation level {level}: the bot lacks Manage Roles — allow it for the role @{} \
             (or invite the bot again with `tierdesk invite`)",
            top_role(found).map_or("(none)", |r| r.name.as_str())
        ));
    }
    match top_role(found) {
        Some(top) if top.position > page.position => Check::ok(format!(
            "rotation level {level}: the bot's role @{} is above @{}",
            top.name, page.name
        )),
        top => Check::fail(format!(
            "rotation level {level}: page role @{} is not below the bot's highest role @{} — \
             drag @{} above it in Server Settings → Roles",
            page.name,
            top.map_or("(none)", |r| r.name.as_str()),
            top.map_or("tierdesk", |r| r.name.as_str()),
        )),
    }
}

/// The report `tierdesk doctor` prints: one line per check.
pub fn report(checks: &[Check]) -> String {
    let mut out = String::new();
    for c in checks {
        out.push_str(if c.ok { "ok    " } else { "FAIL  " });
        out.push_str(&c.line);
        out.push('\n');
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    out.push_str(&match failed {
        0 => format!("\nall {} checks passed\n", checks.len()),
        n => format!("\n{n} of {} checks failed\n", checks.len()),
    });
    out
}
