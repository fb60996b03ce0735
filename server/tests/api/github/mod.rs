//! GitHub beside Bitbucket: the same studio routes, per provider, against the GitHub
//! sandbox (the studio's GitHub App installed on some accounts, not on others).
//!
//! - [`connect`]: authorization (consent, cancel, once), revocation, disconnect that revokes
//!   on GitHub, refresh with single-use refresh tokens, rate limits in GitHub's name.
//! - [`repositories`]: installations as groups, writable repositories only, a missing
//!   installation and its return, search and paging, the `main` branch.
//! - [`pipelines`]: a project on GitHub: list, read, save without a lost update, delete.

mod connect;
mod pipelines;
mod repositories;

use api::GitProvider;

use crate::helpers::github::Consent;
use crate::helpers::{Engine, TestApp};

pub const GH: GitProvider = GitProvider::GitHub;

impl TestApp {
    /// A server whose user ada@example.com has authorized GitHub as `user`.
    pub async fn connected_to_github(engine: Engine, user: &str) -> TestApp {
        let app = crate::helpers::spawn_app(engine).await;
        app.sign_up("ada@example.com").await;
        app.authorize_github(&app.browser, user, Consent::Authorize)
            .await;
        app
    }
}
