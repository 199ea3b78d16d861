//! Discord's REST API for the delivery worker: serenity's routes and request builders, sent
//! by a client of our own so every answer's rate-limit headers are read. serenity drops them
//! from its errors (and with a `proxy_url` its rate limiter is off), so without this a 429's
//! `retry_after` was ignored and the bot posted in that channel again a second later.
//!
//! Limits are kept per route bucket (serenity's: a route and its major id, such as one
//! channel's messages) and globally; a request whose bucket is still limited is held back
//! without being sent. Time is the caller's `now`, as everywhere in delivery.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serenity::all::{
    ChannelId, CreateAttachment, CreateMessage, CreateThread, EditMessage, GuildId, Http, Message,
    MessageId, RoleId, UserId,
};
use serenity::http::{LightMethod, Multipart, MultipartUpload, RatelimitingBucket, Request, Route};

/// Why a request did not go through.
#[derive(Debug)]
pub enum RestError {
    /// Discord answered with an error status.
    Status {
        status: u16,
        /// Discord's JSON error code (0 when it gave none).
        code: isize,
        message: String,
        /// For a 429: how long to wait, the longest of what Discord said.
        retry_after: Option<Duration>,
    },
    /// Not sent: Discord's limit on this route (or the global one) is still running.
    Held { wait: Duration },
    /// No answer read: the connection failed or the answer was cut (it may have landed).
    Transport(String),
    /// The request could not be built or its answer not read as expected.
    Invalid(String),
}

impl std::fmt::Display for RestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestError::Status {
                status,
                code,
                message,
                ..
            } => write!(f, "Discord answered {status} ({code}): {message}"),
            RestError::Held { wait } => {
                write!(f, "held back by Discord's rate limit for {wait:?}")
            }
            RestError::Transport(e) => write!(f, "no answer from Discord: {e}"),
            RestError::Invalid(e) => write!(f, "{e}"),
        }
    }
}

/// When each bucket, and everything, may be used again.
#[derive(Default)]
struct Limits {
    global: Option<DateTime<Utc>>,
    buckets: HashMap<RatelimitingBucket, DateTime<Utc>>,
}

/// The delivery worker's way to Discord.
#[derive(Clone)]
pub struct Rest {
    http: Arc<Http>,
    client: reqwest::Client,
    limits: Arc<Mutex<Limits>>,
}

impl Rest {
    /// Sends with `http`'s token, to its proxy when it has one.
    pub fn new(http: Arc<Http>) -> Rest {
        Rest {
            http,
            client: reqwest::Client::new(),
            limits: Arc::default(),
        }
    }

    fn limits(&self) -> std::sync::MutexGuard<'_, Limits> {
        self.limits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long `bucket` must still wait at `now`, if at all.
    fn held(&self, bucket: &RatelimitingBucket, now: DateTime<Utc>) -> Option<Duration> {
        let limits = self.limits();
        let until = [limits.global, limits.buckets.get(bucket).copied()]
            .into_iter()
            .flatten()
            .max()?;
        (until > now).then(|| (until - now).to_std().unwrap_or_default())
    }

    fn hold(&self, bucket: RatelimitingBucket, global: bool, until: DateTime<Utc>) {
        let mut limits = self.limits();
        if global {
            limits.global = limits.global.max(Some(until));
        } else {
            let held = limits.buckets.entry(bucket).or_insert(until);
            *held = (*held).max(until);
        }
    }

