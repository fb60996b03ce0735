//! `GET /account`, "Authorized applications": where a Data Center user ends an application's
//! access, as an operator's `BITBUCKET_DC_REVOKE_URL` sends them (by default
//! `{instance}/account`). Revoking here is exactly [`DataCenter::revoke`]: the grant, its
//! codes and its tokens end, so the studio meets a 401, then `invalid_grant`, and offers
//! Reconnect.
//!
//! Signed out, the page asks for sign-in first and comes back here. The Revoke form carries a
//! single-use ticket bound to the signed-in user.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;

use super::authorize::{bad, expired, sign_in, take_ticket};
use super::pages::{self, AuthorizedApp};
use super::store::TicketPurpose;
use super::{field, parse_pairs, see_other, session_user, ACCOUNT_PATH};
use crate::datacenter::DataCenter;

pub(super) async fn show(State(dc): State<DataCenter>, jar: CookieJar) -> Response {
    let Some(user) = session_user(&dc, &jar) else {
        return sign_in(&dc, jar, StatusCode::OK, ACCOUNT_PATH, None);
    };
    let (display_name, clients, ticket) = {
        let mut world = dc.world();
        let now = world.clock.now();
        let display_name = world
            .users
            .get(&user)
            .map_or_else(|| user.clone(), |u| u.display_name.clone());
        let clients = world.oauth.clients_of(&user);
        let ticket = world
            .oauth
            .new_ticket(TicketPurpose::Revoke { user: user.clone() }, now);
        (display_name, clients, ticket)
    };
    let apps: Vec<AuthorizedApp> = clients
        .iter()
        .filter_map(|id| {
            let client = dc.client(id)?;
            Some(AuthorizedApp {
                id: client.id.clone(),
                name: client.name.clone(),
            })
        })
        .collect();
    pages::authorized_apps(&dc, &display_name, &user, &apps, &ticket)
}

/// `POST /account/revoke`: `client` and the ticket.
pub(super) async fn revoke(State(dc): State<DataCenter>, jar: CookieJar, body: Bytes) -> Response {
    let pairs = parse_pairs(&body);
    let Some(TicketPurpose::Revoke { user }) = take_ticket(&dc, &pairs) else {
        return expired(&dc);
    };
    if session_user(&dc, &jar).as_deref() != Some(user.as_str()) {
        return expired(&dc);
    }
    let Some(client) = field(&pairs, "client").filter(|id| dc.client(id).is_some()) else {
        return bad(&dc, "Invalid request", "Choose an application to revoke.");
    };
    dc.revoke(&user, client);
    see_other(&format!("{}{ACCOUNT_PATH}", dc.base_path()))
}
