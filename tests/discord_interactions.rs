//! Real INTERACTION_CREATE payloads, deserialized by serenity, run through
//! parse → service → render, with assertions on the response body Discord would get.

mod common;
#[path = "support/openapi.rs"]
mod openapi;

use common::*;
use serde_json::{json, Value};
use serenity::all::Interaction;
use tierdesk::command::{self, RawValue};
use tierdesk::discord::{interaction, respond};
use tierdesk::i18n::Lang;
use tierdesk::service::Context;

const FIXTURE: &str = include_str!("fixtures/interaction_create_slash_subcommand.json");

fn command(envelope: Value) -> serenity::all::CommandInteraction {
    match serde_json::from_value::<Interaction>(envelope["d"].clone()).expect("serenity reads it") {
        Interaction::Command(c) => c,
        other => panic!("not a command: {other:?}"),
    }
}

/// The documentation payload, rewritten into a tierdesk command run by a member.
fn tierdesk_command(sub: &str, options: Value, roles: &[u64], locale: &str) -> Value {
    let mut envelope: Value = serde_json::from_str(FIXTURE).unwrap();
    let d = &mut envelope["d"];
    d["data"] = json!({
        "id": "1234560000000000201",
        "name": "ticket",
        "type": 1,
        "guild_id": "1100000000000000002",
        "options": [{ "name": sub, "type": 1, "options": options }]
    });
    d["guild_id"] = json!("1100000000000000002");
    d["locale"] = json!(locale);
    d["member"]["roles"] = json!(roles.iter().map(|r| r.to_string()).collect::<Vec<_>>());
    envelope
}

#[test]
fn the_documentation_payload_flattens_into_an_invocation() {
    let cmd = command(serde_json::from_str(FIXTURE).unwrap());
    let inv = interaction::invocation(&cmd);
    assert_eq!(inv.path, ["incident", "open"]);
    assert_eq!(
        inv.options,
        [
            (
                "title".to_owned(),
                RawValue::Text("Checkout API 5xx spike".into())
            ),
            ("severity".to_owned(), RawValue::Integer(2)),
            ("assignee".to_owned(), RawValue::User(1101000000000000042)),
        ]
    );
    let (user, roles) = interaction::member(&cmd);
    assert_eq!(user.0, 1034315047838687264);
    assert_eq!(roles.len(), 1);
}

async fn run(app: &TestApp, envelope: Value) -> Value {
    let cmd = command(envelope);
    let (user, roles) = interaction::member(&cmd);
    let lang = interaction::language(&cmd);
    let ctx = Context {
        guild: app.service.config.discord.guild_id,
        actor: app.service.actor(user, &roles),
        now: app.now,
    };
    let response = match command::parse(interaction::invocation(&cmd)) {
        Ok(c) => match app.service.execute(&ctx, c).await {
            Ok(outcome) => respond::success(&app.service.config, lang, &outcome),
            Err(e) => respond::refusal(lang, &e),
        },
        Err(e) => respond::refusal(lang, &e.into()),
    };
    let body = serde_json::to_value(&response).unwrap();
    assert_eq!(openapi::check("callback", &body), Vec::<String>::new());
    body
}

#[tokio::test]
async fn a_ticket_opened_from_discord_pings_nobody_and_answers_in_the_members_language() {
    each_backend(|| async {
        let app = spawn_app().await;
        let open = tierdesk_command(
            "open",
            json!([
                { "name": "title", "type": 3, "value": "VPN caída @everyone <@&1100000000000000111>" },
                { "name": "priority", "type": 3, "value": "high" }
            ]),
            &[],
            "es-ES",
        );
        let body = run(&app, open).await;
        assert_eq!(body["type"], 4, "CHANNEL_MESSAGE_WITH_SOURCE");
        let content = body["data"]["content"].as_str().unwrap();
        assert!(
            content.starts_with("Ticket abierto: #1 VPN caída @everyone"),
            "{content}"
        );
        assert_eq!(
            body["data"]["allowed_mentions"],
            json!({ "parse": [], "users": [], "roles": [] }),
            "user text pings nobody"
        );
        assert!(body["data"]["flags"].is_null() || body["data"]["flags"] == 0);

        // A member with no support role may not acknowledge: ephemeral, in Spanish, nothing done.
        let ack = tierdesk_command(
            "ack",
            json!([{ "name": "ticket", "type": 4, "value": 1 }]),
            &[],
            "es-ES",
        );
        let body = run(&app, ack).await;
        assert_eq!(body["data"]["flags"], 64, "ephemeral");
        let content = body["data"]["content"].as_str().unwrap();
        assert!(
            content.contains("solo los agentes del nivel 1 o superior pueden reconocerlo"),
            "{content}"
        );
        assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));

        // A level 1 agent in English acknowledges it.
        let ack = tierdesk_command(
            "ack",
            json!([{ "name": "ticket", "type": 4, "value": 1 }]),
            &[L1_ROLE.0],
            "en-US",
        );
        let body = run(&app, ack).await;
        let content = body["data"]["content"].as_str().unwrap();
        assert!(content.starts_with("Acknowledged: #1"), "{content}");
    })
    .await;
}

#[tokio::test]
async fn long_replies_stay_within_discords_limit() {
    each_backend(|| async {
        let app = spawn_app().await;
        for i in 0..500 {
            app.ok(
                &app.requester(),
                &format!("/ticket open title:\"{i:03} {}\"", "x".repeat(90)),
            )
            .await;
        }
        let queue = {
            let mut envelope = tierdesk_command("ack", json!([]), &[L1_ROLE.0], "en-US");
            envelope["d"]["data"] = json!({
                "id": "1234560000000000202", "name": "queue", "type": 1,
                "guild_id": "1100000000000000002", "options": []
            });
            envelope
        };
        let body = run(&app, queue).await;
        let content = body["data"]["content"].as_str().unwrap();
        assert!(
            content.chars().count() <= 2000,
            "{}",
            content.chars().count()
        );
        assert!(content.contains("more line(s)"), "says what was left out");
        assert_eq!(body["data"]["flags"], 64);
    })
    .await;
}

