//! `POST /interactions` (SPEC §14): Discord's interactions as HTTP requests, when
//! `[discord] interactions = "http"`. Each request is checked against the application's
//! public key (Ed25519 over the timestamp header followed by the body) and refused with 401
//! when the signature is missing or wrong or the timestamp is more than five minutes away;
//! a PING gets a PONG; anything else goes to the Discord front end's handler (the same one
//! the gateway feeds) and its first answer is the response body.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ed25519_dalek::{Signature, VerifyingKey};
use futures_util::future::BoxFuture;
use serde_json::{json, Value};

use super::{problem, AppState};

/// How far a request's timestamp may be from now, in seconds.
pub const MAX_AGE_SECS: i64 = 300;

/// Why an interaction got no answer body: the status and the reason for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnswered {
    pub status: StatusCode,
    pub reason: String,
}

/// Takes an interaction's JSON and returns the JSON of its first answer.
pub type InteractionSink =
    Arc<dyn Fn(Value) -> BoxFuture<'static, Result<Value, NotAnswered>> + Send + Sync>;

pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(key) = state.public_key else {
        return problem(
            StatusCode::NOT_FOUND,
            "interactions arrive over the gateway here: set [discord] interactions = \"http\" \
             and public_key to receive them over HTTP",
        );
    };
    let now = chrono::Utc::now().timestamp();
    if let Err(reason) = verify(&key, &headers, &body, now) {
        tracing::warn!(reason, "interaction request refused");
        return problem(StatusCode::UNAUTHORIZED, reason);
    }
    let Ok(interaction) = serde_json::from_slice::<Value>(&body) else {
        return problem(StatusCode::BAD_REQUEST, "the body is not JSON");
    };
    if interaction["type"] == 1 {
        return Json(json!({ "type": 1 })).into_response();
    }
    let Some(sink) = &state.interactions else {
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "the bot is starting: try again in a moment",
        );
    };
    match sink(interaction).await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => problem(e.status, e.reason),
    }
}

/// Checks Discord's signature headers on `body` at unix time `now`.
pub fn verify(
    key: &VerifyingKey,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<(), &'static str> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signature =
        header("x-signature-ed25519").ok_or("the X-Signature-Ed25519 header is missing")?;
    let timestamp =
        header("x-signature-timestamp").ok_or("the X-Signature-Timestamp header is missing")?;
    let bytes: [u8; 64] = hex::decode(signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or("the signature is not 64 hexadecimal bytes")?;
    let sent: i64 = timestamp
        .parse()
        .map_err(|_| "the timestamp is not unix seconds")?;
    if (now - sent).abs() > MAX_AGE_SECS {
        return Err("the timestamp is more than five minutes away: a replay is refused");
    }
    let mut signed = Vec::with_capacity(timestamp.len() + body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.extend_from_slice(body);
    key.verify_strict(&signed, &Signature::from_bytes(&bytes))
        .map_err(|_| "the signature does not match the application's public key")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn signed(key: &SigningKey, timestamp: &str, body: &str) -> HeaderMap {
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(body.as_bytes());
        let signature = hex::encode(key.sign(&message).to_bytes());
        let mut headers = HeaderMap::new();
        headers.insert("X-Signature-Ed25519", signature.parse().unwrap());
        headers.insert("X-Signature-Timestamp", timestamp.parse().unwrap());
        headers
    }

    #[test]
    fn only_a_fresh_request_signed_with_the_key_passes() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let public = key.verifying_key();
        let body = r#"{"type":1}"#;
        let now = 1_800_000_000;
        let ok = signed(&key, "1800000000", body);
        assert_eq!(verify(&public, &ok, body.as_bytes(), now), Ok(()));
        assert_eq!(verify(&public, &ok, body.as_bytes(), now + 300), Ok(()));
        // The body changed after signing, or another key signed it.
        assert!(verify(&public, &ok, br#"{"type":2}"#, now).is_err());
        let other = signed(&SigningKey::from_bytes(&[8; 32]), "1800000000", body);
        assert!(verify(&public, &other, body.as_bytes(), now).is_err());
        // Older (or newer) than five minutes: refused though signed right.
        let old = verify(&public, &ok, body.as_bytes(), now + 301).unwrap_err();
        assert!(old.contains("five minutes"), "{old}");
        assert!(verify(&public, &ok, body.as_bytes(), now - 301).is_err());
        // Missing or malformed headers.
        assert!(verify(&public, &HeaderMap::new(), body.as_bytes(), now)
            .unwrap_err()
            .contains("missing"));
        let mut short = ok.clone();
        short.insert("X-Signature-Ed25519", "abcd".parse().unwrap());
        assert!(verify(&public, &short, body.as_bytes(), now).is_err());
    }
}
