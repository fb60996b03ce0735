//! The sign-in, consent and error pages.
//!
//! Their accessible names are part of the contract: end-to-end tests fill "Username" and
//! "Password", press "Log in", then "Allow" or "Deny" (or "Switch user"), by role and name.
//! Every page has a language, a title, one `h1`, labelled controls and no inline script or
//! style, like the Cloud sandbox's pages; every interpolated value is escaped.

use axum::http::StatusCode;
use axum::response::Response;

use super::scopes::Scope;
use super::{
    AuthorizeRequest, ACCOUNT_PATH, AUTHORIZE_PATH, LOGIN_PATH, LOGOUT_PATH, TICKET_FIELD,
};
use crate::datacenter::{DataCenter, DcClient, PASSWORD};
use crate::html::{esc, hidden, html_response};

fn page(dc: &DataCenter, title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Bitbucket Data Center (sandbox)</title>
<link rel="stylesheet" href="{base}/_static/sandbox.css">
</head>
<body>
<header class="banner"><p class="brand">Bitbucket Data Center <span class="tag">sandbox</span></p></header>
<main>
{body}
</main>
</body>
</html>
"#,
        title = esc(title),
        base = esc(dc.base_path()),
    )
}

/// A page of the sandbox's own, with the headers of every page.
pub(crate) fn respond(dc: &DataCenter, status: StatusCode, title: &str, body: &str) -> Response {
    html_response(status, page(dc, title, body))
}

pub(crate) fn error_page(
    dc: &DataCenter,
    status: StatusCode,
    title: &str,
    message: &str,
) -> Response {
    let body = format!(
        "<h1>{}</h1>\n<p class=\"error\">{}</p>",
        esc(title),
        esc(message)
    );
    respond(dc, status, title, &body)
}

/// The sign-in form. `usernames` are the seeded users, listed as a hint.
pub(crate) fn sign_in(
    dc: &DataCenter,
    status: StatusCode,
    next: &str,
    ticket: &str,
    error: Option<&str>,
    usernames: &[String],
) -> Response {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>\n", esc(e)))
        .unwrap_or_default();
    let hint = usernames
        .iter()
        .map(|u| format!("<code>{}</code>", esc(u)))
        .collect::<Vec<_>>()
        .join(", ");
    let body = format!(
        r#"<h1>Log in to Bitbucket</h1>
{error}<p>This is a stand-in for a Bitbucket Data Center instance. Seeded users: {hint}. Every password is <code>{password}</code>.</p>
<form method="post" action="{action}">
{ticket}{next}
<p><label for="username">Username</label><br><input id="username" name="username" type="text" autocomplete="username" required></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<div class="actions"><button type="submit" class="primary">Log in</button></div>
</form>"#,
        action = esc(&format!("{}{LOGIN_PATH}", dc.base_path())),
        ticket = hidden(TICKET_FIELD, ticket),
        next = hidden("next", next),
        password = esc(PASSWORD),
    );
    html_response(status, page(dc, "Log in", &body))
}

pub(crate) struct ConsentView<'a> {
    pub client: &'a DcClient,
    pub display_name: &'a str,
    pub user_slug: &'a str,
    pub scopes: &'a [Scope],
    pub request: &'a AuthorizeRequest,
    pub ticket: &'a str,
    pub sign_out_ticket: &'a str,
}

pub(crate) fn consent(dc: &DataCenter, view: &ConsentView<'_>) -> Response {
    let params: String = view
        .request
        .to_pairs()
        .iter()
        .map(|(k, v)| hidden(k, v))
        .collect();
    let scopes: String = view
        .scopes
        .iter()
        .map(|s| {
            format!(
                "<li><strong>{}</strong>: {}</li>\n",
                esc(s.as_str()),
                esc(s.sentence())
            )
        })
        .collect();
    let destination = url::Url::parse(&view.client.redirect_uri)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            })
        })
        .unwrap_or_else(|| view.client.redirect_uri.clone());
    let next = format!("{AUTHORIZE_PATH}?{}", view.request.to_query());
    let body = format!(
        r#"<h1>{name} wants to access your Bitbucket account</h1>
<div class="signed-in">
<p>Logged in as <strong>{display}</strong> ({slug})</p>
<form method="post" action="{logout}">
{sign_out_ticket}{next}
<button type="submit">Switch user</button>
</form>
</div>
<h2 id="scopes-heading">{name} will be able to:</h2>
<ul aria-labelledby="scopes-heading">
{scopes}</ul>
<p>Bitbucket asks every time an application requests access. Whatever you choose, you will be sent back to <code>{destination}</code>.</p>
<form method="post" action="{authorize}">
{ticket}{params}
<div class="actions">
<button type="submit" name="decision" value="allow" class="primary">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</div>
</form>"#,
        name = esc(&view.client.name),
        display = esc(view.display_name),
        slug = esc(view.user_slug),
        logout = esc(&format!("{}{LOGOUT_PATH}", dc.base_path())),
        authorize = esc(&format!("{}{AUTHORIZE_PATH}", dc.base_path())),
        sign_out_ticket = hidden(TICKET_FIELD, view.sign_out_ticket),
        next = hidden("next", &next),
        ticket = hidden(TICKET_FIELD, view.ticket),
        destination = esc(&destination),
    );
    html_response(
        StatusCode::OK,
        page(dc, &format!("Authorize {}", view.client.name), &body),
    )
}

/// An application on "Authorized applications".
pub(crate) struct AuthorizedApp {
    pub id: String,
    pub name: String,
}

/// "Authorized applications": each application the user allowed, with a Revoke button.
pub(crate) fn authorized_apps(
    dc: &DataCenter,
    display_name: &str,
    user_slug: &str,
    apps: &[AuthorizedApp],
    ticket: &str,
) -> Response {
    let list = if apps.is_empty() {
        "<p>No application has access to your account.</p>".to_owned()
    } else {
        let rows: String = apps
            .iter()
            .enumerate()
            .map(|(i, app)| {
                format!(
                    r#"<tr>
<td id="app-{i}">{name}</td>
<td><form method="post" action="{action}">{ticket}{client}<button type="submit" aria-describedby="app-{i}">Revoke</button></form></td>
</tr>
"#,
                    name = esc(&app.name),
                    action = esc(&format!("{}{ACCOUNT_PATH}/revoke", dc.base_path())),
                    ticket = hidden(TICKET_FIELD, ticket),
                    client = hidden("client", &app.id),
                )
            })
            .collect();
        format!(
            r#"<table>
<caption>Applications with access to your account</caption>
<thead><tr><th scope="col">Application</th><th scope="col">Actions</th></tr></thead>
<tbody>
{rows}</tbody>
</table>"#
        )
    };
    let body = format!(
        r#"<h1>Authorized applications</h1>
<p>Logged in as <strong>{display}</strong> ({slug})</p>
{list}"#,
        display = esc(display_name),
        slug = esc(user_slug),
    );
    html_response(StatusCode::OK, page(dc, "Authorized applications", &body))
}