    /// Sends `request` unless its bucket is limited; learns the limits from the answer.
    pub async fn send(
        &self,
        request: Request<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>, RestError> {
        let bucket = request.route_ref().ratelimiting_bucket();
        if let Some(wait) = self.held(&bucket, now) {
            return Err(RestError::Held { wait });
        }
        let invalid = |e: &dyn std::fmt::Display| RestError::Invalid(e.to_string());
        let built = request
            .build(&self.client, self.http.token(), self.http.proxy.as_deref())
            .map_err(|e| invalid(&e))?
            .build()
            .map_err(|e| invalid(&e))?;
        let answer = (self.client.execute(built).await)
            .map_err(|e| RestError::Transport(e.without_url().to_string()))?;
        let status = answer.status().as_u16();
        let headers = answer.headers().clone();
        let body = (answer.bytes().await)
            .map_err(|e| RestError::Transport(e.without_url().to_string()))?;
        let limit = RateLimit::read(&headers, &body, status);
        if let Some(wait) = limit.wait {
            let until = now + chrono::TimeDelta::from_std(wait).unwrap_or(chrono::TimeDelta::MAX);
            self.hold(bucket, limit.global, until);
        }
        if (200..300).contains(&status) {
            return Ok(body.to_vec());
        }
        let (code, message) = error_of(&body);
        Err(RestError::Status {
            status,
            code,
            message,
            retry_after: (status == 429).then(|| limit.wait.unwrap_or(Duration::from_secs(1))),
        })
    }

    /// Sends `request` and reads its answer as `T`.
    pub async fn json<T: DeserializeOwned>(
        &self,
        request: Request<'_>,
        now: DateTime<Utc>,
    ) -> Result<T, RestError> {
        let body = self.send(request, now).await?;
        serde_json::from_slice(&body)
            .map_err(|e| RestError::Invalid(format!("Discord's answer could not be read: {e}")))
    }
}

/// The requests the delivery worker makes, each built as serenity builds it.
impl Rest {
    /// Posts a message (with its files, if any) in `channel`.
    pub async fn post_message(
        &self,
        channel: ChannelId,
        create: &CreateMessage,
        files: Vec<CreateAttachment>,
        now: DateTime<Utc>,
    ) -> Result<Message, RestError> {
        let json = body(create)?;
        let route = Route::ChannelMessages {
            channel_id: channel,
        };
        let request = Request::new(route, LightMethod::Post);
        let request = if files.is_empty() {
            request.body(Some(json))
        } else {
            request.multipart(Some(Multipart {
                upload: MultipartUpload::Attachments(files),
                fields: Vec::new(),
                payload_json: Some(String::from_utf8_lossy(&json).into_owned()),
            }))
        };
        self.json(request, now).await
    }

    /// Edits one of the bot's messages.
    pub async fn edit_message(
        &self,
        channel: ChannelId,
        message: MessageId,
        edit: &EditMessage,
        now: DateTime<Utc>,
    ) -> Result<(), RestError> {
        let route = Route::ChannelMessage {
            channel_id: channel,
            message_id: message,
        };
        let request = Request::new(route, LightMethod::Patch).body(Some(body(edit)?));
        self.send(request, now).await.map(drop)
    }

    /// Starts a thread on `message`; its id.
    pub async fn thread_from(
        &self,
        channel: ChannelId,
        message: MessageId,
        create: &CreateThread<'_>,
        now: DateTime<Utc>,
    ) -> Result<u64, RestError> {
        /// Of the channel Discord answers, only its id is needed.
        #[derive(serde::Deserialize)]
        struct Created {
            id: ChannelId,
        }
        let route = Route::ChannelMessageThreads {
            channel_id: channel,
            message_id: message,
        };
        let request = Request::new(route, LightMethod::Post).body(Some(body(create)?));
        let thread: Created = self.json(request, now).await?;
        Ok(thread.id.get())
    }

