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

use crate::helpers::{form_with_button, Browser, TestApp, CLIENT_ID};

/// Every seeded Data Center user's password.
const PASSWORD: &str = "sandbox";

pub const DC: GitProvider = GitProvider::BitbucketDataCenter;

impl TestApp {
    /// The Data Center authorization as a person goes through it: start, the sandbox's
    /// page (username, password, then `button`: "Allow" or "Deny"), back to the studio's
    /// callback, which is visited. Returns where the callback sent the browser.
    pub async fn authorize_datacenter(
        &self,
        browser: &Browser,
        user: &str,
        button: &str,
    ) -> String {
        let start = format!(
            "{}?return_to={}",
            api::paths::oauth_start(DC),
            api::paths::encode_query_value("/projects/new/advanced/bitbucket-dc/repository")
        );
        let to_dc = browser.get(&start).await;
        assert_eq!(to_dc.status(), 303);
        let page_url = Browser::location(&to_dc);
        assert!(
            page_url.starts_with(&self.datacenter.datacenter.authorize_url()),
            "start redirects to Data Center: {page_url}"
        );
        // Sign-in and consent may be one page or two: fill in whatever form is shown.
        let mut location = page_url;
        for _ in 0..6 {
            if location.starts_with(&self.url) {
                break;
            }
            let page = browser.get(&location).await;
            if page.status().is_redirection() {
                location = browser.absolute(&Browser::location(&page), &location);
                continue;
            }
            assert_eq!(page.status(), 200, "{location}");
            let html = page.text().await.unwrap();
            let mut form = form_with_button(&html, button)
                .or_else(|| form_with_button(&html, "Sign in"))
                .or_else(|| form_with_button(&html, "Log in"))
                .unwrap_or_else(|| panic!("no {button:?} or sign-in button in:\n{html}"));
            if html.contains("name=\"username\"") {
                form.fields
                    .retain(|(name, _)| name != "username" && name != "password");
                form.fields.push(("username".into(), user.into()));
                form.fields.push(("password".into(), PASSWORD.into()));
            }
            let response = browser.submit(&form, &location).await;
            assert!(
                response.status().is_redirection(),
                "a sandbox form redirects: {}",
                response.status()
            );
            location = browser.absolute(&Browser::location(&response), &location);
        }
        let callback = location;
        assert!(
            callback.starts_with(&self.url),
            "back to the studio: {callback}"
        );
        let done = browser.get(&callback).await;
        assert_eq!(done.status(), 303, "the callback redirects");
        Browser::location(&done)
    }

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
            .post(format!("{}/_control/commit", self.datacenter.base_url))
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
        self.datacenter.datacenter.revoke("alex", CLIENT_ID);
    }
}
