//! A fake Discord on 127.0.0.1 for tests: the REST routes tierdesk uses, recording every
//! request, deduplicating messages by nonce as Discord does, with faults injected per route.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::serve::ListenerExt;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::Notify;

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// When the fake received it.
    pub at: std::time::Instant,
    pub method: Method,
    pub route: &'static str,
    pub path: String,
    pub body: Value,
}

/// What to do instead of answering normally.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    Status(u16),
    /// 429 on the request's route, as Discord answers: `retry_after` in the body, and the
    /// `Retry-After` (whole seconds), `X-RateLimit-Reset-After` and scope headers.
    RateLimited {
        retry_after: f64,
    },
    /// 429 for every route: the global limit (`global: true`, `X-RateLimit-Global`).
    GlobalRateLimited {
        retry_after: f64,
    },
    /// Answers normally, but only after this many milliseconds.
    Delay(u64),
    /// Drops the connection in the middle of the answer.
    Drop,
    /// Does what was asked (creates the message), then drops the connection before the
    /// answer: the caller cannot know it landed.
    LandThenDrop,
    /// Never answers.
    Hang,
    /// 403 Missing Permissions (code 50013), as for a channel the bot may not post in.
    Forbidden,
    /// Answers normally: lets a queue of faults start after some successes.
    Pass,
    /// 404 Unknown Interaction (10062): what Discord answers a callback that came too late
    /// or for a token it no longer knows.
    UnknownInteraction,
}

#[derive(Default)]
struct Inner {
    base: String,
    /// Sends gateway frames to each connected bot (replicas each hold a session, and each
    /// receives every dispatch, as Discord does), once it identified.
    gateways: Vec<tokio::sync::mpsc::UnboundedSender<String>>,
    /// Interactions answered: Discord refuses a second answer with 40060.
    answered: std::collections::HashSet<String>,
    requests: Vec<Recorded>,
    faults: HashMap<&'static str, VecDeque<Fault>>,
    next_id: u64,
    /// (channel, nonce) → the message created for it, and when.
    by_nonce: HashMap<(String, String), (Value, std::time::Instant)>,
    /// How long a nonce is remembered (Discord: a few minutes).
    nonce_window: Option<std::time::Duration>,
    /// Faults applied to every request about one channel, for as long as they are set.
    channel_faults: HashMap<String, Fault>,
    /// Messages a thread was started from: Discord refuses a second thread on one.
    threads: std::collections::HashSet<String>,
    /// The server as the read-only routes `doctor` uses describe it.
    server: Server,
    /// The gateway refuses connections (an outage).
    gateway_down: bool,
    /// Messages that exist, by id.
    messages: HashMap<String, Value>,
    /// Files attached to created messages, in the order they came.
    uploads: Vec<Upload>,
}

