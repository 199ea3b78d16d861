//! What the console prints: Discord's `<t:…>` time markup turned into the desk's local time
//! (the summary's time zone), since a terminal shows markup as it is.

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;

use super::Text;

/// `<t:SECONDS>` or `<t:SECONDS:STYLE>` at the start of `s`: the seconds and its length.
fn markup_at(s: &str) -> Option<(i64, usize)> {
    let rest = s.strip_prefix("<t:")?;
    let end = rest.find('>')?;
    let inner = &rest[..end];
    let (secs, style) = inner.split_once(':').unwrap_or((inner, "f"));
    let known = style.len() == 1 && "tTdDfFR".contains(style);
    let secs = secs.parse::<i64>().ok().filter(|_| known)?;
    Some((secs, 3 + end + 1))
}

/// `text` with every time markup written as local time in `tz`, e.g. `2026-12-02 10:07 CET`.
pub fn local_times(text: &str, tz: Tz) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("<t:") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match markup_at(rest)
            .and_then(|(secs, len)| Some((Utc.timestamp_opt(secs, 0).single()?, len)))
        {
            Some((t, len)) => {
                out.push_str(&t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string());
                rest = &rest[len..];
            }
            None => {
                out.push_str("<t:");
                rest = &rest[3..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl Text<'_> {
    /// `text` as the console shows it: times in the desk's time zone.
    pub fn for_terminal(&self, text: &str) -> String {
        local_times(text, self.config.summary.timezone)
    }
}

#[cfg(test)]
mod tests {
    use super::local_times;

    #[test]
    fn markup_becomes_local_time_and_the_rest_stays() {
        let madrid = chrono_tz::Europe::Madrid;
        // 2026-12-02 09:07 UTC is 10:07 in Madrid (winter time).
        let t = 1_796_202_420;
        assert_eq!(
            local_times(&format!("until <t:{t}:f>, due <t:{t}:R>."), madrid),
            "until 2026-12-02 10:07 CET, due 2026-12-02 10:07 CET."
        );
        assert_eq!(
            local_times(&format!("<t:{t}>"), madrid),
            "2026-12-02 10:07 CET"
        );
        for kept in [
            "<t:abc:f>",
            "<t:12:Q>",
            "<t:",
            "a <@123> b",
            "<t:99999999999999999999>",
        ] {
            assert_eq!(local_times(kept, madrid), kept);
        }
    }
}
