//! `tierdesk invite` and `tierdesk doctor` as a new operator runs them: the real binary
//! against the fake Discord describing a server that is right, then wrong in each of the ways
//! that make a bot fail in its first hour. And the permission computation on its own.

#[path = "support/bot.rs"]
mod bot;
#[path = "support/fake_discord.rs"]
mod fake_discord;

use std::path::Path;
use std::process::{Command, Output};

use fake_discord::{role, FakeDiscord, Server, BOT_ROLE, GUILD};
use serde_json::json;
use serenity::all::{GuildChannel, Member, PartialGuild, Permissions};
use tierdesk::config::Config;
use tierdesk::discord::doctor::{judge, Found};

const EXAMPLE: &str = include_str!("../bot.toml.example");
const TOKEN: &str = "fake-token-do-not-print";
const ROTATION: &str = r#"
[[rotation]]
level = 1
members = [1100000000000000501, 1100000000000000502]
shift = "1w"
start = "2026-11-30 09:00"
timezone = "Europe/Madrid"
"#;

fn config_text(base: &str, extra: &str) -> String {
    let text = EXAMPLE.replace(
        "# proxy_url = \"http://127.0.0.1:3000\"",
        &format!("proxy_url = \"{base}\""),
    );
    format!("{text}\n{extra}")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tierdesk"))
        .args(args)
        .current_dir(dir)
        .env("DISCORD_TOKEN", TOKEN)
        .env("DATABASE_URL", "sqlite://unused.db")
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// Runs `doctor` against a fake server changed by `edit`; returns (exit code, output).
async fn doctor(extra_config: &str, edit: impl FnOnce(&mut Server)) -> (i32, String) {
    let (fake, base) = FakeDiscord::start().await;
    fake.edit_server(edit);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bot.toml"),
        config_text(&base, extra_config),
    )
    .unwrap();
    let out = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        move || run(&dir, &["doctor"])
    })
    .await
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains(TOKEN), "the token was printed:\n{text}");
    (out.status.code().unwrap_or(-1), text)
}