/// A file attached to a message (a `files[n]` part of a multipart request).
#[derive(Debug, Clone)]
pub struct Upload {
    pub channel: String,
    pub message_id: String,
    pub filename: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// Discord's upload limit for a server without boosts, all files of a message together.
pub const UPLOAD_LIMIT: usize = 10 * 1024 * 1024;
/// Discord refuses more files than this on one message.
pub const MAX_FILES: usize = 10;

/// A file part before the message it belongs to exists.
struct FilePart {
    index: usize,
    filename: String,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

fn discord_error(status: StatusCode, code: u32, message: &str) -> Response {
    (status, Json(json!({ "message": message, "code": code }))).into_response()
}

/// A message body as Discord takes it: JSON, or multipart/form-data with the JSON in a
/// `payload_json` part and files in `files[n]` parts. Refuses what Discord refuses: bad
/// JSON, a file part without a file name, more than `MAX_FILES` files, more than
/// `UPLOAD_LIMIT` bytes, and `attachments` naming a file that was not sent.
async fn message_body(request: axum::extract::Request) -> Result<(Value, Vec<FilePart>), Response> {
    use axum::extract::FromRequest;
    let multipart = (request.headers().get(axum::http::header::CONTENT_TYPE))
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let Json(body) = Json::<Value>::from_request(request, &())
            .await
            .map_err(|_| {
                discord_error(
                    StatusCode::BAD_REQUEST,
                    50109,
                    "The request body contains invalid JSON.",
                )
            })?;
        return Ok((body, Vec::new()));
    }
    let mut form = axum::extract::Multipart::from_request(request, &())
        .await
        .map_err(|_| discord_error(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body"))?;
    let (mut body, mut files, mut total) = (None, Vec::new(), 0usize);
    let invalid = || discord_error(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body");
    while let Some(field) = form.next_field().await.map_err(|_| invalid())? {
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|_| invalid())?;
        if name == "payload_json" {
            body = Some(serde_json::from_slice::<Value>(&bytes).map_err(|_| {
                discord_error(
                    StatusCode::BAD_REQUEST,
                    50109,
                    "The request body contains invalid JSON.",
                )
            })?);
            continue;
        }
        let index = (name.strip_prefix("files["))
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|n| n.parse::<usize>().ok());
        let (Some(index), Some(filename)) = (index, filename) else {
            return Err(invalid());
        };
        total += bytes.len();
        files.push(FilePart {
            index,
            filename,
            content_type,
            bytes: bytes.to_vec(),
        });
    }
    if files.len() > MAX_FILES {
        return Err(invalid());
    }
    if total > UPLOAD_LIMIT {
        return Err(discord_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            40005,
            "Request entity too large",
        ));
    }
    let body = body.unwrap_or_else(|| json!({}));
    let named = body["attachments"].as_array().cloned().unwrap_or_default();
    for a in named {
        let id = a["id"]
            .as_u64()
            .or_else(|| a["id"].as_str().and_then(|s| s.parse().ok()));
        if !id.is_some_and(|id| files.iter().any(|f| f.index as u64 == id)) {
            return Err(invalid());
        }
    }
    Ok((body, files))
}

/// The Discord server the fake describes: the example config's guild, roles and channels,
/// with the bot holding a role that may do everything tierdesk needs. Tests break it.
#[derive(Debug, Clone)]
pub struct Server {
    /// Whether the bot is a member of the guild (otherwise 404 Unknown Guild).
    pub in_guild: bool,
    /// The application the token belongs to.
    pub application_id: String,
    /// The only token accepted by the read-only routes (`None`: any).
    pub valid_token: Option<String>,
    pub roles: Vec<Value>,
    pub channels: Vec<Value>,
    /// The roles of the bot's member.
    pub bot_roles: Vec<String>,
    /// Other members and their roles (the rotation's members of the example).
    pub members: std::collections::BTreeMap<String, Vec<String>>,
    /// Role changes are refused with 403 Missing Permissions (50013).
    pub roles_forbidden: bool,
}

pub const GUILD: &str = "1100000000000000002";
pub const BOT_ROLE: &str = "1100000000000000009";

/// A role as Discord describes it.
pub fn role(id: &str, name: &str, position: i64, permissions: u64, mentionable: bool) -> Value {
    json!({
        "id": id, "name": name, "color": 0, "hoist": false, "icon": null, "unicode_emoji": null,
        "colors": { "primary_color": 0, "secondary_color": null, "tertiary_color": null },
        "position": position, "permissions": permissions.to_string(), "managed": false,
        "mentionable": mentionable, "flags": 0
    })
}

/// A text channel with no overwrites.
pub fn text_channel(id: &str, name: &str) -> Value {
    json!({
        "id": id, "type": 0, "guild_id": GUILD, "position": 0, "permission_overwrites": [],
        "name": name, "topic": null, "nsfw": false, "last_message_id": null,
        "rate_limit_per_user": 0, "parent_id": null, "flags": 0
    })
}

impl Default for Server {
    fn default() -> Server {
        // View Channel, Send Messages, Read Message History for @everyone; the bot's role adds
        // Embed Links, Attach Files, threads and Manage Roles.
        let everyone = (1 << 10) | (1 << 11) | (1 << 16);
        let bot = everyone | (1 << 14) | (1 << 15) | (1 << 35) | (1 << 38) | (1 << 28);
        let mut roles = vec![
            role(GUILD, "@everyone", 0, everyone, false),
            role(BOT_ROLE, "tierdesk", 20, bot, false),
            role("1100000000000000003", "Admins", 15, 0, false),
        ];
        for level in 1..=4 {
            roles.push(role(
                &format!("110000000000000010{level}"),
                &format!("Level {level}"),
                level,
                0,
                // Level 4 pages its own role (the example gives it no page role).
                level == 4,
            ));
        }
        for level in 1..=3 {
            roles.push(role(
                &format!("110000000000000011{level}"),
                &format!("On call L{level}"),
                5 + level,
                0,
                true,
            ));
        }
        let mut channels: Vec<Value> = (1..=4)
            .map(|l| text_channel(&format!("110000000000000012{l}"), &format!("l{l}-queue")))
            .collect();
        channels.push(text_channel("1100000000000000010", "summary"));
        Server {
            in_guild: true,
            application_id: "1100000000000000001".into(),
            valid_token: None,
            roles,
            channels,
            bot_roles: vec![BOT_ROLE.into()],
            members: (501..=503)
                .map(|n| (format!("1100000000000000{n}"), Vec::new()))
                .collect(),
            roles_forbidden: false,
        }
    }
}

#[derive(Clone, Default)]
pub struct FakeDiscord {
    inner: Arc<Mutex<Inner>>,
    pub changed: Arc<Notify>,
}

impl FakeDiscord {
    /// Starts the fake; returns it and its base address (`http://127.0.0.1:PORT`).
    pub async fn start() -> (FakeDiscord, String) {
        let fake = FakeDiscord::default();
        let app = Router::new()
            .route("/api/v10/gateway", get(gateway_url))
            .route("/api/v10/gateway/bot", get(gateway_url))
            .route("/gateway", get(gateway))
            .route(
                "/api/v10/applications/{app}/guilds/{guild}/commands",
                put(set_commands),
            )
            .route(
                "/api/v10/interactions/{id}/{token}/callback",
                post(interaction_callback),
            )
            .route(
                "/api/v10/channels/{channel}/messages",
                post(create_message).get(list_messages),
            )
            .route(
                "/api/v10/webhooks/{app}/{token}/messages/@original",
                patch(edit_original).delete(delete_original),
            )
            .route("/api/v10/webhooks/{app}/{token}", post(followup))
            .route("/api/v10/oauth2/applications/@me", get(application))
            .route("/api/v10/users/@me", get(current_user))
            .route("/api/v10/guilds/{guild}", get(guild))
            .route("/api/v10/guilds/{guild}/channels", get(guild_channels))
            .route("/api/v10/guilds/{guild}/members/{user}", get(guild_member))
            .route(
                "/api/v10/guilds/{guild}/members/{user}/roles/{role}",
                put(add_role).delete(remove_role),
            )
            .route(
                "/api/v10/channels/{channel}/messages/{message}",
                patch(edit_message),
            )
            .route(
                "/api/v10/channels/{channel}/messages/{message}/threads",
                post(create_thread),
            )
            .fallback(unknown)
            // Room for a body over Discord's upload limit, so the fake refuses it as Discord
            // does rather than at the door.
            .layer(axum::extract::DefaultBodyLimit::max(4 * UPLOAD_LIMIT))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        fake.inner.lock().unwrap().base = base.clone();
        // TCP_NODELAY, or back-to-back answers wait ~40 ms for Nagle.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        (fake, base)
    }

