//! "Authorized GitHub Apps" (`/settings/apps/authorizations`, where a user revokes an app:
//! every token of it dies, so the API answers 401 and a refresh `bad_refresh_token`) and
//! the installation page (`/apps/{slug}/installations/new`), which installs the app on all
//! repositories of an account the user picks, then sends the browser to the app's Setup URL
//! with `installation_id`, `setup_action=install` and the `state` it was given.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;

use super::authorize::sign_in;
use super::pages::{self, Row};
use super::store::TicketPurpose;
use super::{
    field, new_ticket, parse_pairs, see_other, session_user, take_ticket, AUTHORIZATIONS_PATH,
};
use crate::github::GitHub;
use crate::oauth::with_params;

fn expired(gh: &GitHub) -> Response {
    pages::error_page(
        gh,
        StatusCode::BAD_REQUEST,
        "This page has expired",
        "The form was already used or is too old.",
    )
}

pub(super) async fn authorizations(State(gh): State<GitHub>, jar: CookieJar) -> Response {
    let Some(user) = session_user(&gh, &jar) else {
        return sign_in(&gh, jar, StatusCode::OK, AUTHORIZATIONS_PATH, "", None);
    };
    let clients = gh.world().oauth.clients_of(&user);
    let rows: Vec<Row> = clients
        .iter()
        .filter_map(|id| gh.app_by_client(id))
        .map(|app| Row {
            label: app.name.clone(),
            fields: vec![("client_id", app.client_id.clone())],
        })
        .collect();
    let ticket = new_ticket(&gh, TicketPurpose::Revoke { user: user.clone() });
    pages::authorized_apps(&gh, &user, &ticket, &rows)
}

pub(super) async fn revoke(State(gh): State<GitHub>, jar: CookieJar, body: Bytes) -> Response {
    let pairs = parse_pairs(&body);
    let Some(TicketPurpose::Revoke { user }) = take_ticket(&gh, &pairs) else {
        return expired(&gh);
    };
    if session_user(&gh, &jar).as_deref() != Some(user.as_str()) {
        return expired(&gh);
    }
    let Some(app) = field(&pairs, "client_id").and_then(|id| gh.app_by_client(id)) else {
        return pages::error_page(
            &gh,
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "Choose an app to revoke.",
        );
    };
    gh.revoke(&user, &app.client_id);
    see_other(&format!("{}{AUTHORIZATIONS_PATH}", gh.base_path()))
}

pub(super) async fn install_page(
    State(gh): State<GitHub>,
    Path(slug): Path<String>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(app) = gh.app_by_slug(&slug) else {
        return pages::error_page(
            &gh,
            StatusCode::NOT_FOUND,
            "Page not found",
            "No GitHub App has this name.",
        );
    };
    let Some(user) = session_user(&gh, &jar) else {
        let mut return_to = format!("/apps/{slug}/installations/new");
        if let Some(q) = query.as_deref().filter(|q| !q.is_empty()) {
            return_to = format!("{return_to}?{q}");
        }
        return sign_in(&gh, jar, StatusCode::OK, &return_to, "", None);
    };
    let state =
        field(&parse_pairs(query.unwrap_or_default().as_bytes()), "state").map(str::to_owned);
    let accounts: Vec<Row> = {
        let world = gh.world();
        world
            .accounts_of(&user)
            .into_iter()
            .filter(|a| {
                !world
                    .installations
                    .iter()
                    .any(|i| &i.account == a && i.app_slug == slug)
            })
            .map(|a| Row {
                label: a.clone(),
                fields: vec![("account", a)],
            })
            .collect()
    };
    let ticket = new_ticket(
        &gh,
        TicketPurpose::Install {
            user,
            slug: slug.clone(),
            state,
        },
    );
    pages::install(&gh, &app.name, &slug, &ticket, &accounts)
}

pub(super) async fn install(
    State(gh): State<GitHub>,
    Path(slug): Path<String>,
    jar: CookieJar,
    body: Bytes,
) -> Response {
    let pairs = parse_pairs(&body);
    let Some(TicketPurpose::Install {
        user,
        slug: bound,
        state,
    }) = take_ticket(&gh, &pairs)
    else {
        return expired(&gh);
    };
    if bound != slug || session_user(&gh, &jar).as_deref() != Some(user.as_str()) {
        return expired(&gh);
    }
    let Some(app) = gh.app_by_slug(&slug) else {
        return expired(&gh);
    };
    let account = field(&pairs, "account").unwrap_or("").to_owned();
    let id = {
        let mut world = gh.world();
        if !world.accounts_of(&user).contains(&account) {
            drop(world);
            return pages::error_page(
                &gh,
                StatusCode::BAD_REQUEST,
                "Invalid request",
                "You cannot install the app on this account.",
            );
        }
        world.install(&account, &slug)
    };
    let id = id.to_string();
    match &app.setup_url {
        Some(setup) => {
            let mut params = vec![
                ("installation_id", id.as_str()),
                ("setup_action", "install"),
            ];
            if let Some(s) = state.as_deref() {
                params.push(("state", s));
            }
            see_other(&with_params(setup, &params))
        }
        None => see_other(&format!("{}/settings/installations/{id}", gh.base_path())),
    }
}

/// The plain "installed" page, for an app without a Setup URL.
pub(super) async fn installed(State(gh): State<GitHub>, Path(id): Path<u64>) -> Response {
    let found = gh
        .world()
        .installations
        .iter()
        .find(|i| i.id == id)
        .cloned();
    match found {
        Some(i) => {
            let body = format!(
                "<h1>Installed</h1>\n<p>The app <strong>{}</strong> is installed on <strong>{}</strong> (installation {}), on all repositories.</p>",
                crate::html::esc(&i.app_slug),
                crate::html::esc(&i.account),
                i.id
            );
            pages::respond(&gh, StatusCode::OK, "Installed", &body)
        }
        None => pages::error_page(
            &gh,
            StatusCode::NOT_FOUND,
            "Page not found",
            "No such installation.",
        ),
    }
}
