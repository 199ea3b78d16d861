//! `tierdesk export`: every ticket with its closure details, and the key figures, as CSV or
//! JSON for spreadsheets and reports.

use std::io::Write;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::domain::figures::KeyFigures;
use crate::domain::Ticket;
use crate::service::{Service, FIGURES_WINDOW_DAYS};

/// One exported ticket, flat so that it fits a CSV row.
#[derive(Debug, Serialize)]
pub struct TicketRecord {
    pub number: i64,
    pub title: String,
    pub requester_id: String,
    pub priority: String,
    pub level: u8,
    pub status: String,
    pub assignee_id: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_level: Option<u8>,
    pub closed_by: Option<String>,
    pub resolution: Option<String>,
    pub root_cause: Option<String>,
    pub fix_type: Option<String>,
    pub kb: Option<String>,
    pub vendor: Option<String>,
    pub vendor_ref: Option<String>,
    pub rating: Option<u8>,
}

impl From<Ticket> for TicketRecord {
    fn from(t: Ticket) -> Self {
        let c = t.closure.as_ref();
        TicketRecord {
            number: t.number.0,
            title: t.title.clone(),
            // Ids as text: spreadsheets round 19-digit numbers.
            requester_id: t.requester.to_string(),
            priority: t.priority.to_string(),
            level: t.level.get(),
            status: t.status.to_string(),
            assignee_id: t.assignee.map(|a| a.to_string()),
            opened_at: t.opened_at,
            closed_at: c.map(|c| c.at),
            closed_level: c.map(|c| c.level.get()),
            closed_by: c.map(|c| c.by.to_string()),
            resolution: c.map(|c| c.resolution.clone()),
            root_cause: c.and_then(|c| c.root_cause.clone()),
            fix_type: c.and_then(|c| c.fix_type.map(|f| f.to_string())),
            kb: c.and_then(|c| c.kb.clone()),
            vendor: t.vendor.as_ref().map(|v| v.vendor.clone()),
            vendor_ref: t.vendor.as_ref().and_then(|v| v.reference.clone()),
            rating: t.rating,
        }
    }
}

/// A cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+cmd|…`, `-2+3`, `@SUM`)
/// gets a leading `'`, which spreadsheets show as text (OWASP's advice for CSV injection).
fn spreadsheet_safe(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

impl TicketRecord {
    /// The record with every text a person typed made safe to open in a spreadsheet.
    fn for_spreadsheet(self) -> TicketRecord {
        let safe = |t: Option<String>| t.map(spreadsheet_safe);
        TicketRecord {
            title: spreadsheet_safe(self.title),
            resolution: safe(self.resolution),
            root_cause: safe(self.root_cause),
            kb: safe(self.kb),
            vendor: safe(self.vendor),
            vendor_ref: safe(self.vendor_ref),
            ..self
        }
    }
}

#[derive(Serialize)]
struct JsonExport {
    generated_at: DateTime<Utc>,
    tickets: Vec<TicketRecord>,
    key_figures: KeyFigures,
}

/// Export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

/// Writes the export of the configured guild to `out`.
pub async fn export(
    service: &Service,
    format: Format,
    now: DateTime<Utc>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let tickets: Vec<TicketRecord> = service
        .all_tickets()
        .await?
        .into_iter()
        .map(TicketRecord::from)
        .collect();
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            for t in tickets {
                w.serialize(t.for_spreadsheet())?;
            }
            w.flush()?;
        }
        Format::Json => {
            let key_figures = service
                .key_figures(now - Duration::days(FIGURES_WINDOW_DAYS), now)
                .await?;
            let export = JsonExport {
                generated_at: now,
                tickets,
                key_figures,
            };
            serde_json::to_writer_pretty(&mut *out, &export)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_become_text_and_other_cells_stay() {
        let safe = |s: &str| super::spreadsheet_safe(s.to_owned());
        assert_eq!(
            safe("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        for risky in ["+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(safe(risky).starts_with('\''), "{risky:?}");
        }
        assert_eq!(safe("VPN down"), "VPN down");
        assert_eq!(safe("a = b"), "a = b");
    }
}
