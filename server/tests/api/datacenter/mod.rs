//! Bitbucket Data Center beside Cloud: the same studio routes, per provider, against the
//! Data Center sandbox (configured in every test app as "Acme Bitbucket").
//!
//! - [`connect`]: authorization (consent, denial, per user and once), status, revocation,
//!   disconnect, refresh.
//! - [`repositories`]: projects, writable repositories with search and paging over 10,000,
//!   the `main` branch check and creation.
//! - [`pipelines`]: a project on Data Center: list, read, save, conflicts, delete refused.

mod connect;
mod pipelines;
mod repositories;

use api::GitProvider;
use serde_json::json;

use crate::helpers::{TestApp, CLIENT_ID};

pub const DC: GitProvider = GitProvider::BitbucketDataCenter;

impl TestApp {
    /// A server whose user ada@example.com has authorized Data Center as `alex`.
    pub async fn connected_to_datacenter(engine: crate::helpers::Engine) -> TestApp {
        let app = crate::helpers::spawn_app(engine).await;
        app.sign_up("ada@example.com").await;
        app.authorize_datacenter(&app.browser, "alex", "Allow")
            .await;
        app
    }

    /// A colleague's commit on the Data Center sandbox.
    pub async fn datacenter_commit(&self, repository: &str, path: &str, content: Option<&str>) {
        let response = reqwest::Client::new()
            .post(format!("{}/_control/commit", self.datacenter.url))
            .json(
                &json!({"project": "DATA", "repository": repository, "branch": "main",
                          "path": path, "content": content}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }

    /// The kinds in the provider's audit trail, newest first.
    pub async fn event_kinds_of(&self, provider: GitProvider) -> Vec<api::ConnectionEventKind> {
        let response = self
            .browser
            .get(&api::paths::connection_events(provider))
            .await;
        assert_eq!(response.status(), 200, "the audit trail");
        let events: Vec<api::ConnectionEvent> = response.json().await.unwrap();
        events.into_iter().map(|event| event.kind).collect()
    }

    /// Revokes alex's grant on the Data Center sandbox.
    pub fn revoke_datacenter(&self) {
        self.datacenter.sandbox.revoke("alex", CLIENT_ID);
    }
}