    /// The fake's base address (`http://127.0.0.1:PORT`).
    pub fn base(&self) -> String {
        self.inner.lock().unwrap().base.clone()
    }

    /// Makes the next `times` requests of `route` fail with `fault`.
    pub fn fail(&self, route: &'static str, fault: Fault, times: usize) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .faults
            .entry(route)
            .or_default()
            .extend(std::iter::repeat_n(fault, times));
    }

    /// Sends a gateway dispatch (`INTERACTION_CREATE`…) to every connected bot; each session
    /// numbers it in its own sequence.
    pub fn dispatch(&self, event: &str, data: Value) -> bool {
        let mut inner = self.inner.lock().unwrap();
        let frame = json!({ "op": 0, "t": event, "d": data }).to_string();
        inner.gateways.retain(|g| g.send(frame.clone()).is_ok());
        !inner.gateways.is_empty()
    }

    /// How many bots hold a gateway session now.
    pub fn sessions(&self) -> usize {
        self.inner.lock().unwrap().gateways.len()
    }

    /// Waits until `check` holds for the recorded requests, or panics after `secs`.
    pub async fn wait_for<T>(
        &self,
        secs: u64,
        what: &str,
        check: impl Fn(&[Recorded]) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let notified = self.changed.notified();
            if let Some(t) = check(&self.requests()) {
                return t;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let seen: Vec<_> = self
                    .requests()
                    .iter()
                    .map(|r| format!("{} {}", r.method, r.path))
                    .collect();
                panic!("timed out waiting for {what}; requests: {seen:#?}");
            }
        }
    }

    /// Makes every request about `channel` fail with `fault` until `heal_channel`.
    pub fn fail_channel(&self, channel: &str, fault: Fault) {
        let mut inner = self.inner.lock().unwrap();
        inner.channel_faults.insert(channel.to_owned(), fault);
    }

