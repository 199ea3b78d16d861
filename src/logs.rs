//! The operator's log on stderr, with every interaction or webhook token cut out of it
//! (serenity's errors carry the URL they failed on, and such a URL lets anyone post as the bot
//! for fifteen minutes).

use std::io::Write;

use tracing_subscriber::fmt::MakeWriter;

/// Starts the log at `default` level unless `RUST_LOG` says otherwise.
pub fn init(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(RedactedStderr)
        .try_init();
}

/// Makes a stderr writer that redacts tokens.
pub struct RedactedStderr;

impl<'a> MakeWriter<'a> for RedactedStderr {
    type Writer = Redacted<std::io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        Redacted(std::io::stderr())
    }
}

/// A writer that redacts each write before passing it on. The log formats every event into
/// one buffer and writes it at once, so a token never straddles two writes.
pub struct Redacted<W: Write>(pub W);

impl<W: Write> Write for Redacted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0
            .write_all(crate::domain::secrets::redact_tokens(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    #[test]
    fn a_logged_callback_url_loses_its_token() {
        let mut out = super::Redacted(Vec::new());
        let line = "WARN answering failed url=\"http://x/api/v10/interactions/12/secret-token/callback\"\n";
        write!(out, "{line}").unwrap();
        let written = String::from_utf8(out.0).unwrap();
        assert!(!written.contains("secret-token"), "{written}");
        assert!(
            written.contains("/interactions/12/***/callback"),
            "{written}"
        );
    }
}
