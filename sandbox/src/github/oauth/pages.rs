//! The pages: sign-in, consent, installation, "Authorized GitHub Apps", errors. Their
//! accessible names are part of the contract (end-to-end tests fill "Username or email
//! address" and "Password", press "Sign in", then "Authorize {app}" or follow "Cancel",
//! "Install", "Revoke"). Every page has a language, a title, one `h1`, labelled controls and
//! no inline script or style; every interpolated value is escaped (`crate::html`).

use axum::http::StatusCode;
use axum::response::Response;

use super::{AUTHORIZATIONS_PATH, AUTHORIZE_PATH, SESSION_PATH, TICKET_FIELD};
use crate::github::GitHub;
use crate::html::{esc, hidden, html_response};

fn page(gh: &GitHub, title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – GitHub (sandbox)</title>
<link rel="stylesheet" href="{base}/_static/sandbox.css">
</head>
<body>
<header class="banner"><p class="brand">GitHub <span class="tag">sandbox</span></p></header>
<main>
{body}
</main>
</body>
</html>
"#,
        title = esc(title),
        base = esc(gh.base_path()),
    )
}

pub(crate) fn respond(gh: &GitHub, status: StatusCode, title: &str, body: &str) -> Response {
    html_response(status, page(gh, title, body))
}

pub(crate) fn error_page(gh: &GitHub, status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<h1>{}</h1>\n<p class=\"error\">{}</p>",
        esc(title),
        esc(message)
    );
    respond(gh, status, title, &body)
}

pub(crate) fn sign_in(
    gh: &GitHub,
    status: StatusCode,
    return_to: &str,
    ticket: &str,
    login: &str,
    error: Option<&str>,
) -> Response {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>\n", esc(e)))
        .unwrap_or_default();
    let body = format!(
        r#"<h1>Sign in to GitHub</h1>
{error}<form method="post" action="{action}">
{ticket}{return_to}
<p><label for="login_field">Username or email address</label><br>
<input type="text" id="login_field" name="login" value="{login}" autocomplete="username" required></p>
<p><label for="password">Password</label><br>
<input type="password" id="password" name="password" autocomplete="current-password" required></p>
<div class="actions"><button type="submit" class="primary">Sign in</button></div>
</form>
<p>Seeded users: <code>alex</code>, <code>sam</code>, <code>newbie</code>, <code>bigco</code>; password <code>sandbox</code>.</p>"#,
        action = esc(&format!("{}{SESSION_PATH}", gh.base_path())),
        ticket = hidden(TICKET_FIELD, ticket),
        return_to = hidden("return_to", return_to),
        login = esc(login),
    );
    respond(gh, status, "Sign in to GitHub", &body)
}

/// What the consent page shows.
pub(crate) struct Consent<'a> {
    pub app_name: &'a str,
    pub login: &'a str,
    pub display_name: &'a str,
    pub query: &'a str,
    pub ticket: &'a str,
    pub cancel: &'a str,
    pub destination: &'a str,
}

pub(crate) fn consent(gh: &GitHub, view: &Consent<'_>) -> Response {
    let title = format!("Authorize {}", view.app_name);
    let body = format!(
        r#"<h1>{title}</h1>
<p>Signed in as <strong>{display}</strong> ({login})</p>
<h2 id="permissions-heading">{name} would like permission to:</h2>
<ul aria-labelledby="permissions-heading">
<li><strong>Contents</strong>: read and write</li>
<li><strong>Metadata</strong>: read</li>
</ul>
<p>It acts on your behalf on the repositories where it is installed. Authorizing will redirect to <code>{destination}</code>.</p>
<form method="post" action="{action}">
{ticket}{query}
<div class="actions">
<button type="submit" class="primary">{title}</button>
<a href="{cancel}">Cancel</a>
</div>
</form>"#,
        title = esc(&title),
        display = esc(view.display_name),
        login = esc(view.login),
        name = esc(view.app_name),
        destination = esc(view.destination),
        action = esc(&format!("{}{AUTHORIZE_PATH}", gh.base_path())),
        ticket = hidden(TICKET_FIELD, view.ticket),
        query = hidden("query", view.query),
        cancel = esc(view.cancel),
    );
    respond(gh, StatusCode::OK, &title, &body)
}

/// A list of rows, each a label and a one-button form.
pub(crate) struct Row {
    pub label: String,
    pub fields: Vec<(&'static str, String)>,
}

fn button_table(
    caption: &str,
    column: &str,
    action: &str,
    button: &str,
    ticket: &str,
    rows: &[Row],
) -> String {
    let rows: String = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let fields: String = row.fields.iter().map(|(k, v)| hidden(k, v)).collect();
            format!(
                "<tr>\n<td id=\"row-{i}\">{label}</td>\n<td><form method=\"post\" action=\"{action}\">{ticket}{fields}<button type=\"submit\" aria-describedby=\"row-{i}\">{button}</button></form></td>\n</tr>\n",
                label = esc(&row.label),
                action = esc(action),
                ticket = hidden(TICKET_FIELD, ticket),
                button = esc(button),
            )
        })
        .collect();
    format!(
        "<table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">Actions</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>",
        esc(caption),
        esc(column)
    )
}

pub(crate) fn authorized_apps(gh: &GitHub, login: &str, ticket: &str, apps: &[Row]) -> Response {
    let list = if apps.is_empty() {
        "<p>You have not authorized any GitHub Apps.</p>".to_owned()
    } else {
        let action = format!("{}{AUTHORIZATIONS_PATH}/revoke", gh.base_path());
        button_table(
            "Apps you authorized",
            "GitHub App",
            &action,
            "Revoke",
            ticket,
            apps,
        )
    };
    let body = format!(
        "<h1>Authorized GitHub Apps</h1>\n<p>Signed in as <strong>{}</strong></p>\n{list}",
        esc(login)
    );
    respond(gh, StatusCode::OK, "Authorized GitHub Apps", &body)
}

pub(crate) fn install(
    gh: &GitHub,
    app_name: &str,
    slug: &str,
    ticket: &str,
    accounts: &[Row],
) -> Response {
    let title = format!("Install {app_name}");
    let list = if accounts.is_empty() {
        "<p>The app is already installed on every account you can install it on.</p>".to_owned()
    } else {
        let action = format!("{}/apps/{slug}/installations", gh.base_path());
        button_table(
            "Where to install the app",
            "Account",
            &action,
            "Install",
            ticket,
            accounts,
        )
    };
    let body = format!(
        "<h1>{}</h1>\n<p>Installing grants access to all repositories of the account: Contents (read and write), Metadata (read).</p>\n{list}",
        esc(&title)
    );
    respond(gh, StatusCode::OK, &title, &body)
}
