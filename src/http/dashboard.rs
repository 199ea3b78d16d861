//! The dashboard's routes (SPEC §13): `GET /` (the queues), `/tickets/{number}`, `/figures`,
//! `/chart.svg`, and the key form at `/login`. Off without `[http] dashboard_token`; with it,
//! every page wants the key, asked once and kept in an HttpOnly, SameSite=Strict cookie and
//! compared in constant time.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use maud::Markup;
use serde::Deserialize;

use super::pages::Page;
use super::{problem, AppState};
use crate::config::Secret;
use crate::domain::{Level, TicketNumber};
use crate::i18n::Lang;
use crate::render::Text;

/// The cookie that keeps the key.
const COOKIE: &str = "tierdesk_dashboard";
/// How long the browser keeps the key: 30 days.
const COOKIE_MAX_AGE: u32 = 30 * 24 * 3600;
/// What every dashboard answer says about itself: no scripts, no frames, no caching.
const SECURITY_HEADERS: [(header::HeaderName, &str); 5] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::CACHE_CONTROL, "no-store"),
];

/// Why a request does not get its page.
enum Shut {
    /// No `dashboard_token`: the dashboard is off.
    Off,
    /// The browser has not given the key yet; after the form, it goes back to this path.
    NoKey(String),
}

impl IntoResponse for Shut {
    fn into_response(self) -> Response {
        match self {
            Shut::Off => problem(
                StatusCode::NOT_FOUND,
                "the dashboard is off: set [http] dashboard_token to turn it on",
            ),
            Shut::NoKey(path) => {
                let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
                Redirect::to(&format!("/login?next={next}")).into_response()
            }
        }
    }
}

/// The dashboard's key, unless the dashboard is off.
fn key(state: &AppState) -> Result<&Secret, Shut> {
    (state.service.config.http.as_ref())
        .and_then(|h| h.dashboard_token.as_ref())
        .ok_or(Shut::Off)
}

/// Whether the request may see the dashboard.
fn gate(state: &AppState, headers: &HeaderMap, path: &str) -> Result<(), Shut> {
    key(state)?;
    if holds_key(state, headers) {
        return Ok(());
    }
    Err(Shut::NoKey(path.to_owned()))
}

/// Whether the request carries the dashboard key: its cookie, or `Authorization: Bearer`
/// (for an operator's script or a monitoring probe). Without a key configured, nobody does.
pub(super) fn holds_key(state: &AppState, headers: &HeaderMap) -> bool {
    let Ok(key) = key(state) else {
        return false;
    };
    let bearer = (headers.get(header::AUTHORIZATION))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    cookie(headers)
        .into_iter()
        .chain(bearer)
        .any(|given| key.matches(&given))
}

/// The key the browser sent in the dashboard's cookie.
fn cookie(headers: &HeaderMap) -> Option<String> {
    (headers.get_all(header::COOKIE).iter())
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| {
            url::form_urlencoded::parse(format!("k={value}").as_bytes())
                .map(|(_, v)| v.into_owned())
                .next()
                .unwrap_or_default()
        })
}

/// The language of the page: Spanish for a browser that prefers it, English otherwise.
fn lang(headers: &HeaderMap) -> Lang {
    (headers.get(header::ACCEPT_LANGUAGE))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split([',', ';']).next())
        .map(|first| Lang::from_locale(first.trim()))
        .unwrap_or_default()
}

fn page<'a>(state: &'a AppState, headers: &HeaderMap) -> Page<'a> {
    Page {
        text: Text::new(&state.service.config, lang(headers)),
        now: Utc::now(),
    }
}

fn html(status: StatusCode, markup: Markup) -> Response {
    secured((status, markup).into_response())
}

