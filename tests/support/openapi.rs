//! Checks request bodies against Discord's OpenAPI schemas (the subset in tests/fixtures).
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::{json, Value};

const SUBSET: &str = include_str!("../fixtures/discord-openapi-subset.json");

fn validators() -> &'static Mutex<HashMap<String, &'static jsonschema::Validator>> {
    static CACHE: OnceLock<Mutex<HashMap<String, &'static jsonschema::Validator>>> =
        OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The problems of `body` against schema `name`; empty when it conforms.
pub fn problems(name: &str, body: &Value) -> Vec<String> {
    let validator = {
        let mut cache = validators().lock().unwrap();
        *cache.entry(name.to_owned()).or_insert_with(|| {
            let doc: Value = serde_json::from_str(SUBSET).unwrap();
            let schema = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": format!("#/components/schemas/{name}"),
                "components": doc["components"],
            });
            Box::leak(Box::new(
                jsonschema::validator_for(&schema).expect("the OpenAPI subset compiles"),
            ))
        })
    };
    validator
        .iter_errors(body)
        .map(|e| format!("{name} at {}: {e}", e.instance_path()))
        .collect()
}

/// The schema a recorded route's body must match.
pub fn schema_for(route: &str, body: &Value) -> Option<&'static str> {
    Some(match route {
        "create_message" => "MessageCreateRequest",
        "edit_message" => "MessageEditRequestPartial",
        "create_thread" => "CreateTextThreadWithMessageRequest",
        "set_commands" => "ApplicationCommandUpdateRequest",
        "callback" => match body["type"].as_u64() {
            Some(4) => "CreateMessageInteractionCallbackRequest",
            Some(8) => "ApplicationCommandAutocompleteCallbackRequest",
            Some(9) => "ModalInteractionCallbackRequest",
            _ => return None,
        },
        _ => return None,
    })
}

/// The one place the OpenAPI schema is stricter than Discord: it types an attachment's `id`
/// as a snowflake string, while Discord's own "Uploading Files" example (and serenity) send
/// the index of the `files[n]` part as a number. Such an id is checked as its string.
fn as_discord_reads_it(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(attachments) = body.get_mut("attachments").and_then(Value::as_array_mut) {
        for a in attachments {
            if let Some(n) = a["id"].as_u64() {
                a["id"] = json!(n.to_string());
            }
        }
    }
    body
}

/// Checks every body sent to a route: each item of an array body (the command list).
pub fn check(route: &str, body: &Value) -> Vec<String> {
    let Some(name) = schema_for(route, body) else {
        return Vec::new();
    };
    let body = &as_discord_reads_it(body);
    match body.as_array() {
        Some(items) if route == "set_commands" => {
            items.iter().flat_map(|i| problems(name, i)).collect()
        }
        _ => problems(name, body),
    }
}
