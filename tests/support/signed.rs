//! Interactions sent as Discord sends them in HTTP mode: `POST /interactions` signed with the
//! application's Ed25519 key over the timestamp followed by the body.
#![allow(dead_code)]

use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;

/// The application's key in these tests (Discord keeps the private half; the bot gets the
/// public one as `public_key`).
pub fn app_key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

/// The public key as the Developer Portal shows it: 64 hexadecimal digits.
pub fn public_key_hex() -> String {
    hex::encode(app_key().verifying_key().to_bytes())
}

/// The example config in HTTP-interactions mode, its listener on `port`, Discord at `base`.
pub fn http_mode_config(example: &str, base: &str, port: u16) -> String {
    example
        .replace(
            "# proxy_url = \"http://127.0.0.1:3000\"",
            &format!("proxy_url = \"{base}\""),
        )
        .replace("# interactions = \"gateway\"", "interactions = \"http\"")
        .replace(
            "# public_key = \"64 hexadecimal digits\"",
            &format!("public_key = \"{}\"", public_key_hex()),
        )
        .replace(
            "# [http]\n# listen = \"127.0.0.1:8080\"",
            &format!("[http]\nlisten = \"127.0.0.1:{port}\""),
        )
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Posts `body` to `{base}/interactions` signed at unix time `timestamp` by `key`; returns
/// the status and the body, or the connection error.
pub async fn post_signed(
    client: &reqwest::Client,
    base: &str,
    key: &SigningKey,
    timestamp: i64,
    body: &Value,
) -> reqwest::Result<(u16, Value)> {
    let body = body.to_string();
    let timestamp = timestamp.to_string();
    let signature = key.sign(format!("{timestamp}{body}").as_bytes());
    let response = client
        .post(format!("{base}/interactions"))
        .header("Content-Type", "application/json")
        .header("X-Signature-Ed25519", hex::encode(signature.to_bytes()))
        .header("X-Signature-Timestamp", timestamp)
        .body(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// Posts `body` signed now by the application's key.
pub async fn post_now(
    client: &reqwest::Client,
    base: &str,
    body: &Value,
) -> reqwest::Result<(u16, Value)> {
    post_signed(
        client,
        base,
        &app_key(),
        chrono::Utc::now().timestamp(),
        body,
    )
    .await
}