const BUTTON: &str = include_str!("fixtures/interaction_create_button.json");
const MODAL: &str = include_str!("fixtures/interaction_create_modal_submit_actionrow.json");

/// The documentation's button press, pressing one of ours as a member with `roles`.
fn press(custom_id: &str, user: u64, roles: &[u64]) -> serenity::all::ComponentInteraction {
    let mut envelope: Value = serde_json::from_str(BUTTON).unwrap();
    let d = &mut envelope["d"];
    d["data"]["custom_id"] = json!(custom_id);
    d["member"]["roles"] = json!(roles.iter().map(|r| r.to_string()).collect::<Vec<_>>());
    d["member"]["user"]["id"] = json!(user.to_string());
    match serde_json::from_value::<Interaction>(envelope["d"].clone()).unwrap() {
        Interaction::Component(c) => c,
        other => panic!("not a component: {other:?}"),
    }
}

#[tokio::test]
async fn buttons_act_once_and_only_for_whom_they_may() {
    each_backend(|| async {
        use tierdesk::discord::buttons::ButtonAction;
        let app = spawn_app().await;
        app.ok(&app.requester(), "/ticket open title:\"Disk full\"")
            .await;
        let guild = app.service.config.discord.guild_id;
        let run_press = |c: serenity::all::ComponentInteraction| {
            let app = &app;
            async move {
                let action = ButtonAction::parse(&c.data.custom_id).expect("our button");
                let (user, roles) = interaction::component_member(&c);
                let ctx = Context {
                    guild,
                    actor: app.service.actor(user, &roles),
                    now: app.now,
                };
                app.service.execute(&ctx, action.command()).await
            }
        };
        let nobody = run_press(press("td:ack:1", 9999, &[])).await.unwrap_err();
        assert!(nobody.user_message().contains("only agents of level 1"));
        run_press(press("td:ack:1", 6001, &[L1_ROLE.0]))
            .await
            .unwrap();
        let twice = run_press(press("td:ack:1", 6001, &[L1_ROLE.0]))
            .await
            .unwrap_err();
        assert!(
            twice.user_message().contains("already acknowledged"),
            "pressing twice acts once"
        );
        assert_eq!(app.events_of("acknowledged").await, 1);
        // Buttons of other bots, or forged ones, are not ours.
        assert!(ButtonAction::parse(&press("esc:INC-42", 1, &[]).data.custom_id).is_none());
    })
    .await;
}

#[tokio::test]
async fn an_escalation_entered_through_a_modal() {
    each_backend(|| async {
        use tierdesk::discord::modals;
        let app = spawn_app().await;
        app.ok(&app.requester(), "/ticket open title:\"Disk full\"")
            .await;
        // `/ticket escalate ticket:1` with no texts answers with the form.
        let slash = command(tierdesk_command(
            "escalate",
            json!([{ "name": "ticket", "type": 4, "value": 1 }]),
            &[L1_ROLE.0],
            "en-US",
        ));
        let inv = interaction::invocation(&slash);
        assert!(modals::needs_modal(&inv));
        let form = serde_json::to_value(modals::modal(&inv, Lang::En, None).unwrap()).unwrap();
        assert_eq!(form["custom_id"], "td:modal:escalate:1");
        let callback = serde_json::to_value(serenity::all::CreateInteractionResponse::Modal(
            modals::modal(&inv, Lang::En, None).unwrap(),
        ))
        .unwrap();
        assert_eq!(openapi::check("callback", &callback), Vec::<String>::new());
        let inputs: Vec<_> = form["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row["components"][0]["custom_id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(inputs, ["reason", "attempts", "impact", "error", "steps"]);
        for row in form["components"].as_array().unwrap() {
            assert!(
                row["components"][0]["label"]
                    .as_str()
                    .unwrap()
                    .chars()
                    .count()
                    <= 45
            );
        }

        // The member fills it in; the submission is the same escalation.
        let mut envelope: Value = serde_json::from_str(MODAL).unwrap();
        let d = &mut envelope["d"];
        d["data"] = json!({
            "custom_id": "td:modal:escalate:1",
            "components": [
                { "type": 1, "components": [{ "type": 4, "custom_id": "reason", "value": "disk full on db-2" }] },
                { "type": 1, "components": [{ "type": 4, "custom_id": "attempts", "value": "cleared /tmp" }] },
                { "type": 1, "components": [{ "type": 4, "custom_id": "impact", "value": "billing" }] },
                { "type": 1, "components": [{ "type": 4, "custom_id": "error", "value": "" }] }
            ]
        });
        d["member"]["roles"] = json!([L1_ROLE.0.to_string()]);
        let Interaction::Modal(submit) =
            serde_json::from_value::<Interaction>(envelope["d"].clone()).unwrap()
        else {
            panic!()
        };
        let inv = modals::submitted(&submit).expect("our modal").invocation;
        assert_eq!(inv.path, ["ticket", "escalate"]);
        let (user, roles) = interaction::modal_member(&submit);
        let ctx = Context {
            guild: app.service.config.discord.guild_id,
            actor: app.service.actor(user, &roles),
            now: app.now,
        };
        let outcome = app
            .service
            .execute(&ctx, command::parse(inv).unwrap())
            .await
            .unwrap();
        assert!(
            matches!(outcome.reply, tierdesk::service::Reply::Escalated(ref t) if t.level.get() == 2)
        );
    })
    .await;
}
