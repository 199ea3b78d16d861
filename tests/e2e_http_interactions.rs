//! End to end in HTTP-interactions mode (`[discord] interactions = "http"`): the real bot
//! opens no gateway connection, takes signed `POST /interactions`, answers PING with PONG,
//! refuses a bad or missing signature and a stale timestamp with 401, and answers a command
//! in the response body, its page posted through the REST API.

#[path = "support/fake_discord.rs"]
mod fake_discord;
#[path = "support/openapi.rs"]
mod openapi;

#[path = "support/bot.rs"]
mod bot;
#[path = "support/signed.rs"]
mod signed;

use std::time::Duration;

use bot::*;
use ed25519_dalek::SigningKey;
use fake_discord::FakeDiscord;
use serde_json::json;
use signed::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_interactions_are_answered_in_the_body_and_forgeries_get_401() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, base) = FakeDiscord::start().await;
    let port = free_port();
    let mut bot = start_bot_with(dir.path(), &http_mode_config(EXAMPLE, &base, port));
    let listener = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let ping = json!({ "id": "1", "application_id": "1100000000000000001", "type": 1,
                       "token": "t", "version": 1 });
    let mut pong = None;
    for _ in 0..300 {
        if let Ok(answer) = post_now(&client, &listener, &ping).await {
            pong = Some(answer);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(pong, Some((200, json!({ "type": 1 }))), "PING gets PONG");
    // The commands are registered over REST; no gateway session is ever opened.
    connected(&fake).await;

    // Forgeries and replays.
    let now = chrono::Utc::now().timestamp();
    let forger = SigningKey::from_bytes(&[9; 32]);
    let (status, body) = post_signed(&client, &listener, &forger, now, &ping)
        .await
        .unwrap();
    assert_eq!(status, 401, "{body}");
    let stale = post_signed(&client, &listener, &app_key(), now - 301, &ping)
        .await
        .unwrap();
    assert_eq!(stale.0, 401, "{}", stale.1);
    assert!(stale.1["error"].as_str().unwrap().contains("five minutes"));
    let unsigned = client
        .post(format!("{listener}/interactions"))
        .body(ping.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);

    // A command: the answer is the response body, pinging nobody; the page goes out by REST.
    let open = slash(
        77_001,
        "open",
        texts(&[("title", "printer on fire <@5000> @everyone")]),
        "5000",
        &[],
    );
    let (status, answer) = post_now(&client, &listener, &open).await.unwrap();
    assert_eq!(status, 200, "{answer}");
    assert!(matches!(answer["type"].as_u64(), Some(4 | 5)), "{answer}");
    if answer["type"] == 4 {
        assert_eq!(
            answer["data"]["allowed_mentions"]["parse"],
            json!([]),
            "{answer}"
        );
    }
    fake.wait_for(30, "the page", |_| {
        (pages_in(&fake, QUEUE_L1) == 1).then_some(())
    })
    .await;
    assert!(
        fake.of("callback").is_empty(),
        "no REST callback: the body was the answer"
    );
    assert!(
        fake.of("identify").is_empty(),
        "no gateway session in HTTP mode"
    );
    // A body that is no interaction, signed: 400 with the reason, nothing stored.
    let (status, body) = post_now(&client, &listener, &json!({ "type": 2 }))
        .await
        .unwrap();
    assert_eq!(status, 400, "{body}");

    stop_cleanly(&mut bot, dir.path());
    assert_no_panic(dir.path());
}

#[test]
fn http_mode_without_a_public_key_or_a_listener_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = EXAMPLE.replace("# interactions = \"gateway\"", "interactions = \"http\"");
    std::fs::write(dir.path().join("bot.toml"), &config).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tierdesk"))
        .arg("run")
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", "fake-token")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("discord.public_key is missing"), "{stderr}");
    assert!(stderr.contains("add [http] listen"), "{stderr}");
}
