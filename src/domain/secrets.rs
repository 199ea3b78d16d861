//! Secrets taken out of text meant for people and logs: a database URL's password, and the
//! interaction and webhook tokens Discord puts in its URLs (each lets anyone post as the bot).

/// The URL without its password: `postgres://bot:***@db/desk`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _password)) => {
                    format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
                }
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Path segments after which Discord's URLs carry a token: `/interactions/{id}/{token}/…`
/// and `/webhooks/{application}/{token}/…`.
const TOKEN_AFTER: [&str; 2] = ["/interactions/", "/webhooks/"];

/// `text` with every interaction or webhook token in a Discord URL replaced by `***`: the
/// segment after the id that follows `/interactions/` or `/webhooks/`.
pub fn redact_tokens(text: &str) -> String {
    let mut out = text.to_owned();
    for marker in TOKEN_AFTER {
        let mut from = 0;
        while let Some(found) = out[from..].find(marker) {
            let id_start = from + found + marker.len();
            let id_len = out[id_start..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(out.len() - id_start);
            let token_start = id_start + id_len + 1;
            if id_len == 0 || !out[id_start + id_len..].starts_with('/') {
                from = id_start;
                continue;
            }
            let token_len = out[token_start..]
                .find(['/', '?', '#', '"', '\'', ' ', ')', '\n'])
                .unwrap_or(out.len() - token_start);
            if token_len > 0 {
                out.replace_range(token_start..token_start + token_len, "***");
            }
            from = token_start;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redact_url("postgres://bot:s3cret@db.example:5432/desk"),
            "postgres://bot:***@db.example:5432/desk"
        );
        assert_eq!(redact_url("postgres://db/desk"), "postgres://db/desk");
        assert_eq!(
            redact_url("postgres://bot@db/desk"),
            "postgres://bot@db/desk"
        );
        assert_eq!(redact_url("sqlite://tierdesk.db"), "sqlite://tierdesk.db");
    }

    #[test]
    fn interaction_and_webhook_tokens_are_cut_from_urls() {
        let logged = "Http(UnsuccessfulRequest(ErrorResponse { url: \
            \"http://127.0.0.1:9/api/v10/interactions/1311/aW50ZXJhY3Rpb246MTMx/callback\" }))";
        let clean = redact_tokens(logged);
        assert!(!clean.contains("aW50ZXJhY3Rpb246MTMx"), "{clean}");
        assert!(clean.contains("/interactions/1311/***/callback"), "{clean}");
        let hook = "https://discord.com/api/v10/webhooks/99/tok.en-_x/messages/@original?wait=1";
        assert_eq!(
            redact_tokens(hook),
            "https://discord.com/api/v10/webhooks/99/***/messages/@original?wait=1"
        );
        let two = format!("{hook} and {hook}");
        assert_eq!(redact_tokens(&two).matches("***").count(), 2);
        for harmless in [
            "/webhooks/",
            "/interactions/abc/def",
            "no url",
            "/webhooks/12",
        ] {
            assert_eq!(redact_tokens(harmless), harmless);
        }
    }
}
