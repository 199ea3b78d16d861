//! On-call rotations kept in the page role (SPEC §11): handoffs at each boundary as durable
//! role changes and notices, delivered in order to a fake Discord; overrides and their end;
//! a 403 told to the admins once; `/oncall who`; and, on the real binary, the roles put right
//! at start, a kill -9 across a handoff, and pages naming who is on call.

#[path = "support/bot.rs"]
mod bot;
mod common;
#[path = "support/fake_discord.rs"]
mod fake_discord;

use std::sync::Arc;

use chrono::Duration;
use common::*;
use fake_discord::{FakeDiscord, Recorded};
use serde_json::json;
use serenity::all::HttpBuilder;
use tierdesk::discord::delivery::Deliverer;

const A: &str = "1100000000000000501";
const B: &str = "1100000000000000502";
const C: &str = "1100000000000000503";
const PAGE_L1: &str = "1100000000000000111";
const SUMMARY: &str = "1100000000000000010";

/// Hourly turns from t0 (Monday 2 November 2026, 10:00 in Madrid).
const HOURLY: &str = r#"
[[rotation]]
level = 1
members = [1100000000000000501, 1100000000000000502, 1100000000000000503]
shift = "1h"
start = "2026-11-02 10:00"
timezone = "Europe/Madrid"
"#;

async fn setup() -> (TestApp, FakeDiscord, Deliverer) {
    let app = spawn_app_with(&format!("{EXAMPLE}\n{HOURLY}")).await;
    let (fake, base) = FakeDiscord::start().await;
    let http = HttpBuilder::new("test-token")
        .proxy(base)
        .ratelimiter_disabled(true)
        .build();
    let d = Deliverer::new(
        app.service.clone(),
        Arc::new(http),
        std::time::Duration::from_secs(2),
    );
    (app, fake, d)
}

/// The role calls and notices, in the order Discord got them: `+user`, `-user`, `notice user`.
fn calls(fake: &FakeDiscord) -> Vec<String> {
    fake.requests()
        .iter()
        .filter_map(|r: &Recorded| {
            let user = || r.path.split('/').nth(4).unwrap_or_default().to_owned();
            match r.route {
                "add_role" => Some(format!("+{}", user())),
                "remove_role" => Some(format!("-{}", user())),
                "create_message"
                    if r.path.contains("1100000000000000121")
                        && r.body["embeds"].as_array().is_none_or(|e| e.is_empty()) =>
                {
                    Some(format!(
                        "notice {}",
                        r.body["allowed_mentions"]["users"][0]
                            .as_str()
                            .unwrap_or("?")
                    ))
                }
                _ => None,
            }
        })
        .collect()
}

#[tokio::test]
async fn each_boundary_hands_the_role_over_in_order_once() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        app.service.run_oncall(app.now).await.unwrap();
        d.deliver_due(app.now).await.unwrap();
        app.advance(Duration::hours(1));
        assert_eq!(app.service.run_oncall(app.now).await.unwrap().len(), 1);
        assert!(
            app.service.run_oncall(app.now).await.unwrap().is_empty(),
            "once"
        );
        d.deliver_due(app.now).await.unwrap();
        app.advance(Duration::hours(1));
        app.service.run_oncall(app.now).await.unwrap();
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            calls(&fake),
            [
                format!("+{A}"),
                format!("notice {A}"),
                format!("+{B}"),
                format!("-{A}"),
                format!("notice {B}"),
                format!("+{C}"),
                format!("-{B}"),
                format!("notice {C}"),
            ]
        );
        assert_eq!(fake.roles_of(C), [PAGE_L1]);
        assert!(fake.roles_of(A).is_empty() && fake.roles_of(B).is_empty());
        let add = fake.of("add_role").pop().unwrap();
        let reason = add.body["reason"]
            .as_str()
            .unwrap()
            .replace("%20", " ")
            .replace("%2D", "-");
        assert!(
            reason.contains("on-call handoff for level 1"),
            "audit-log reason: {reason}"
        );
        let notice = fake.messages_in("1100000000000000121").pop().unwrap();
        assert!(notice["content"]
            .as_str()
            .unwrap()
            .contains(&format!("<@{C}> is now on call for Service desk until <t:")));
    })
    .await;
}