    pub fn heal_channel(&self, channel: &str) {
        self.inner.lock().unwrap().channel_faults.remove(channel);
    }

    /// How long nonces are remembered (default: five minutes, as Discord's "few minutes").
    pub fn set_nonce_window(&self, window: std::time::Duration) {
        self.inner.lock().unwrap().nonce_window = Some(window);
    }

    /// Drops the bot's gateway connection and refuses new ones until `gateway_restore`.
    pub fn gateway_outage(&self) {
        let mut inner = self.inner.lock().unwrap();
        inner.gateway_down = true;
        for g in &inner.gateways {
            let _ = g.send(CLOSE.to_owned());
        }
    }

    pub fn gateway_restore(&self) {
        self.inner.lock().unwrap().gateway_down = false;
    }

    /// The roles member `user` holds now.
    pub fn roles_of(&self, user: &str) -> Vec<String> {
        let inner = self.inner.lock().unwrap();
        inner.server.members.get(user).cloned().unwrap_or_default()
    }

    /// Changes the server the read-only routes describe.
    pub fn edit_server(&self, edit: impl FnOnce(&mut Server)) {
        edit(&mut self.inner.lock().unwrap().server);
    }

    /// Drops every fault still queued.
    pub fn clear_faults(&self) {
        self.inner.lock().unwrap().faults.clear();
    }

    /// Every file attached to a created message, oldest first.
    pub fn uploads(&self) -> Vec<Upload> {
        self.inner.lock().unwrap().uploads.clone()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.lock().unwrap().requests.clone()
    }

    /// Requests of one route.
    pub fn of(&self, route: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.route == route)
            .collect()
    }

    /// Messages that exist in `channel`.
    pub fn messages_in(&self, channel: &str) -> Vec<Value> {
        let inner = self.inner.lock().unwrap();
        let mut v: Vec<Value> = inner
            .messages
            .values()
            .filter(|m| m["channel_id"] == channel)
            .cloned()
            .collect();
        v.sort_by_key(|m| m["id"].as_str().unwrap().parse::<u64>().unwrap());
        v
    }

    /// Records a request and applies its route's next fault: `Some(response)` replaces the
    /// normal answer.
    async fn record(
        &self,
        method: Method,
        route: &'static str,
        path: String,
        body: Value,
    ) -> Option<Response> {
        let fault = self.record_fault(method, route, path, body)?;
        answer_fault(fault).await
    }

    fn new_id(&self) -> String {
        let mut inner = self.inner.lock().unwrap();
        inner.next_id += 1;
        (2_000_000_000_000_000_000u64 + inner.next_id).to_string()
    }
}

/// The answer a fault gives in place of the normal one (`LandThenDrop` is handled by the
/// route, which acts first).
async fn answer_fault(fault: Fault) -> Option<Response> {
    {
        match fault {
            Fault::Hang => std::future::pending().await,
            Fault::LandThenDrop | Fault::Pass => None,
            Fault::Forbidden => Some(
                (
                    StatusCode::FORBIDDEN,
                    Json(json!({ "message": "Missing Permissions", "code": 50013 })),
                )
                    .into_response(),
            ),
            Fault::Delay(ms) => {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                None
            }
            Fault::Drop => Some(dropped()),
            Fault::UnknownInteraction => Some(
                (
                    StatusCode::NOT_FOUND,
                    Json(json!({ "message": "Unknown interaction", "code": 10062 })),
                )
                    .into_response(),
            ),
            Fault::Status(code) => Some(
                (
                    StatusCode::from_u16(code).unwrap(),
                    Json(json!({ "message": "injected failure", "code": 0 })),
                )
                    .into_response(),
            ),
            Fault::RateLimited { retry_after } => Some(rate_limited(retry_after, false)),
            Fault::GlobalRateLimited { retry_after } => Some(rate_limited(retry_after, true)),
        }
    }
}

/// Discord's 429: the wait in the body and in three headers, and whether it is global.
fn rate_limited(retry_after: f64, global: bool) -> Response {
    let mut headers = vec![
        ("retry-after", format!("{}", retry_after.ceil() as u64)),
        ("x-ratelimit-reset-after", format!("{retry_after:.3}")),
        (
            "x-ratelimit-scope",
            if global { "global" } else { "user" }.to_owned(),
        ),
        ("x-ratelimit-remaining", "0".to_owned()),
    ];
    if global {
        headers.push(("x-ratelimit-global", "true".to_owned()));
    }
    let mut answer = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({ "message": "You are being rate limited.", "retry_after": retry_after, "global": global })),
    )
        .into_response();
    for (name, value) in headers {
        answer
            .headers_mut()
            .insert(name, axum::http::HeaderValue::from_str(&value).unwrap());
    }
    answer
}

