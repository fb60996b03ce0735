//! `GET /_sandbox/mail`: the mail this studio kept instead of sending (see [`crate::mail`]),
//! newest first, as a plain page with each message's links clickable. Served only when mail
//! is kept (sandbox mode, tests): it shows every sign-up link, so it must never be reachable
//! on a shared server, and `?to=` narrows it to one address.

use axum::extract::{RawQuery, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use super::AppState;
use crate::error::AppResult;

pub fn router() -> Router<AppState> {
    Router::new().route(api::paths::SANDBOX_MAILBOX, get(page))
}

async fn page(State(state): State<AppState>, RawQuery(query): RawQuery) -> AppResult<Html<String>> {
    let to = api::query::single(query.as_deref().unwrap_or_default(), "to")
        .ok()
        .flatten()
        .map(|to| to.trim().to_lowercase());
    let messages = state.db.kept_mail(to.as_deref()).await?;
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Studio mailbox</title>\
         </head><body><main>\
         <h1>Studio mailbox</h1><p>This studio keeps its mail here instead of sending it (no SMTP_URL is set). \
         Newest first.</p>",
    );
    if messages.is_empty() {
        html.push_str("<p>No mail yet.</p>");
    }
    for message in messages {
        let sent = time::OffsetDateTime::from_unix_timestamp(message.sent_at)
            .ok()
            .and_then(|at| {
                at.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default();
        html.push_str(&format!(
            "<article class=\"mail\"><h2>{subject}</h2><p>To <strong>{to}</strong>, {sent}</p><pre>{body}</pre></article>",
            subject = escape(&message.subject),
            to = escape(&message.recipient),
            body = linked(&message.body),
        ));
    }
    html.push_str("</main></body></html>");
    Ok(Html(html))
}

fn escape(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

/// The body, escaped, with each `http(s)://` word turned into a link.
fn linked(body: &str) -> String {
    body.split_inclusive(char::is_whitespace)
        .map(|word| {
            let trimmed = word.trim_end();
            if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
                let href = html_escape::encode_double_quoted_attribute(trimmed);
                let text = escape(trimmed);
                format!("<a href=\"{href}\">{text}</a>{}", &word[trimmed.len()..])
            } else {
                escape(word)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_clickable_and_text_is_escaped() {
        let html = linked("Open\n\nhttp://s/x#token=a&b\n<b>hi</b>");
        assert!(
            html.contains("<a href=\"http://s/x#token=a&amp;b\">"),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;"), "{html}");
    }
}