#[tokio::test]
async fn a_member_who_left_the_server_is_skipped_and_the_next_handoff_stays_on_time() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        app.service.run_oncall(app.now).await.unwrap();
        d.deliver_due(app.now).await.unwrap();
        // B left the server: Discord answers 10007 Unknown Member to their role PUT.
        fake.edit_server(|s| {
            s.members.remove(B);
        });
        app.advance(Duration::hours(1));
        app.service.run_oncall(app.now).await.unwrap();
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            app.service.outbox_counts().await.unwrap(),
            (0, 0),
            "nothing left retrying or set aside"
        );
        assert!(fake.roles_of(A).is_empty(), "A, going off, lost the role");
        let told: Vec<String> = fake
            .messages_in(SUMMARY)
            .iter()
            .map(|m| m["content"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(told.len(), 1, "the admins are told once: {told:?}");
        assert!(
            told[0].starts_with("<@&1100000000000000003> ")
                && told[0].contains(&format!(
                    "<@{B}> is on the Service desk rotation but is no longer in the server"
                )),
            "{}",
            told[0]
        );
        let notice = fake.of("create_message").pop().unwrap();
        assert_eq!(
            notice.body["allowed_mentions"]["roles"],
            json!(["1100000000000000003"]),
            "only the admins are pinged"
        );
        // The next boundary is not held back.
        app.advance(Duration::hours(1));
        app.service.run_oncall(app.now).await.unwrap();
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(fake.roles_of(C), [PAGE_L1]);
        assert_eq!(
            calls(&fake),
            [
                format!("+{A}"),
                format!("notice {A}"),
                format!("+{B}"),
                format!("-{A}"),
                format!("+{C}"),
                format!("-{B}"),
                format!("notice {C}"),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn pages_and_re_pages_ping_the_member_on_call_with_the_role() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        app.service.run_oncall(app.now).await.unwrap();
        app.ok(
            &app.requester(),
            "/ticket open title:\"@everyone VPN <@&1100000000000000003>\" priority:critical",
        )
        .await;
        d.deliver_due(app.now).await.unwrap();
        app.advance(Duration::minutes(6));
        assert_eq!(app.service.run_due(app.now).await.unwrap().len(), 1);
        d.deliver_due(app.now).await.unwrap();
        let sent: Vec<_> = fake
            .of("create_message")
            .into_iter()
            .filter(|r| r.path.contains("1100000000000000121"))
            .filter(|r| r.body["embeds"].as_array().is_some_and(|e| !e.is_empty()))
            .collect();
        assert_eq!(sent.len(), 2, "the page and the re-page");
        for r in &sent {
            assert_eq!(
                r.body["allowed_mentions"],
                json!({ "parse": [], "roles": [PAGE_L1], "users": [A] }),
                "the role and the member on call, nobody the title names"
            );
            let content = r.body["content"].as_str().unwrap();
            assert!(content.contains(&format!("(on call: <@{A}>)")), "{content}");
        }
        let repage = sent[1].body["content"].as_str().unwrap();
        assert!(
            repage.contains("still not acknowledged after 6m: re-page 1 of"),
            "{repage}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_handoff_missed_while_down_is_done_once_late() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        app.service.run_oncall(app.now).await.unwrap();
        d.deliver_due(app.now).await.unwrap();
        // Down for two and a half shifts: only the latest handoff counts.
        app.advance(Duration::minutes(150));
        app.service.run_oncall(app.now).await.unwrap();
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            calls(&fake),
            [
                format!("+{A}"),
                format!("notice {A}"),
                format!("+{C}"),
                format!("-{A}"),
                format!("notice {C}")
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn an_override_takes_the_role_at_once_and_gives_it_back_when_it_ends() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        app.service.run_oncall(app.now).await.unwrap();
        d.deliver_due(app.now).await.unwrap();

        let refused = app
            .refused(
                &app.agent(2),
                &format!("/oncall override level:1 user:{C} until:2h"),
            )
            .await;
        assert!(refused.contains("Only agents of level 1"), "{refused}");
        let refused = app
            .refused(
                &app.agent(2),
                &format!("/oncall override level:2 user:{C} until:2h"),
            )
            .await;
        assert!(refused.contains("no on-call rotation"), "{refused}");
        let refused = app
            .refused(
                &app.agent(1),
                &format!("/oncall override level:1 user:{C} until:yesterday"),
            )
            .await;
        assert!(refused.contains("is not a time to come"), "{refused}");
        // A duration past the end of time was a panic: now the same refusal.
        for far in ["1000000y", "\"9999999999999d\"", "32d"] {
            let refused = app
                .refused(
                    &app.agent(1),
                    &format!("/oncall override level:1 user:{C} until:{far}"),
                )
                .await;
            assert!(refused.contains("at most 31 days"), "{far}: {refused}");
        }

        app.ok(
            &app.agent(1),
            &format!("/oncall override level:1 user:{C} until:90m"),
        )
        .await;
        d.deliver_due(app.now).await.unwrap();
        // The boundary inside the override moves nothing.
        app.advance(Duration::hours(1));
        assert!(app.service.run_oncall(app.now).await.unwrap().is_empty());
        let who = app.ok(&app.requester(), "/oncall who").await;
        let text = tierdesk::render::Text::new(&app.service.config, tierdesk::i18n::Lang::En)
            .reply(&who.reply);
        assert!(
            text.starts_with(&format!("Level 1 (Service desk): <@{C}> until")),
            "{text}"
        );
        assert!(
            text.contains(&format!("next: <@{B}> until")),
            "the rotation resumes with B: {text}"
        );

        app.advance(Duration::minutes(30));
        app.service.run_oncall(app.now).await.unwrap();
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(
            calls(&fake),
            [
                format!("+{A}"),
                format!("notice {A}"),
                format!("+{C}"),
                format!("-{A}"),
                format!("notice {C}"),
                format!("+{B}"),
                format!("-{C}"),
                format!("notice {B}"),
            ]
        );
        let notices: Vec<String> = fake
            .messages_in("1100000000000000121")
            .iter()
            .map(|m| m["content"].as_str().unwrap().to_owned())
            .collect();
        assert!(notices[1].contains("put there by <@6001>"), "{notices:#?}");
        assert!(
            notices[2].starts_with("The override is over"),
            "{notices:#?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_refused_role_change_is_told_to_the_admins_once_and_retried() {
    each_backend(|| async {
        let (mut app, fake, d) = setup().await;
        fake.edit_server(|s| s.roles_forbidden = true);
        app.service.run_oncall(app.now).await.unwrap();
        for _ in 0..5 {
            d.deliver_due(app.now).await.unwrap();
            app.advance(Duration::minutes(5));
        }
        let told: Vec<String> = fake
            .messages_in(SUMMARY)
            .iter()
            .map(|m| m["content"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(told.len(), 1, "{told:#?}");
        assert!(told[0].contains("Manage Roles"));
        // Written for people: the admins' mention first, no console head, no channel id.
        assert!(
            told[0].starts_with("<@&1100000000000000003> tierdesk may not hand out the page role"),
            "{}",
            told[0]
        );
        assert!(
            !told[0].contains('[') && !told[0].contains(SUMMARY),
            "{}",
            told[0]
        );
        assert!(fake.of("add_role").len() >= 3, "retried");
        fake.edit_server(|s| s.roles_forbidden = false);
        app.advance(Duration::minutes(5));
        d.deliver_due(app.now).await.unwrap();
        assert_eq!(fake.roles_of(A), [PAGE_L1]);
        assert_eq!(app.service.outbox_counts().await.unwrap(), (0, 0));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_puts_the_roles_right_and_a_kill_across_a_handoff_notices_once() {
    each_backend(|| async {
        let dir = tempfile::tempdir().unwrap();
        let (fake, base) = FakeDiscord::start().await;
        // B is on call now (the second hourly shift since an hour ago); A and C hold the role
        // by mistake, B does not.
        fake.edit_server(|s| {
            s.members.insert(A.into(), vec![PAGE_L1.into()]);
            s.members
                .insert(C.into(), vec![PAGE_L1.into(), "42".into()]);
        });
        let madrid = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Madrid);
        let start = (madrid - Duration::minutes(61)).format("%Y-%m-%d %H:%M");
        let rotation = HOURLY.replace("2026-11-02 10:00", &start.to_string());
        let config = |base: &str| {
            format!(
                "{}\n{rotation}",
                EXAMPLE.replace(
                    "# proxy_url = \"http://127.0.0.1:3000\"",
                    &format!("proxy_url = \"{base}\"")
                )
            )
        };
        let mut running = bot::start_bot_with(dir.path(), &config(&base));
        bot::connected(&fake).await;
        fake.wait_for(15, "the handoff notice", |r| {
            r.iter()
                .find(|r| {
                    r.route == "create_message" && r.body["allowed_mentions"]["users"] == json!([B])
                })
                .map(|_| ())
        })
        .await;
        running.kill().unwrap();
        running.wait().unwrap();
        let mut running = bot::start_bot_with(dir.path(), &config(&base));
        fake.wait_for(60, "the bot to come back", |r| {
            (r.iter().filter(|r| r.route == "set_commands").count() == 2).then_some(())
        })
        .await;
        fake.wait_for(15, "the roles put right", |_| {
            (fake.roles_of(B) == [PAGE_L1]
                && fake.roles_of(A).is_empty()
                && fake.roles_of(C) == ["42"])
            .then_some(())
        })
        .await;
        // A page names who is on call and pings them with the role: a member may mute role
        // mentions for the server (SPEC §4). Nobody else.
        fake.dispatch(
            "INTERACTION_CREATE",
            bot::slash(
                9951,
                "open",
                bot::texts(&[("title", "printer")]),
                "5000",
                &[],
            ),
        );
        let page = fake
            .wait_for(15, "the page", |r| {
                r.iter()
                    .find(|r| {
                        r.route == "create_message"
                            && r.body["embeds"].as_array().is_some_and(|e| !e.is_empty())
                    })
                    .map(|r| r.body.clone())
            })
            .await;
        assert!(
            page["content"]
                .as_str()
                .unwrap()
                .contains(&format!("(on call: <@{B}>)")),
            "{page}"
        );
        assert_eq!(
            page["allowed_mentions"],
            json!({ "parse": [], "roles": [PAGE_L1], "users": [B] })
        );
        assert!(bot::sigterm(&mut running).success());
        let notices = fake
            .of("create_message")
            .iter()
            .filter(|r| r.body["embeds"].as_array().is_none_or(|e| e.is_empty()))
            .filter(|r| r.body["allowed_mentions"]["users"] == json!([B]))
            .map(|r| r.body["nonce"].to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        assert_eq!(notices, 1, "one notice across the kill");
        let in_channel = fake
            .messages_in("1100000000000000121")
            .iter()
            .filter(|m| m["content"].as_str().unwrap().contains("is now on call"))
            .count();
        assert_eq!(in_channel, 1);
        bot::assert_no_panic(dir.path());
    })
    .await;
}