fn secured(mut response: Response) -> Response {
    for (name, value) in SECURITY_HEADERS {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A page that could not be read: the cause goes to the log, the browser gets a reason.
fn failed(e: anyhow::Error) -> Response {
    tracing::error!(
        error = format!("{e:#}"),
        "a dashboard page could not be read"
    );
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "this page could not be read; the cause is in the bot's log \
         (GET /health shows whether the database answers)",
    )
}

#[derive(Deserialize)]
pub struct QueueQuery {
    level: Option<u8>,
    page: Option<u32>,
}

/// `GET /`: the first page of every level's queue, or the page asked for of one level.
pub async fn queues(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<QueueQuery>,
) -> Response {
    if let Err(answer) = gate(&state, &headers, "/") {
        return answer.into_response();
    }
    let page = page(&state, &headers);
    let levels = match q.level {
        Some(n) => match (Level::new(n))
            .filter(|l| *l <= Level::EXPERTS && state.service.config.tier(*l).is_some())
        {
            Some(level) => vec![level],
            None => return html(StatusCode::NOT_FOUND, page.not_found()),
        },
        None => Vec::new(),
    };
    let queues = match state
        .service
        .queue_pages(&levels, q.page.unwrap_or(1))
        .await
    {
        Ok(queues) => queues,
        Err(e) => return failed(e),
    };
    html(StatusCode::OK, page.queues(&queues))
}

/// `GET /tickets/{number}`: a ticket and its public timeline.
pub async fn ticket(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Response {
    if let Err(answer) = gate(&state, &headers, &format!("/tickets/{number}")) {
        return answer.into_response();
    }
    let page = page(&state, &headers);
    let Ok(number) = number.trim_start_matches('#').parse::<i64>() else {
        return html(StatusCode::NOT_FOUND, page.not_found());
    };
    match state.service.public_ticket(TicketNumber(number)).await {
        Ok(Some((ticket, timeline, earlier))) => {
            html(StatusCode::OK, page.ticket(&ticket, &timeline, earlier))
        }
        Ok(None) => html(StatusCode::NOT_FOUND, page.not_found()),
        Err(e) => failed(e),
    }
}

/// `GET /figures`: the key figures and the chart.
pub async fn figures(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(answer) = gate(&state, &headers, "/figures") {
        return answer.into_response();
    }
    let page = page(&state, &headers);
    match state.service.figures_view(page.now).await {
        Ok(view) => html(StatusCode::OK, page.figures(&view)),
        Err(e) => failed(e),
    }
}

/// `GET /chart.svg`: the chart of the summary, as SVG.
pub async fn chart(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(answer) = gate(&state, &headers, "/figures") {
        return answer.into_response();
    }
    let text = Text::new(&state.service.config, lang(&headers));
    let svg = match state.service.history(Utc::now()).await {
        Ok(history) => text.chart_svg(&history),
        Err(e) => return failed(e),
    };
    match svg {
        Ok(svg) => secured(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()),
        Err(e) => failed(e),
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Only a path of this site is a place to go back to after the key form: one `/` followed by
/// a letter, a digit or nothing (the value arrives decoded). Browsers drop tabs and newlines
/// and read `\\` as `/`, so `/\t/evil.example` would leave the site; anything but visible
/// ASCII is refused too, as it cannot go in a `Location` header.
fn safe_next(next: Option<&str>) -> String {
    let local = |n: &str| {
        let mut chars = n.chars();
        chars.next() == Some('/')
            && chars.next().is_none_or(|c| c.is_ascii_alphanumeric())
            && n.chars().all(|c| c.is_ascii_graphic() && c != '\\')
    };
    match next {
        Some(n) if local(n) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// `GET /login`: the key form.
pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    if let Err(off) = key(&state) {
        return off.into_response();
    }
    let page = page(&state, &headers);
    html(
        StatusCode::OK,
        page.login(&safe_next(q.next.as_deref()), false),
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    token: String,
    next: Option<String>,
}

/// `POST /login`: a right key sets the cookie and goes on; a wrong one gets 401 and the form.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let key = match key(&state) {
        Ok(key) => key,
        Err(off) => return off.into_response(),
    };
    let next = safe_next(form.next.as_deref());
    if !key.matches(&form.token) {
        tracing::warn!("a wrong dashboard key was given");
        return html(
            StatusCode::UNAUTHORIZED,
            page(&state, &headers).login(&next, true),
        );
    }
    let value: String = url::form_urlencoded::byte_serialize(form.token.as_bytes()).collect();
    let cookie =
        format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={COOKIE_MAX_AGE}");
    let mut response = Redirect::to(&next).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}
