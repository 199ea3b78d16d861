//! The slash commands as registered in Discord: the set of SPEC §3, within Discord's limits,
//! described in English and Spanish.

#[path = "support/openapi.rs"]
mod openapi;

use serde_json::Value;
use tierdesk::discord::commands::registration;

fn commands() -> Vec<Value> {
    registration()
        .iter()
        .map(|c| serde_json::to_value(c).unwrap())
        .collect()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|o| o["name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_command_set_of_the_spec() {
    let all = commands();
    let top: Vec<_> = all.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(top, ["ticket", "kb", "oncall", "queue", "summary", "stats"]);
    let ticket = &all[0];
    assert_eq!(
        names(&ticket["options"]),
        [
            "open", "note", "ack", "assign", "escalate", "return", "priority", "close", "reopen",
            "show", "wait"
        ]
    );
    assert_eq!(
        names(&all[1]["options"]),
        ["write", "edit", "search", "show"]
    );
    assert_eq!(names(&all[2]["options"]), ["who", "override"]);
    assert_eq!(
        names(&all[2]["options"][1]["options"]),
        ["level", "user", "until"]
    );
    let open = &ticket["options"][0];
    assert_eq!(open["type"], 1, "a subcommand");
    assert_eq!(
        names(&open["options"]),
        ["title", "details", "priority", "level"]
    );
    let title = &open["options"][0];
    // Left out, the title is asked for in a modal, so Discord must not require it.
    assert_eq!(title["type"], 3);
    assert_eq!(title["required"], false);
    assert_eq!(title["max_length"], 100);
    assert_eq!(
        ticket["options"][2]["options"][0]["required"], true,
        "options no modal can fill stay required"
    );
    let priority = &open["options"][2];
    assert_eq!(
        names(&priority["choices"]),
        ["critical", "high", "normal", "low"]
    );
    let ack_ticket = &ticket["options"][2]["options"][0];
    assert_eq!(
        (
            ack_ticket["type"].as_u64(),
            ack_ticket["autocomplete"].as_bool()
        ),
        (Some(4), Some(true))
    );
    let assign_user = &ticket["options"][3]["options"][1];
    assert_eq!(assign_user["type"], 6, "a user option");
    assert_eq!(
        all[0]["description_localizations"]["es-ES"],
        "Tickets de soporte"
    );
}

/// Walks every command and option, checking Discord's limits and both languages.
fn check(v: &Value, path: &str, problems: &mut Vec<String>) {
    let name = v["name"].as_str().unwrap_or_default();
    if name.is_empty() || name.len() > 32 || name != name.to_lowercase() || name.contains(' ') {
        problems.push(format!("{path}: bad name `{name}`"));
    }
    let desc = v["description"].as_str().unwrap_or_default();
    if desc.is_empty()
        || desc.chars().count() > 100
        || desc.starts_with("cmd-")
        || desc.starts_with("opt-")
    {
        problems.push(format!("{path}/{name}: description `{desc}`"));
    }
    for locale in ["es-ES", "es-419"] {
        let es = v["description_localizations"][locale]
            .as_str()
            .unwrap_or_default();
        if es.is_empty() || es.chars().count() > 100 || es == desc {
            problems.push(format!("{path}/{name}: {locale} description `{es}`"));
        }
    }
    if let Some(choices) = v["choices"].as_array() {
        if choices.len() > 25 {
            problems.push(format!("{path}/{name}: {} choices", choices.len()));
        }
    }
    if let Some(options) = v["options"].as_array() {
        if options.len() > 25 {
            problems.push(format!("{path}/{name}: {} options", options.len()));
        }
        // Discord wants required options before optional ones.
        let first_optional = options.iter().position(|o| o["required"] != true);
        if let Some(i) = first_optional {
            if options[i..].iter().any(|o| o["required"] == true) {
                problems.push(format!(
                    "{path}/{name}: a required option after an optional one"
                ));
            }
        }
        for o in options {
            check(o, &format!("{path}/{name}"), problems);
        }
    }
}

#[test]
fn every_command_fits_discord_limits_in_both_languages() {
    let mut problems = Vec::new();
    for c in commands() {
        check(&c, "", &mut problems);
    }
    assert!(problems.is_empty(), "{problems:#?}");
    let schema: Vec<String> = commands()
        .iter()
        .flat_map(|c| openapi::problems("ApplicationCommandUpdateRequest", c))
        .collect();
    assert!(schema.is_empty(), "{schema:#?}");
    let body = serde_json::to_string(&commands()).unwrap();
    assert!(
        body.len() < 64 * 1024,
        "the bulk overwrite stays small: {} bytes",
        body.len()
    );
}
