//! Personal settings → App authorizations: the only place a Bitbucket user can
//! end an app's access. Revoking here is what makes the studio see a 401 and
//! then `invalid_grant`, so it must behave exactly like [`Sandbox::revoke`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use axum_extra::extract::cookie::CookieJar;

use super::pages::{self, AuthorizedApp};
use super::store::TicketPurpose;
use super::{see_other, signed_in, APP_AUTHORIZATIONS_PATH};
use crate::html::error_page;
use crate::Sandbox;

pub(super) async fn show(State(sb): State<Sandbox>, jar: CookieJar) -> Response {
    let Some(account) = signed_in(&sb, &jar) else {
        return pages::sign_in(&sb, APP_AUTHORIZATIONS_PATH, &[]);
    };
    let (grants, ticket, wall_start) = {
        let mut world = sb.world();
        let now = world.clock.now();
        let ticket =
            world
                .oauth
                .new_ticket(&account.nickname, TicketPurpose::AppAuthorizations, now);
        let wall_start = world.clock.wall_now() - now;
        (world.oauth.grants_of(&account.nickname), ticket, wall_start)
    };
    let apps: Vec<AuthorizedApp> = grants
        .into_iter()
        .filter_map(|(key, at)| {
            let consumer = sb.consumer(&key)?;
            let when = wall_start + at;
            Some(AuthorizedApp {
                key,
                name: consumer.name.clone(),
                scopes: consumer.scopes.clone(),
                granted_on: format!(
                    "{:04}-{:02}-{:02}",
                    when.year(),
                    u8::from(when.month()),
                    when.day()
                ),
            })
        })
        .collect();
    pages::app_authorizations(&sb, &account, &apps, &ticket)
}

pub(super) async fn revoke(
    State(sb): State<Sandbox>,
    jar: CookieJar,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let account = signed_in(&sb, &jar);
    let ticket = {
        let mut world = sb.world();
        let now = world.clock.now();
        world.oauth.take_ticket(get("csrf_token"), now)
    };
    let valid = matches!(
        (&account, &ticket),
        (Some(a), Some(t)) if a.nickname == t.account
            && matches!(t.purpose, TicketPurpose::AppAuthorizations)
    );
    if !valid {
        return error_page(
            &sb,
            StatusCode::BAD_REQUEST,
            "This page has expired",
            "Reload App authorizations and try again.",
        );
    }
    if let Some(account) = account {
        sb.revoke(&account.nickname, get("consumer"));
    }
    see_other(&format!("{}{APP_AUTHORIZATIONS_PATH}", sb.base_path()))
}
