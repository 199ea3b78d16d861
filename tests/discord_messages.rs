//! Pages as Discord receives them: exactly the paged role may ping, whatever the ticket
//! says; buttons carry their action; the nonce makes delivery exactly once; limits hold.

mod common;
#[path = "support/openapi.rs"]
mod openapi;

use chrono::{TimeZone, Utc};
use common::*;
use serde_json::{json, Value};
use tierdesk::discord::buttons::ButtonAction;
use tierdesk::discord::messages::{page, PageView};
use tierdesk::domain::effects::{Arrival, TicketCard};
use tierdesk::domain::{GuildId, Level, Priority, RoleId, Status, TicketNumber, UserId};
use tierdesk::i18n::Lang;
use tierdesk::render::Text;

fn card(title: &str) -> TicketCard {
    TicketCard {
        number: TicketNumber(42),
        title: title.to_owned(),
        priority: Priority::High,
        level: Level::TECHNICAL,
        status: Status::Open,
        requester: UserId(5000),
        assignee: None,
        resolve_due_at: None,
    }
}

fn render(card: &TicketCard, arrival: &Arrival, thread: Option<u64>, lang: Lang) -> Value {
    let config = config("sqlite://unused.db");
    let view = PageView {
        nonce: 17,
        guild: GuildId(1100000000000000002),
        role: RoleId(1100000000000000112),
        level: Level::TECHNICAL,
        card,
        arrival,
        ack_due_at: Some(Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap()),
        thread,
        on_call: None,
        ping: true,
    };
    serde_json::to_value(page(&Text::new(&config, lang), &view)).unwrap()
}

#[test]
fn a_page_pings_only_its_role_whatever_the_ticket_says() {
    let hostile = "@everyone @here <@&1100000000000000003> <@5000> ping all";
    let arrival = Arrival::Escalated {
        from: Level::SERVICE_DESK,
        reason: "@everyone look".into(),
        attempts: "<@&1100000000000000111> rebooted".into(),
        automatic: false,
    };
    let body = render(
        &card(hostile),
        &arrival,
        Some(1299000000000000999),
        Lang::En,
    );
    assert_eq!(
        body["allowed_mentions"],
        json!({ "parse": [], "users": [], "roles": ["1100000000000000112"] })
    );
    assert_eq!(
        body["content"], "<@&1100000000000000112> ticket #42 for Technical support",
        "no user text in the content"
    );
    assert_eq!(
        openapi::problems("MessageCreateRequest", &body),
        Vec::<String>::new()
    );
    assert_eq!(body["nonce"], "17");
    assert_eq!(body["enforce_nonce"], true);
    let embed = &body["embeds"][0];
    assert!(embed["title"]
        .as_str()
        .unwrap()
        .starts_with("#42 @everyone"));
    assert!(embed["description"]
        .as_str()
        .unwrap()
        .contains("reason: @everyone look"));
    let due = embed["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Acknowledge")
        .unwrap();
    assert_eq!(due["value"], "<t:1793611800:R>");

    let buttons = body["components"][0]["components"].as_array().unwrap();
    let ids: Vec<_> = buttons
        .iter()
        .filter_map(|b| b["custom_id"].as_str())
        .collect();
    assert_eq!(ids, ["td:ack:42", "td:assign:42"]);
    assert_eq!(
        ButtonAction::parse(ids[0]),
        Some(ButtonAction::Ack(TicketNumber(42)))
    );
    assert_eq!(
        buttons[2]["url"],
        "https://discord.com/channels/1100000000000000002/1299000000000000999"
    );
}

#[test]
fn limits_hold_for_the_longest_ticket_and_the_language_follows_the_config() {
    let long = "Ñ".repeat(100);
    let arrival = Arrival::Escalated {
        from: Level::SERVICE_DESK,
        reason: "r".repeat(200),
        attempts: "a".repeat(4000),
        automatic: true,
    };
    let body = render(&card(&long), &arrival, None, Lang::Es);
    let embed = &body["embeds"][0];
    assert!(embed["title"].as_str().unwrap().chars().count() <= 256);
    let description = embed["description"].as_str().unwrap();
    assert!(description.chars().count() <= 4096);
    assert!(description.ends_with('…'), "what was cut is marked");
    assert!(description.starts_with("escalado desde el nivel 1 (nadie lo reconoció a tiempo)"));
    let total: usize = [&embed["title"], &embed["description"]]
        .iter()
        .map(|v| v.as_str().unwrap_or_default().chars().count())
        .sum::<usize>()
        + embed["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                f["name"].as_str().unwrap().chars().count()
                    + f["value"].as_str().unwrap().chars().count()
            })
            .sum::<usize>();
    assert!(total <= 6000, "embed total {total}");
    assert_eq!(
        body["components"][0]["components"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "no thread yet, no link"
    );
    assert!(body["content"]
        .as_str()
        .unwrap()
        .contains("para Technical support"));
}

#[test]
fn the_schema_check_catches_a_wrong_body() {
    let wrong = json!({ "content": 5, "allowed_mentions": { "parse": ["bogus"] }, "nonce": 17.5 });
    let problems = openapi::problems("MessageCreateRequest", &wrong);
    assert!(problems.len() >= 2, "{problems:#?}");
}