fn fails(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("FAIL")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_set_up_right_passes_every_check() {
    let (code, text) = doctor(ROTATION, |_| {}).await;
    assert_eq!(code, 0, "{text}");
    assert!(fails(&text).is_empty(), "{text}");
    for expected in [
        "ok    token: valid, belongs to application 1100000000000000001",
        "ok    guild Help desk: the bot (tierdesk) is a member",
        "ok    channel #l2-queue (tier 2 queue_channel_id): the bot may do all it needs",
        "ok    channel #summary (summary.channel_id)",
        "ok    page role @On call L1 (level 1): the bot can ping it",
        "ok    rotation level 1: the bot's role @tierdesk is above @On call L1",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_reported_and_nothing_else_is_asked() {
    let (code, text) = doctor("", |s| s.valid_token = Some("the-real-one".into())).await;
    assert_eq!(code, 1);
    let f = fails(&text);
    assert_eq!(f.len(), 1, "{text}");
    assert!(
        f[0].contains("token: Discord refuses it (401 Unauthorized) — reset it"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_not_in_the_guild_is_told_to_use_the_invite() {
    let (code, text) = doctor("", |s| s.in_guild = false).await;
    assert_eq!(code, 1);
    let f = fails(&text);
    assert_eq!(f.len(), 1, "no channel checks without the guild: {text}");
    assert!(f[0].contains("not a member of it — add it with the URL `tierdesk invite` prints"));
    assert!(text.contains("ok    token"), "the token check still ran");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_queue_channel_and_role_are_named_by_key() {
    let (code, text) = doctor("", |s| {
        s.channels.retain(|c| c["id"] != "1100000000000000122");
        s.roles.retain(|r| r["id"] != "1100000000000000103");
    })
    .await;
    assert_eq!(code, 1);
    let f = fails(&text);
    assert_eq!(f.len(), 2, "{text}");
    assert!(text.contains(
        "FAIL  channel tier 2 queue_channel_id = 1100000000000000122: no such channel in the server"
    ));
    assert!(text.contains("FAIL  role tier 3 role_id = 1100000000000000103: no such role"));
    assert!(
        text.contains("ok    channel #l1-queue"),
        "the other channels were checked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overwrites_that_hide_a_queue_from_the_bot_are_found() {
    let (code, text) = doctor("", |s| {
        let l1 = s
            .channels
            .iter_mut()
            .find(|c| c["name"] == "l1-queue")
            .unwrap();
        l1["permission_overwrites"] = json!([
            { "id": BOT_ROLE, "type": 0, "allow": "0", "deny": (1u64 << 10).to_string() }
        ]);
        let l3 = s
            .channels
            .iter_mut()
            .find(|c| c["name"] == "l3-queue")
            .unwrap();
        l3["permission_overwrites"] = json!([
            { "id": GUILD, "type": 0, "allow": "0", "deny": (1u64 << 11).to_string() }
        ]);
    })
    .await;
    assert_eq!(code, 1);
    assert!(
        text.contains("FAIL  channel #l1-queue (tier 1 queue_channel_id): missing View Channel"),
        "{text}"
    );
    assert!(
        text.contains("FAIL  channel #l3-queue (tier 3 queue_channel_id): missing Send Messages — allow it for the role @tierdesk or in the channel's overwrites"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_create_public_threads_and_an_unpingable_page_role_are_found() {
    let (code, text) = doctor("", |s| {
        let bot = s.roles.iter_mut().find(|r| r["id"] == BOT_ROLE).unwrap();
        let perms: u64 = bot["permissions"].as_str().unwrap().parse().unwrap();
        bot["permissions"] = json!((perms & !(1u64 << 35)).to_string());
        let l2 = s
            .roles
            .iter_mut()
            .find(|r| r["name"] == "On call L2")
            .unwrap();
        l2["mentionable"] = json!(false);
    })
    .await;
    assert_eq!(code, 1);
    assert!(
        text.contains(
            "FAIL  channel #l1-queue (tier 1 queue_channel_id): missing Create Public Threads"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "FAIL  page role @On call L2 (level 2): not mentionable, so pages would ping nobody"
        ),
        "{text}"
    );
    assert!(
        text.contains("ok    channel #summary"),
        "the summary channel needs no threads"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_role_above_the_bot_with_a_rotation_is_found() {
    let (code, text) = doctor(ROTATION, |s| {
        let page = s
            .roles
            .iter_mut()
            .find(|r| r["name"] == "On call L1")
            .unwrap();
        page["position"] = json!(30);
    })
    .await;
    assert_eq!(code, 1);
    let f = fails(&text);
    assert_eq!(f.len(), 1, "{text}");
    assert!(f[0].contains(
        "rotation level 1: page role @On call L1 is not below the bot's highest role @tierdesk — drag @tierdesk above it"
    ));
    // Without a rotation the bot never manages that role: nothing to report.
    let (code, _) = doctor("", |s| {
        let page = s
            .roles
            .iter_mut()
            .find(|r| r["name"] == "On call L1")
            .unwrap();
        page["position"] = json!(30);
    })
    .await;
    assert_eq!(code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_logs_each_failed_check_and_still_serves() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    fake.edit_server(|s| {
        let l2 = s
            .roles
            .iter_mut()
            .find(|r| r["name"] == "On call L2")
            .unwrap();
        l2["mentionable"] = json!(false);
    });
    let mut running = bot::start_bot(dir.path(), &base);
    bot::connected(&fake).await;
    fake.wait_for(30, "the doctor's checks", |r| {
        r.iter().find(|r| r.route == "guild_member").map(|_| ())
    })
    .await;
    // It still answers.
    fake.dispatch(
        "INTERACTION_CREATE",
        bot::slash(
            9701,
            "open",
            bot::texts(&[("title", "still up")]),
            "5000",
            &[],
        ),
    );
    fake.wait_for(15, "the reply", bot::callback_of(9701)).await;
    assert!(bot::sigterm(&mut running).success());
    let log = std::fs::read_to_string(dir.path().join("bot.log")).unwrap();
    let problems: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("doctor: the bot cannot do its job here"))
        .collect();
    assert_eq!(problems.len(), 1, "{log}");
    assert!(problems[0].contains("page role @On call L2 (level 2): not mentionable"));
    bot::assert_no_panic(dir.path());
}

#[test]
fn invite_asks_for_what_the_config_needs_and_manage_roles_only_with_a_rotation() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bot.toml"), EXAMPLE).unwrap();
    let out = run(dir.path(), &["invite"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let base = Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::EMBED_LINKS
        | Permissions::ATTACH_FILES
        | Permissions::READ_MESSAGE_HISTORY
        | Permissions::CREATE_PUBLIC_THREADS
        | Permissions::SEND_MESSAGES_IN_THREADS;
    assert!(text.contains(&format!(
        "https://discord.com/oauth2/authorize?client_id=1100000000000000001&scope=bot%20applications.commands&permissions={}",
        base.bits()
    )), "{text}");
    assert!(text.contains("Create Public Threads"));
    assert!(!text.contains("Manage Roles"));

    std::fs::write(
        dir.path().join("bot.toml"),
        format!("{EXAMPLE}\n{ROTATION}"),
    )
    .unwrap();
    let text = String::from_utf8_lossy(&run(dir.path(), &["invite"]).stdout).into_owned();
    assert!(text.contains(&format!(
        "permissions={}",
        (base | Permissions::MANAGE_ROLES).bits()
    )));
    assert!(text.contains("Manage Roles"));
}

// The permission computation, on Discord's documented rules.

fn found(channel_overwrites: serde_json::Value, bot_role_perms: u64) -> Found {
    let server = Server::default();
    let mut roles = server.roles.clone();
    roles.retain(|r| r["id"] != BOT_ROLE);
    roles.push(role(BOT_ROLE, "tierdesk", 20, bot_role_perms, false));
    let guild: PartialGuild = serde_json::from_value(json!({
        "id": GUILD, "name": "Help desk", "icon": null, "splash": null, "discovery_splash": null,
        "owner_id": "1100000000000000999", "afk_channel_id": null, "afk_timeout": 300,
        "verification_level": 0, "default_message_notifications": 0,
        "explicit_content_filter": 0, "roles": roles, "emojis": [], "features": [],
        "mfa_level": 0, "application_id": null, "system_channel_id": null,
        "system_channel_flags": 0, "rules_channel_id": null, "vanity_url_code": null,
        "description": null, "banner": null, "premium_tier": 0, "preferred_locale": "en-US",
        "public_updates_channel_id": null, "nsfw_level": 0,
        "premium_progress_bar_enabled": false, "stickers": []
    }))
    .unwrap();
    let channels: Vec<GuildChannel> = server
        .channels
        .iter()
        .map(|c| {
            let mut c = c.clone();
            if c["name"] == "l1-queue" {
                c["permission_overwrites"] = channel_overwrites.clone();
            }
            serde_json::from_value(c).unwrap()
        })
        .collect();
    let member: Member = serde_json::from_value(json!({
        "user": { "id": "1100000000000000001", "username": "tierdesk", "discriminator": "0", "avatar": null, "bot": true },
        "roles": [BOT_ROLE], "joined_at": "2026-11-01T09:00:00.000000+00:00", "deaf": false,
        "mute": false, "flags": 0, "guild_id": GUILD
    }))
    .unwrap();
    let bot = serde_json::from_value(json!({
        "id": "1100000000000000001", "username": "tierdesk", "discriminator": "0", "avatar": null, "bot": true
    }))
    .unwrap();
    Found {
        bot,
        guild,
        channels,
        member,
    }
}

fn l1_line(found: &Found) -> String {
    let config = Config::parse(EXAMPLE, &|_| None).unwrap();
    judge(&config, found)
        .into_iter()
        .find(|c| c.line.contains("#l1-queue"))
        .map(|c| format!("{} {}", if c.ok { "ok" } else { "FAIL" }, c.line))
        .unwrap()
}

const ALL_NEEDED: u64 =
    (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 35) | (1 << 38);

#[test]
fn a_role_overwrite_allows_what_the_everyone_overwrite_denies() {
    // @everyone is denied Send Messages in the channel, the bot's role is allowed it again:
    // role overwrites come after @everyone's.
    let overwrites = json!([
        { "id": GUILD, "type": 0, "allow": "0", "deny": (1u64 << 11).to_string() },
        { "id": BOT_ROLE, "type": 0, "allow": (1u64 << 11).to_string(), "deny": "0" }
    ]);
    assert!(l1_line(&found(overwrites, ALL_NEEDED)).starts_with("ok"));
}

#[test]
fn a_member_overwrite_comes_last() {
    let overwrites = json!([
        { "id": BOT_ROLE, "type": 0, "allow": (1u64 << 35).to_string(), "deny": "0" },
        { "id": "1100000000000000001", "type": 1, "allow": "0", "deny": (1u64 << 35).to_string() }
    ]);
    let line = l1_line(&found(overwrites, ALL_NEEDED));
    assert!(
        line.contains("FAIL") && line.contains("missing Create Public Threads"),
        "{line}"
    );
}

#[test]
fn administrator_overrides_every_overwrite() {
    let overwrites = json!([
        { "id": BOT_ROLE, "type": 0, "allow": "0", "deny": (1u64 << 10).to_string() }
    ]);
    assert!(l1_line(&found(overwrites.clone(), ALL_NEEDED)).contains("missing View Channel"));
    let admin = 1u64 << 3;
    assert!(l1_line(&found(overwrites, admin)).starts_with("ok"));
}
