//! The dashboard's HTML (SPEC §13), as maud templates checked at compile time: the queues, a
//! ticket with its public timeline, the key figures with the chart, and the key form. Plain
//! HTML, no JavaScript; maud escapes every text it is given, so a title like
//! `<script>…` shows as text.

use chrono::{DateTime, Utc};
use maud::{html, Markup, DOCTYPE};

use crate::domain::figures::human_duration;
use crate::domain::{Event, Level, Ticket};
use crate::i18n::Lang;
use crate::render::Text;
use crate::service::dashboard::{FiguresView, QueuePage};
use crate::tr;

const STYLE: &str = "body{font-family:sans-serif;margin:0 auto;max-width:72rem;padding:1rem;\
color:#1d2330}nav a{margin-right:1rem}table{border-collapse:collapse;width:100%;margin-bottom:1rem}\
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #d8dce4}th{background:#eef1f6}\
.overdue{color:#b3261e;font-weight:bold}.error{color:#b3261e}ol.timeline li{margin:.3rem 0}\
img.chart{max-width:100%;height:auto}";

/// The words of one page, in one language.
pub struct Page<'a> {
    pub text: Text<'a>,
    pub now: DateTime<Utc>,
}

impl Page<'_> {
    fn t(&self, id: &str) -> String {
        tr!(self.text.lang, id)
    }

    fn layout(&self, title: &str, body: Markup) -> Markup {
        let lang = match self.text.lang {
            Lang::En => "en",
            Lang::Es => "es",
        };
        html! {
            (DOCTYPE)
            html lang=(lang) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · tierdesk" }
                    style { (STYLE) }
                }
                body {
                    nav {
                        a href="/" { (self.t("dash-nav-queues")) }
                        a href="/figures" { (self.t("dash-nav-figures")) }
                    }
                    h1 { (title) }
                    (body)
                }
            }
        }
    }

    fn level_title(&self, level: Level, open: i64) -> String {
        tr!(
            self.text.lang,
            "dash-level",
            level = level,
            name = self.text.level_name(level),
            open = open
        )
    }

    /// The queues: one table per level, each the page asked for.
    pub fn queues(&self, queues: &[QueuePage]) -> Markup {
        let body = html! {
            @for q in queues {
                section id={ "level-" (q.level) } {
                    h2 { (self.level_title(q.level, q.total)) }
                    (self.queue_table(q))
                    (self.pager(q))
                }
            }
        };
        self.layout(&self.t("dash-queues-title"), body)
    }

    fn queue_table(&self, q: &QueuePage) -> Markup {
        if q.tickets.is_empty() {
            return html! { p { (self.t("dash-queue-empty")) } };
        }
        html! {
            table class="queue" {
                thead { tr {
                    @for head in ["dash-col-number", "dash-col-title", "dash-col-priority",
                        "dash-col-status", "dash-col-age", "dash-col-deadline", "dash-col-assignee"] {
                        th { (self.t(head)) }
                    }
                } }
                tbody {
                    @for t in &q.tickets { (self.queue_row(t)) }
                }
            }
        }
    }

    fn queue_row(&self, t: &Ticket) -> Markup {
        html! {
            tr {
                td { a href={ "/tickets/" (t.number.0) } { "#" (t.number.0) } }
                td { a href={ "/tickets/" (t.number.0) } { (t.title) } }
                td { (self.text.priority(t.priority)) }
                td { (self.text.status(t.status)) }
                td { (human_duration((self.now - t.opened_at).num_seconds())) }
                td { (self.deadline(t.ack_due_at)) }
                td { @if let Some(a) = t.assignee { (a.0) } @else { "—" } }
            }
        }
    }

    /// A deadline as the time left, or how long ago it passed.
    fn deadline(&self, due: Option<DateTime<Utc>>) -> Markup {
        let Some(due) = due else {
            return html! { "—" };
        };
        let left = (due - self.now).num_seconds();
        if left >= 0 {
            let words = tr!(self.text.lang, "dash-due-in", time = human_duration(left));
            html! { time datetime=(due.to_rfc3339()) { (words) } }
        } else {
            let words = tr!(self.text.lang, "dash-overdue", time = human_duration(-left));
            html! { time class="overdue" datetime=(due.to_rfc3339()) { (words) } }
        }
    }

    fn pager(&self, q: &QueuePage) -> Markup {
        let pages = q.pages();
        if pages <= 1 {
            return html! {};
        }
        let link = |page: u32| format!("/?level={}&page={page}", q.level);
        html! {
            p class="pager" {
                @if q.page > 1 { a rel="prev" href=(link(q.page - 1)) { (self.t("dash-previous")) } " " }
                (tr!(self.text.lang, "dash-page", page = q.page, pages = pages))
                @if q.page < pages { " " a rel="next" href=(link(q.page + 1)) { (self.t("dash-next")) } }
            }
        }
    }

    /// A ticket and its public timeline.
    pub fn ticket(&self, t: &Ticket, timeline: &[Event], earlier: i64) -> Markup {
        let title = format!("#{} {}", t.number.0, t.title);
        let body = html! {
            p class="summary" { (self.text.ticket_line(t)) }
            @if !t.details.is_empty() { p class="details" { (t.details) } }
            h2 { (self.t("dash-timeline")) }
            @if earlier > 0 { p class="earlier" { (crate::tr!(self.text.lang, "show-earlier", count = earlier)) } }
            ol class="timeline" {
                @for e in timeline {
                    li {
                        time datetime=(e.at.to_rfc3339()) { (e.at.format("%Y-%m-%d %H:%M UTC")) }
                        " · " (self.text.thread_event(e))
                    }
                }
            }
            p { a href={ "/?level=" (t.level) } { (self.t("dash-back")) } }
        };
        self.layout(&title, body)
    }

    /// The key figures and the chart (an image, so its SVG never runs in the page).
    pub fn figures(&self, view: &FiguresView) -> Markup {
        let body = html! {
            img class="chart" src="/chart.svg" width="900" height="500"
                alt=(self.t("dash-chart-alt"));
            h2 { (tr!(self.text.lang, "dash-figures-window", days = view.days)) }
            ul class="figures" {
                @for line in self.text.key_figures(&view.figures).lines().filter(|l| !l.trim().is_empty()) {
                    li { (line) }
                }
            }
        };
        self.layout(&self.t("dash-figures-title"), body)
    }

    /// The form that asks for the dashboard's key once.
    pub fn login(&self, next: &str, refused: bool) -> Markup {
        let body = html! {
            @if refused { p class="error" { (self.t("dash-key-refused")) } }
            form method="post" action="/login" {
                input type="hidden" name="next" value=(next);
                label { (self.t("dash-key")) " " input type="password" name="token" autofocus; }
                " "
                button type="submit" { (self.t("dash-open")) }
            }
        };
        self.layout(&self.t("dash-login-title"), body)
    }

    /// A page for what is not there.
    pub fn not_found(&self) -> Markup {
        self.layout(
            &self.t("dash-not-found"),
            html! { p { a href="/" { (self.t("dash-back")) } } },
        )
    }
}
