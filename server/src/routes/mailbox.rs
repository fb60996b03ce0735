//! `GET /_sandbox/mail`: the mail this studio kept instead of sending (see [`crate::mail`]),
//! newest first, with each message's links clickable. Served only when mail is kept (sandbox
//! mode, tests): it shows every sign-up link, so it must never be reachable on a shared
//! server, and `?to=` narrows it to one address.
//!
//! Drawn by the server (no script, so readable by the tests' and the soak's plain HTTP
//! clients), in the studio's frame and with its stylesheet, with a way back into the studio.

use axum::extract::{RawQuery, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

use super::AppState;
use crate::error::AppResult;

/// `stylesheet`: the app's stylesheet (`spa::Site::stylesheet_href`).
pub fn router(stylesheet: String) -> Router<AppState> {
    let stylesheet: Arc<str> = stylesheet.into();
    Router::new().route(
        api::paths::SANDBOX_MAILBOX,
        get(move |state, query| page(state, query, Arc::clone(&stylesheet))),
    )
}

async fn page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    stylesheet: Arc<str>,
) -> AppResult<Html<String>> {
    let to = api::query::single(query.as_deref().unwrap_or_default(), "to")
        .ok()
        .flatten()
        .map(|to| to.trim().to_lowercase());
    let messages = state.db.kept_mail(to.as_deref()).await?;
    let mut html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Studio mailbox · Pipeline Studio</title>\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"{stylesheet}\"></head><body>\
         <header class=\"site-header\"><div class=\"site-header-bar\">\
         <a class=\"brand\" href=\"/\">Pipeline Studio</a></div></header>\
         <main id=\"main\" class=\"page\"><section class=\"page-section\">\
         <h1>Studio mailbox</h1>\
         <p class=\"step-intro\">This studio keeps its mail here instead of sending it (no SMTP_URL \
         is set). Open the link in the newest message to go on. Newest first.</p>",
        stylesheet = html_escape::encode_double_quoted_attribute(&stylesheet),
    );
    if let Some(to) = &to {
        html.push_str(&format!(
            "<p>Mail to <strong>{}</strong>. <a href=\"{}\">All mail</a></p>",
            escape(to),
            api::paths::SANDBOX_MAILBOX
        ));
    }
    if messages.is_empty() {
        html.push_str(
            "<p class=\"empty-state\">No mail yet. Mail arrives a moment after it is sent: \
             reload this page.</p>",
        );
    }
    for message in messages {
        let sent = time::OffsetDateTime::from_unix_timestamp(message.sent_at)
            .ok()
            .and_then(|at| at.format(SENT_AT).ok())
            .unwrap_or_default();
        html.push_str(&format!(
            "<article class=\"panel mail\"><h2>{subject}</h2><p class=\"mail-meta\">To <strong>{to}</strong>, {sent}</p><pre class=\"mail-body\">{body}</pre></article>",
            subject = escape(&message.subject),
            to = escape(&message.recipient),
            body = linked(&message.body),
        ));
    }
    html.push_str(
        "<p class=\"page-footer-link\"><a href=\"/sign-in\">Back to the studio</a></p>\
         </section></main></body></html>",
    );
    Ok(Html(html))
}

/// "6 Dec 2026, 11:00 UTC", as the app shows times.
const SENT_AT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
);

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