    /// Gives (`give`) or takes a member's role, with `reason` in the audit log.
    pub async fn member_role(
        &self,
        give: bool,
        guild: GuildId,
        user: UserId,
        role: RoleId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RestError> {
        let route = Route::GuildMemberRole {
            guild_id: guild,
            user_id: user,
            role_id: role,
        };
        let method = if give {
            LightMethod::Put
        } else {
            LightMethod::Delete
        };
        let mut headers = reqwest::header::HeaderMap::new();
        let encoded = utf8_percent_encode(reason, NON_ALPHANUMERIC).to_string();
        if let Ok(value) = reqwest::header::HeaderValue::from_str(&encoded) {
            headers.insert("X-Audit-Log-Reason", value);
        }
        let request = Request::new(route, method).headers(Some(headers));
        self.send(request, now).await.map(drop)
    }

    /// Up to 100 messages of `channel` after `after`.
    pub async fn messages_after(
        &self,
        channel: ChannelId,
        after: MessageId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Message>, RestError> {
        let params = vec![("after", after.to_string()), ("limit", "100".to_owned())];
        let route = Route::ChannelMessages {
            channel_id: channel,
        };
        let request = Request::new(route, LightMethod::Get).params(Some(params));
        self.json(request, now).await
    }
}

/// A builder as the JSON body Discord reads.
fn body(builder: &impl serde::Serialize) -> Result<Vec<u8>, RestError> {
    serde_json::to_vec(builder).map_err(|e| RestError::Invalid(format!("writing the request: {e}")))
}

/// What an answer says of the limits.
#[derive(Debug, Default, PartialEq)]
struct RateLimit {
    /// How long the route (or everything) must wait before the next request.
    wait: Option<Duration>,
    global: bool,
}

fn seconds(text: &str) -> Option<Duration> {
    let secs: f64 = text.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

impl RateLimit {
    /// A 429 waits the longest of the body's `retry_after`, `Retry-After` and
    /// `X-RateLimit-Reset-After`; any answer whose bucket has no request left waits for its
    /// reset.
    fn read(headers: &reqwest::header::HeaderMap, body: &[u8], status: u16) -> RateLimit {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let reset_after = header("x-ratelimit-reset-after").and_then(seconds);
        if status == 429 {
            let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
            let waits = [
                json["retry_after"]
                    .as_f64()
                    .and_then(|s| seconds(&s.to_string())),
                header("retry-after").and_then(seconds),
                reset_after,
            ];
            return RateLimit {
                wait: Some(
                    waits
                        .into_iter()
                        .flatten()
                        .max()
                        .unwrap_or(Duration::from_secs(1)),
                ),
                global: json["global"].as_bool() == Some(true)
                    || header("x-ratelimit-global") == Some("true")
                    || header("x-ratelimit-scope") == Some("global"),
            };
        }
        let exhausted = header("x-ratelimit-remaining").is_some_and(|r| r.trim() == "0");
        RateLimit {
            wait: reset_after.filter(|_| exhausted),
            global: false,
        }
    }
}

/// Discord's error code and message from an error body, if it has them.
fn error_of(body: &[u8]) -> (isize, String) {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let code = json["code"].as_i64().unwrap_or(0) as isize;
    let message = json["message"]
        .as_str()
        .map_or_else(|| String::from_utf8_lossy(body).into_owned(), str::to_owned);
    (code, crate::domain::text::clip(&message, 300))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn a_429_waits_the_longest_of_body_and_headers() {
        let body = br#"{"message":"You are being rate limited.","retry_after":8.0,"global":false}"#;
        let h = headers(&[("retry-after", "3"), ("x-ratelimit-reset-after", "5.5")]);
        let limit = RateLimit::read(&h, body, 429);
        assert_eq!(limit.wait, Some(Duration::from_secs(8)));
        assert!(!limit.global);
        let h = headers(&[("retry-after", "12"), ("x-ratelimit-global", "true")]);
        let limit = RateLimit::read(&h, br#"{"retry_after":1.5}"#, 429);
        assert_eq!(limit.wait, Some(Duration::from_secs(12)));
        assert!(limit.global);
        let unreadable = RateLimit::read(&HeaderMap::new(), b"<html>", 429);
        assert_eq!(
            unreadable.wait,
            Some(Duration::from_secs(1)),
            "never less than a second"
        );
    }

    #[test]
    fn an_exhausted_bucket_waits_for_its_reset() {
        let h = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset-after", "2.25"),
        ]);
        assert_eq!(
            RateLimit::read(&h, b"{}", 200).wait,
            Some(Duration::from_millis(2250))
        );
        let h = headers(&[
            ("x-ratelimit-remaining", "3"),
            ("x-ratelimit-reset-after", "2"),
        ]);
        assert_eq!(RateLimit::read(&h, b"{}", 200).wait, None);
    }

    #[test]
    fn error_bodies_give_code_and_message() {
        assert_eq!(
            error_of(br#"{"code":50013,"message":"Missing Permissions"}"#),
            (50013, "Missing Permissions".to_owned())
        );
        assert_eq!(error_of(b"bad gateway"), (0, "bad gateway".to_owned()));
    }
}