fn dropped() -> Response {
    let broken = futures_util::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::other("dropped"))
    });
    (StatusCode::OK, axum::body::Body::from_stream(broken)).into_response()
}

fn message_json(id: &str, channel: &str, body: &Value) -> Value {
    json!({
        "id": id,
        "channel_id": channel,
        "author": { "id": "1100000000000000001", "username": "tierdesk", "discriminator": "0", "avatar": null, "bot": true },
        "content": body["content"].as_str().unwrap_or_default(),
        "timestamp": "2026-11-02T09:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body["embeds"].clone(),
        "components": body.get("components").cloned().unwrap_or(json!([])),
        "pinned": false,
        "type": 0,
        "nonce": body["nonce"].clone(),
    })
}

async fn create_message(
    State(fake): State<FakeDiscord>,
    Path(channel): Path<String>,
    request: axum::extract::Request,
) -> Response {
    let (body, files) = match message_body(request).await {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    let path = format!("/channels/{channel}/messages");
    let fault = fake.record_fault(Method::POST, "create_message", path, body.clone());
    let land_then_drop = matches!(fault, Some(Fault::LandThenDrop));
    if let Some(f) = fault.filter(|_| !land_then_drop) {
        if let Some(answer) = answer_fault(f).await {
            return answer;
        }
    }
    let m = fake.create(&channel, &body, files);
    if land_then_drop {
        return dropped();
    }
    Json(m).into_response()
}

impl FakeDiscord {
    /// Records a request and takes its fault, without answering it.
    fn record_fault(
        &self,
        method: Method,
        route: &'static str,
        path: String,
        body: Value,
    ) -> Option<Fault> {
        let fault = {
            let mut inner = self.inner.lock().unwrap();
            let channel_fault = inner
                .channel_faults
                .iter()
                .find(|(c, _)| path.contains(&format!("/channels/{c}/")))
                .map(|(_, f)| *f);
            inner.requests.push(Recorded {
                at: std::time::Instant::now(),
                method,
                route,
                path,
                body,
            });
            channel_fault.or_else(|| inner.faults.get_mut(route).and_then(|q| q.pop_front()))
        };
        self.changed.notify_waiters();
        fault
    }

    /// Creates a message, or returns the one already created for its nonce within the
    /// nonce window when `enforce_nonce` is set, as Discord does.
    fn create(&self, channel: &str, body: &Value, files: Vec<FilePart>) -> Value {
        let nonce = body["nonce"].as_str().map(str::to_owned);
        let id = self.new_id();
        let attachment_ids: Vec<String> = files.iter().map(|_| self.new_id()).collect();
        let mut inner = self.inner.lock().unwrap();
        let window = inner
            .nonce_window
            .unwrap_or(std::time::Duration::from_secs(300));
        if let (Some(nonce), true) = (&nonce, body["enforce_nonce"] == true) {
            if let Some((m, at)) = inner.by_nonce.get(&(channel.to_owned(), nonce.clone())) {
                if at.elapsed() < window {
                    return m.clone();
                }
            }
        }
        let mut m = message_json(&id, channel, body);
        m["attachments"] = json!(files
            .iter()
            .zip(&attachment_ids)
            .map(|(f, attachment)| json!({
                "id": attachment,
                "filename": f.filename,
                "size": f.bytes.len(),
                "url": format!("https://cdn.discordapp.com/attachments/{channel}/{id}/{}", f.filename),
                "proxy_url": format!("https://media.discordapp.net/attachments/{channel}/{id}/{}", f.filename),
                "content_type": f.content_type,
            }))
            .collect::<Vec<_>>());
        for f in files {
            inner.uploads.push(Upload {
                channel: channel.to_owned(),
                message_id: id.clone(),
                filename: f.filename,
                content_type: f.content_type,
                bytes: f.bytes,
            });
        }
        if let Some(nonce) = nonce {
            inner.by_nonce.insert(
                (channel.to_owned(), nonce),
                (m.clone(), std::time::Instant::now()),
            );
        }
        inner.messages.insert(id, m.clone());
        m
    }
}

/// `GET /channels/{id}/messages?after=…&limit=…`: newest first, as Discord answers.
async fn list_messages(
    State(fake): State<FakeDiscord>,
    Path(channel): Path<String>,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    let path = format!("/channels/{channel}/messages");
    if let Some(fault) = fake
        .record(Method::GET, "list_messages", path, json!(query))
        .await
    {
        return fault;
    }
    let after: u64 = query.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let limit: usize = query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(50);
    let mut found: Vec<Value> = fake
        .messages_in(&channel)
        .into_iter()
        .filter(|m| m["id"].as_str().unwrap().parse::<u64>().unwrap() > after)
        .collect();
    found.reverse();
    found.truncate(limit);
    Json(found).into_response()
}

async fn edit_message(
    State(fake): State<FakeDiscord>,
    Path((channel, message)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let path = format!("/channels/{channel}/messages/{message}");
    if let Some(fault) = fake
        .record(Method::PATCH, "edit_message", path, body.clone())
        .await
    {
        return fault;
    }
    let mut inner = fake.inner.lock().unwrap();
    let Some(m) = inner.messages.get_mut(&message) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "message": "Unknown Message", "code": 10008 })),
        )
            .into_response();
    };
    if let Some(embeds) = body.get("embeds") {
        m["embeds"] = embeds.clone();
    }
    if let Some(components) = body.get("components") {
        m["components"] = components.clone();
    }
    m["edited_timestamp"] = json!("2026-11-02T09:05:00.000000+00:00");
    Json(m.clone()).into_response()
}

