//! The chart of SPEC §5 (open tickets per level for each of the last days, above the median
//! time to resolution per day), drawn with plotters as a PNG for Discord and as SVG for the
//! dashboard. The font ships in the repository, so drawing needs nothing from the system.

use std::sync::Once;

use chrono::Datelike;
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::RangedCoordi32;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use super::Text;
use crate::domain::history::History;
use crate::tr;

/// The PNG's size: wide enough to stay readable when Discord shrinks it to its preview.
pub const PNG_SIZE: (u32, u32) = (1000, 560);
/// The SVG's size on the dashboard.
pub const SVG_SIZE: (u32, u32) = (900, 500);
/// The attachment's file name (embeds refer to it as `attachment://backlog.png`).
pub const PNG_NAME: &str = "backlog.png";

const FONT: &str = "sans-serif";
/// A colour per level, the same on every chart: blue, orange, purple.
const LEVEL_COLOURS: [RGBColor; 3] = [
    RGBColor(31, 119, 180),
    RGBColor(230, 126, 34),
    RGBColor(142, 68, 173),
];
const BAR_COLOUR: RGBColor = RGBColor(39, 174, 96);

static REGISTER_FONT: Once = Once::new();

/// Makes the shipped font the one plotters draws `sans-serif` with.
fn register() {
    REGISTER_FONT.call_once(|| {
        let bytes = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        if register_font(FONT, FontStyle::Normal, bytes).is_err() {
            tracing::error!("the chart font could not be read; charts will have no text");
        }
    });
}

/// The words on a chart, in one language.
struct Words {
    open_title: String,
    resolution_title: String,
    tickets: String,
    hours: String,
    levels: Vec<String>,
    days: Vec<String>,
}

impl Text<'_> {
    fn chart_words(&self, h: &History) -> Words {
        Words {
            open_title: tr!(self.lang, "chart-open-title", days = h.days.len()),
            resolution_title: tr!(self.lang, "chart-resolution-title"),
            tickets: tr!(self.lang, "chart-axis-tickets"),
            hours: tr!(self.lang, "chart-axis-hours"),
            levels: (h.open.keys())
                .map(|l| {
                    tr!(
                        self.lang,
                        "chart-level",
                        level = l,
                        name = self.level_name(*l)
                    )
                })
                .collect(),
            days: (h.days.iter())
                .map(|d| tr!(self.lang, "chart-day", month = d.month(), day = d.day()))
                .collect(),
        }
    }

    /// The chart as a PNG of `PNG_SIZE`.
    pub fn chart_png(&self, h: &History) -> anyhow::Result<Vec<u8>> {
        register();
        let (w, ht) = PNG_SIZE;
        let mut pixels = vec![0u8; (w * ht * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, PNG_SIZE).into_drawing_area();
            draw(&root, h, &self.chart_words(h)).map_err(|e| anyhow::anyhow!("{e}"))?;
            root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let mut png = Vec::new();
        let mut encoder = png::Encoder::new(&mut png, w, ht);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        encoder.write_header()?.write_image_data(&pixels)?;
        Ok(png)
    }

    /// The chart as an SVG document of `SVG_SIZE`; every text in it is escaped.
    pub fn chart_svg(&self, h: &History) -> anyhow::Result<String> {
        register();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SVG_SIZE).into_drawing_area();
            draw(&root, h, &self.chart_words(h)).map_err(|e| anyhow::anyhow!("{e}"))?;
            root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        Ok(svg)
    }
}

type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Both panels: the open backlog on top, the median time to resolution below.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    h: &History,
    words: &Words,
) -> Drawn<DB> {
    root.fill(&WHITE)?;
    let (_, height) = root.dim_in_pixel();
    let (top, bottom) = root.split_vertically(height * 58 / 100);
    draw_open(&top, h, words)?;
    draw_resolution(&bottom, h, words)
}

/// One segment per day, each label under its own segment.
fn days_axis(days: i32) -> SegmentedCoord<RangedCoordi32> {
    // A segmented range includes its end: 0..days-1 is `days` segments.
    (0..(days - 1).max(0)).into_segmented()
}

fn day_label(words: &Words, x: &SegmentValue<i32>) -> String {
    match x {
        SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
            (words.days).get(*i as usize).cloned().unwrap_or_default()
        }
        SegmentValue::Last => String::new(),
    }
}

fn draw_open<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    h: &History,
    words: &Words,
) -> Drawn<DB> {
    let days = h.days.len() as i32;
    let top = h.open.values().flatten().copied().max().unwrap_or(0).max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(&words.open_title, (FONT, 24))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(56)
        .build_cartesian_2d(days_axis(days), 0..top + top / 5 + 1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(days as usize)
        .x_label_formatter(&|x| day_label(words, x))
        .y_desc(&words.tickets)
        .light_line_style(WHITE)
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 16))
        .draw()?;
    for (i, (values, name)) in h.open.values().zip(&words.levels).enumerate() {
        let colour = LEVEL_COLOURS[i % LEVEL_COLOURS.len()];
        let points =
            (values.iter().enumerate()).map(|(d, n)| (SegmentValue::CenterOf(d as i32), *n));
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(3)))?
            .label(name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT, 17))
        .draw()
}

fn draw_resolution<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    h: &History,
    words: &Words,
) -> Drawn<DB> {
    let days = h.days.len() as i32;
    let medians = &h.median_resolution_hours;
    let top = medians.iter().flatten().copied().fold(1.0, f64::max);
    let mut chart = ChartBuilder::on(area)
        .caption(&words.resolution_title, (FONT, 22))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(56)
        .build_cartesian_2d(days_axis(days), 0.0..top * 1.15)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(days as usize)
        .x_label_formatter(&|x| day_label(words, x))
        .y_desc(&words.hours)
        .y_labels(6)
        .y_label_formatter(&|hours| format!("{hours:.0}"))
        .light_line_style(WHITE)
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 16))
        .draw()?;
    let bars = (medians.iter().enumerate()).filter_map(|(d, m)| m.map(|m| (d as i32, m)));
    chart.draw_series(
        Histogram::vertical(&chart)
            .style(BAR_COLOUR.filled())
            .margin(6)
            .data(bars),
    )?;
    Ok(())
}
