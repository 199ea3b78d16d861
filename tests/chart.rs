//! The summary's chart on a known timeline (SPEC §5): the numbers come from the right events
//! (tested as series, not pixels), and the PNG and SVG are what Discord and the dashboard get.
mod common;

use chrono::{Duration, NaiveDate};
use common::*;
use tierdesk::domain::Level;
use tierdesk::i18n::Lang;
use tierdesk::render::chart::{PNG_SIZE, SVG_SIZE};
use tierdesk::render::Text;

const ESCALATE: &str = r#"/ticket escalate ticket:1 reason:"storage fault" attempts:"rescanned the bus, rebooted db-2" impact:"billing is down""#;

/// Monday: #1 and #2 open at level 1. Tuesday: #1 goes to level 2. Wednesday: #2 closes,
/// 48 hours after it opened, and #3 opens. Friday noon: the chart is drawn.
async fn a_week() -> TestApp {
    let mut app = spawn_app().await;
    let (req, l1) = (app.requester(), app.agent(1));
    app.ok(&req, "/ticket open title:one").await;
    app.ok(&req, "/ticket open title:two").await;
    app.advance(Duration::days(1));
    app.ok(&l1, ESCALATE).await;
    app.advance(Duration::days(1));
    app.ok(&l1, "/ticket close ticket:2 resolution:fixed").await;
    app.advance(Duration::hours(2));
    app.ok(&req, "/ticket open title:three").await;
    app.advance(Duration::days(2) + Duration::hours(1));
    app
}

#[tokio::test]
async fn the_series_follow_the_timeline() {
    let app = a_week().await;
    let h = app.service.history(app.now).await.unwrap();
    assert_eq!(h.days.len(), 14);
    assert_eq!(h.days[13], NaiveDate::from_ymd_opt(2026, 11, 6).unwrap());
    let last_five = |level: u8| h.open[&Level::new(level).unwrap()][9..].to_vec();
    // Mon 2 … Fri 6 November.
    assert_eq!(last_five(1), vec![2, 1, 1, 1, 1]);
    assert_eq!(last_five(2), vec![0, 1, 1, 1, 1]);
    assert_eq!(last_five(3), vec![0, 0, 0, 0, 0]);
    assert!(h.open.values().all(|v| v[..9].iter().all(|n| *n == 0)));
    assert_eq!(h.median_resolution_hours[11], Some(48.0));
    let closed_days = h.median_resolution_hours.iter().flatten().count();
    assert_eq!(closed_days, 1);
}

#[tokio::test]
async fn a_week_later_the_chart_still_shows_those_days() {
    // Nothing ran in between (the bot was down): the numbers come from the timeline.
    let mut app = a_week().await;
    app.advance(Duration::days(7));
    let h = app.service.history(app.now).await.unwrap();
    assert_eq!(h.days[6], NaiveDate::from_ymd_opt(2026, 11, 6).unwrap());
    assert_eq!(h.open[&Level::new(1).unwrap()][2..7], [2, 1, 1, 1, 1]);
    assert_eq!(h.median_resolution_hours[4], Some(48.0));
}

#[tokio::test]
async fn the_png_decodes_at_its_size_and_the_svg_names_the_levels() {
    let app = a_week().await;
    let h = app.service.history(app.now).await.unwrap();
    let text = Text::new(&app.service.config, Lang::En);
    let png = text.chart_png(&h).unwrap();
    let reader = png::Decoder::new(std::io::Cursor::new(&png))
        .read_info()
        .unwrap();
    assert_eq!((reader.info().width, reader.info().height), PNG_SIZE);
    assert!(png.len() < 200 * 1024, "{} bytes", png.len());

    let svg = text.chart_svg(&h).unwrap();
    assert!(svg.contains(&format!("width=\"{}\"", SVG_SIZE.0)));
    for words in [
        "Open tickets per level, last 14 days",
        "Level 1 · Service desk",
        "Level 2 · Technical support",
        "Median time to resolution per day",
        "11/6",
    ] {
        assert!(svg.contains(words), "{words}");
    }
    let spanish = Text::new(&app.service.config, Lang::Es)
        .chart_svg(&h)
        .unwrap();
    assert!(spanish.contains("Nivel 1 · Service desk") && spanish.contains("6/11"));
}

#[tokio::test]
async fn a_level_name_with_markup_is_text_in_the_svg() {
    each_backend(|| async {
        let config = EXAMPLE.replace(r#"name = "Service desk""#, r#"name = "Desk <b>&</b>""#);
        let app = spawn_app_with(&config).await;
        let h = app.service.history(app.now).await.unwrap();
        let svg = Text::new(&app.service.config, Lang::En)
            .chart_svg(&h)
            .unwrap();
        assert!(!svg.contains("<b>"), "markup in config text is escaped");
        assert!(svg.contains("Desk &lt;b&gt;&amp;&lt;/b&gt;"));
    })
    .await;
}
