//! The sign-in, consent and App authorizations pages.
//!
//! Their accessible names are part of the contract: end-to-end tests click
//! "Sign in as Alex Rivera", "Grant access", "Cancel", "Switch account" and
//! "Revoke" by role and name, so wording changes here break those tests.

use axum::http::StatusCode;
use axum::response::Response;

use super::{AuthorizeRequest, APP_AUTHORIZATIONS_PATH, AUTHORIZE_PATH, LOGIN_PATH, LOGOUT_PATH};
use crate::directory::Account;
use crate::html::{esc, hidden, html_response, page};
use crate::{Consumer, Sandbox};

fn hidden_pairs(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| hidden(k, v)).collect()
}

pub(crate) fn sign_in(sb: &Sandbox, return_path: &str, params: &[(&str, &str)]) -> Response {
    let accounts: Vec<(String, String)> = sb
        .world()
        .directory
        .accounts
        .values()
        .map(|a| (a.nickname.clone(), a.display_name.clone()))
        .collect();
    let buttons: String = accounts
        .iter()
        .map(|(nick, name)| {
            format!(
                r#"<li><button type="submit" name="account" value="{}">Sign in as {}</button></li>
"#,
                esc(nick),
                esc(name)
            )
        })
        .collect();
    let body = format!(
        r#"<h1>Log in to Bitbucket (sandbox)</h1>
<p>This is a stand-in for bitbucket.org. Choose a seeded account; no password is needed.</p>
<form method="post" action="{action}">
{hidden_return}{hidden_params}
<ul class="plain">
{buttons}</ul>
</form>"#,
        action = esc(&format!("{}{LOGIN_PATH}", sb.base_path())),
        hidden_return = hidden("return_path", return_path),
        hidden_params = hidden_pairs(params),
    );
    html_response(StatusCode::OK, page(sb, "Log in", &body))
}

/// What a consumer scope lets the app do, in the words of a consent page.
pub(crate) fn scope_sentence(scope: &str) -> String {
    match scope {
        "account" => "Read your account information".into(),
        "account:write" => "Read and modify your account information".into(),
        "repository" => "Read your repositories".into(),
        "repository:write" => "Read and modify your repositories".into(),
        "repository:admin" => "Administer your repositories".into(),
        "repository:delete" => "Delete your repositories".into(),
        "project" => "Read your workspace's project settings".into(),
        "pullrequest" => "Read your pull requests".into(),
        "pullrequest:write" => "Read and modify your pull requests".into(),
        "webhook" => "Read and modify your repositories' webhooks".into(),
        "email" => "Read your email addresses".into(),
        other => format!("Use the \u{201c}{other}\u{201d} permission"),
    }
}

pub(crate) fn consent(
    sb: &Sandbox,
    consumer: &Consumer,
    account: &Account,
    redirect: &str,
    req: &AuthorizeRequest,
    ticket: &str,
) -> Response {
    let params = req.to_pairs();
    let scopes: String = consumer
        .scopes
        .iter()
        .map(|s| format!("<li>{}</li>\n", esc(&scope_sentence(s))))
        .collect();
    let destination = url::Url::parse(redirect)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            })
        })
        .unwrap_or_else(|| redirect.to_owned());
    let body = format!(
        r#"<h1>{name} is requesting access</h1>
<div class="signed-in">
<p>Signed in as <strong>{display}</strong></p>
<form method="post" action="{logout}">
{hidden_return}{hidden_params}
<button type="submit">Switch account</button>
</form>
</div>
<h2 id="scopes-heading">{name} will be able to:</h2>
<ul aria-labelledby="scopes-heading">
{scopes}</ul>
<p>After you choose, you will be sent back to <code>{destination}</code>. You can revoke access at any time in App authorizations.</p>
<form method="post" action="{authorize}">
{hidden_ticket}{hidden_params}
<div class="actions">
<button type="submit" name="action" value="grant" class="primary">Grant access</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</div>
</form>"#,
        name = esc(&consumer.name),
        display = esc(&account.display_name),
        logout = esc(&format!("{}{LOGOUT_PATH}", sb.base_path())),
        authorize = esc(&format!("{}{AUTHORIZE_PATH}", sb.base_path())),
        hidden_return = hidden("return_path", AUTHORIZE_PATH),
        hidden_params = hidden_pairs(&params),
        hidden_ticket = hidden("csrf_token", ticket),
        destination = esc(&destination),
    );
    html_response(
        StatusCode::OK,
        page(sb, &format!("Authorize {}", consumer.name), &body),
    )
}

pub(crate) struct AuthorizedApp {
    pub key: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub granted_on: String,
}

pub(crate) fn app_authorizations(
    sb: &Sandbox,
    account: &Account,
    apps: &[AuthorizedApp],
    ticket: &str,
) -> Response {
    let list = if apps.is_empty() {
        "<p>You have not authorized any apps.</p>".to_owned()
    } else {
        let rows: String = apps
            .iter()
            .enumerate()
            .map(|(i, app)| {
                let perms: Vec<String> = app.scopes.iter().map(|s| scope_sentence(s)).collect();
                format!(
                    r#"<tr>
<td id="app-{i}">{name}</td>
<td>{perms}</td>
<td>{granted}</td>
<td><form method="post" action="{action}">{ticket}{consumer}<button type="submit" aria-describedby="app-{i}">Revoke</button></form></td>
</tr>
"#,
                    name = esc(&app.name),
                    perms = esc(&perms.join("; ")),
                    granted = esc(&app.granted_on),
                    action = esc(&format!("{}{APP_AUTHORIZATIONS_PATH}revoke", sb.base_path())),
                    ticket = hidden("csrf_token", ticket),
                    consumer = hidden("consumer", &app.key),
                )
            })
            .collect();
        format!(
            r#"<table>
<caption>Apps with access to your account</caption>
<thead><tr><th scope="col">App</th><th scope="col">Permissions</th><th scope="col">Authorized</th><th scope="col">Actions</th></tr></thead>
<tbody>
{rows}</tbody>
</table>"#
        )
    };
    let body = format!(
        r#"<h1>App authorizations</h1>
<p>Signed in as <strong>{display}</strong></p>
{list}"#,
        display = esc(&account.display_name),
    );
    html_response(StatusCode::OK, page(sb, "App authorizations", &body))
}