async fn create_thread(
    State(fake): State<FakeDiscord>,
    Path((channel, message)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let path = format!("/channels/{channel}/messages/{message}/threads");
    if let Some(fault) = fake
        .record(Method::POST, "create_thread", path, body.clone())
        .await
    {
        return fault;
    }
    if !fake.inner.lock().unwrap().threads.insert(message.clone()) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "message": "A thread has already been created for this message", "code": 160004 })),
        )
            .into_response();
    }
    // A thread started from a message takes the message's id.
    Json(json!({
        "id": message,
        "type": 11,
        "guild_id": "1100000000000000002",
        "parent_id": channel,
        "name": body["name"],
        "position": 0,
        "permission_overwrites": [],
        "nsfw": false,
        "rate_limit_per_user": 0,
        "flags": 0
    }))
    .into_response()
}

async fn unknown(
    State(fake): State<FakeDiscord>,
    method: Method,
    uri: axum::http::Uri,
) -> Response {
    fake.record(method, "unknown", uri.path().to_owned(), Value::Null)
        .await;
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "message": "Unknown route", "code": 0 })),
    )
        .into_response()
}

async fn gateway_url(State(fake): State<FakeDiscord>) -> Json<Value> {
    let base = fake.inner.lock().unwrap().base.replace("http://", "ws://");
    Json(json!({
        "url": format!("{base}/gateway"),
        "shards": 1,
        "session_start_limit": { "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1 }
    }))
}

async fn set_commands(
    State(fake): State<FakeDiscord>,
    Path((app, guild)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let path = format!("/applications/{app}/guilds/{guild}/commands");
    if let Some(fault) = fake.record(Method::PUT, "set_commands", path, body).await {
        return fault;
    }
    Json(json!([])).into_response()
}

async fn interaction_callback(
    State(fake): State<FakeDiscord>,
    Path((id, token)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let path = format!("/interactions/{id}/{token}/callback");
    if fake.inner.lock().unwrap().answered.contains(&id) {
        fake.record(Method::POST, "callback_again", path, body)
            .await;
        let refusal =
            json!({ "code": 40060, "message": "Interaction has already been acknowledged." });
        return (StatusCode::BAD_REQUEST, Json(refusal)).into_response();
    }
    if let Some(fault) = fake.record(Method::POST, "callback", path, body).await {
        return fault;
    }
    fake.inner.lock().unwrap().answered.insert(id);
    StatusCode::NO_CONTENT.into_response()
}

/// The answer that replaces a deferred one.
async fn edit_original(
    State(fake): State<FakeDiscord>,
    Path((app, token)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let path = format!("/webhooks/{app}/{token}/messages/@original");
    if let Some(fault) = fake
        .record(Method::PATCH, "edit_original", path, body.clone())
        .await
    {
        return fault;
    }
    let id = fake.new_id();
    Json(message_json(&id, "0", &body)).into_response()
}

async fn delete_original(
    State(fake): State<FakeDiscord>,
    Path((app, token)): Path<(String, String)>,
) -> Response {
    let path = format!("/webhooks/{app}/{token}/messages/@original");
    if let Some(fault) = fake
        .record(Method::DELETE, "delete_original", path, Value::Null)
        .await
    {
        return fault;
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn followup(
    State(fake): State<FakeDiscord>,
    Path((app, token)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let path = format!("/webhooks/{app}/{token}");
    if let Some(fault) = fake
        .record(Method::POST, "followup", path, body.clone())
        .await
    {
        return fault;
    }
    let id = fake.new_id();
    Json(message_json(&id, "0", &body)).into_response()
}

/// Records a read-only request; refuses it as Discord would for a bad token or a guild the
/// bot is not in. `Ok` carries the server to answer from.
async fn read_only(
    fake: &FakeDiscord,
    route: &'static str,
    path: String,
    headers: &axum::http::HeaderMap,
    needs_guild: bool,
) -> Result<Server, Response> {
    if let Some(fault) = fake.record(Method::GET, route, path, Value::Null).await {
        return Err(fault);
    }
    let server = fake.inner.lock().unwrap().server.clone();
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start_matches("Bot ")
        .to_owned();
    if server.valid_token.as_ref().is_some_and(|t| *t != token) {
        return Err((
            StatusCode::UNAUTHORIZED,
            Json(json!({ "message": "401: Unauthorized", "code": 0 })),
        )
            .into_response());
    }
    if needs_guild && !server.in_guild {
        return Err((
            StatusCode::NOT_FOUND,
            Json(json!({ "message": "Unknown Guild", "code": 10004 })),
        )
            .into_response());
    }
    Ok(server)
}

async fn application(State(fake): State<FakeDiscord>, headers: axum::http::HeaderMap) -> Response {
    match read_only(
        &fake,
        "application",
        "/oauth2/applications/@me".into(),
        &headers,
        false,
    )
    .await
    {
        Ok(server) => Json(json!({
            "id": server.application_id, "name": "tierdesk", "icon": null, "description": "",
            "bot_public": false, "bot_require_code_grant": false, "verify_key": "00",
            "team": null, "owner": null, "flags": 0
        }))
        .into_response(),
        Err(r) => r,
    }
}

async fn current_user(State(fake): State<FakeDiscord>, headers: axum::http::HeaderMap) -> Response {
    match read_only(&fake, "current_user", "/users/@me".into(), &headers, false).await {
        Ok(_) => Json(bot_user()).into_response(),
        Err(r) => r,
    }
}

fn bot_user() -> Value {
    json!({ "id": "1100000000000000001", "username": "tierdesk", "discriminator": "0",
            "avatar": null, "bot": true, "global_name": null, "flags": 0 })
}

async fn guild(
    State(fake): State<FakeDiscord>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    match read_only(&fake, "guild", format!("/guilds/{id}"), &headers, true).await {
        Ok(server) => Json(json!({
            "id": GUILD, "name": "Help desk", "icon": null, "splash": null,
            "discovery_splash": null, "owner_id": "1100000000000000999", "afk_channel_id": null,
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "roles": server.roles, "emojis": [], "features": [],
            "mfa_level": 0, "application_id": null, "system_channel_id": null,
            "system_channel_flags": 0, "rules_channel_id": null, "vanity_url_code": null,
            "description": null, "banner": null, "premium_tier": 0,
            "preferred_locale": "en-US", "public_updates_channel_id": null,
            "nsfw_level": 0, "premium_progress_bar_enabled": false, "stickers": []
        }))
        .into_response(),
        Err(r) => r,
    }
}

async fn guild_channels(
    State(fake): State<FakeDiscord>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    match read_only(
        &fake,
        "guild_channels",
        format!("/guilds/{id}/channels"),
        &headers,
        true,
    )
    .await
    {
        Ok(server) => Json(server.channels).into_response(),
        Err(r) => r,
    }
}

async fn guild_member(
    State(fake): State<FakeDiscord>,
    Path((id, user)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Response {
    let path = format!("/guilds/{id}/members/{user}");
    let server = match read_only(&fake, "guild_member", path, &headers, true).await {
        Ok(server) => server,
        Err(r) => return r,
    };
    let (who, roles) = if user == "1100000000000000001" {
        (bot_user(), server.bot_roles.clone())
    } else if let Some(roles) = server.members.get(&user) {
        let who = json!({ "id": user, "username": format!("member{user}"), "discriminator": "0",
                          "avatar": null, "global_name": null });
        (who, roles.clone())
    } else {
        return unknown_member();
    };
    Json(json!({
        "user": who, "nick": null, "avatar": null, "roles": roles,
        "joined_at": "2026-11-01T09:00:00.000000+00:00", "premium_since": null,
        "deaf": false, "mute": false, "flags": 0, "pending": false
    }))
    .into_response()
}

fn unknown_member() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "message": "Unknown Member", "code": 10007 })),
    )
        .into_response()
}

/// `PUT` and `DELETE /guilds/{g}/members/{u}/roles/{r}`: 204, 403 50013 when role changes
/// are forbidden, 404 10007 for someone not in the server. The audit-log reason is recorded.
async fn change_role(
    fake: FakeDiscord,
    method: Method,
    route: &'static str,
    (guild, user, role): (String, String, String),
    headers: axum::http::HeaderMap,
) -> Response {
    let reason = headers
        .get("x-audit-log-reason")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let path = format!("/guilds/{guild}/members/{user}/roles/{role}");
    if let Some(fault) = fake
        .record(method, route, path, json!({ "reason": reason }))
        .await
    {
        return fault;
    }
    let mut inner = fake.inner.lock().unwrap();
    if inner.server.roles_forbidden {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({ "message": "Missing Permissions", "code": 50013 })),
        )
            .into_response();
    }
    let Some(roles) = inner.server.members.get_mut(&user) else {
        return unknown_member();
    };
    roles.retain(|r| *r != role);
    if route == "add_role" {
        roles.push(role);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn add_role(
    State(fake): State<FakeDiscord>,
    Path(ids): Path<(String, String, String)>,
    headers: axum::http::HeaderMap,
) -> Response {
    change_role(fake, Method::PUT, "add_role", ids, headers).await
}

async fn remove_role(
    State(fake): State<FakeDiscord>,
    Path(ids): Path<(String, String, String)>,
    headers: axum::http::HeaderMap,
) -> Response {
    change_role(fake, Method::DELETE, "remove_role", ids, headers).await
}

/// Sent through the session's channel to close the connection.
const CLOSE: &str = "__close__";

async fn gateway(State(fake): State<FakeDiscord>, ws: WebSocketUpgrade) -> Response {
    if fake.inner.lock().unwrap().gateway_down {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    ws.on_upgrade(move |socket| session(fake, socket))
}

/// One gateway session: HELLO, IDENTIFY → READY, heartbeats acknowledged, dispatches sent.
async fn session(fake: FakeDiscord, mut socket: WebSocket) {
    let hello = json!({ "op": 10, "d": { "heartbeat_interval": 41250 } }).to_string();
    if socket.send(WsMessage::Text(hello.into())).await.is_err() {
        return;
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let mut seq: u64 = 0;
    loop {
        tokio::select! {
            frame = socket.recv() => {
                let Some(Ok(WsMessage::Text(text))) = frame else { break };
                let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                match v["op"].as_u64() {
                    Some(1) => {
                        let ack = json!({ "op": 11 }).to_string();
                        let _ = socket.send(WsMessage::Text(ack.into())).await;
                    }
                    Some(2) => {
                        let base = {
                            let mut inner = fake.inner.lock().unwrap();
                            inner.gateways.push(tx.clone());
                            seq = 1;
                            inner.base.replace("http://", "ws://")
                        };
                        let ready = json!({ "op": 0, "t": "READY", "s": 1, "d": {
                            "v": 10,
                            "user": { "id": "1100000000000000001", "username": "tierdesk", "discriminator": "0", "avatar": null, "bot": true, "global_name": null },
                            "guilds": [{ "id": "1100000000000000002", "unavailable": true }],
                            "session_id": "fake-session",
                            "resume_gateway_url": format!("{base}/gateway"),
                            "application": { "id": "1100000000000000001", "flags": 0 }
                        }}).to_string();
                        let _ = socket.send(WsMessage::Text(ready.into())).await;
                        fake.record(Method::GET, "identify", "/gateway".into(), v).await;
                    }
                    _ => {}
                }
            }
            Some(out) = rx.recv() => {
                if out == CLOSE {
                    break;
                }
                let Ok(mut frame) = serde_json::from_str::<Value>(&out) else { continue };
                seq += 1;
                frame["s"] = json!(seq);
                if socket.send(WsMessage::Text(frame.to_string().into())).await.is_err() {
                    break;
                }
            }
        }
    }
    fake.inner
        .lock()
        .unwrap()
        .gateways
        .retain(|g| !g.same_channel(&tx));
}
