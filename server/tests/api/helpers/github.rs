//! Going through the GitHub sandbox's pages as a person does: sign in (username, password,
//! "Sign in"), then "Authorize …" or "Cancel" on the consent page; and the install page.

use super::{form_with_button, Browser, TestApp};

/// Every seeded GitHub user's password.
pub const GITHUB_PASSWORD: &str = sandbox::github::PASSWORD;

/// What a user does on GitHub's consent page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consent {
    Authorize,
    Cancel,
}

impl TestApp {
    /// The GitHub authorization through `browser` as `user`, from the studio's start to its
    /// callback, which is visited. Returns where the callback sent the browser.
    pub async fn authorize_github(
        &self,
        browser: &Browser,
        user: &str,
        consent: Consent,
    ) -> String {
        let start = format!(
            "{}?return_to={}",
            api::paths::oauth_start(api::GitProvider::GitHub),
            api::paths::encode_query_value("/projects/new/advanced/github/repository")
        );
        let to_github = browser.get(&start).await;
        assert_eq!(to_github.status(), 303);
        let mut location = Browser::location(&to_github);
        assert!(
            location.starts_with(&self.github.sandbox.authorize_url()),
            "start redirects to GitHub: {location}"
        );
        for _ in 0..8 {
            if location.starts_with(&self.url) {
                let done = browser.get(&location).await;
                assert_eq!(done.status(), 303, "the callback redirects");
                return Browser::location(&done);
            }
            let page = browser.get(&location).await;
            if page.status().is_redirection() {
                location = browser.absolute(&Browser::location(&page), &location);
                continue;
            }
            assert_eq!(page.status(), 200, "{location}");
            let html = page.text().await.unwrap();
            if consent == Consent::Cancel && html.contains(">Cancel</a>") {
                let href = html
                    .split("href=\"")
                    .filter_map(|rest| rest.split_once('"'))
                    .find(|(_, after)| after.starts_with(">Cancel"))
                    .map(|(href, _)| html_escape::decode_html_entities(href).into_owned())
                    .expect("a Cancel link");
                location = browser.absolute(&href, &location);
                continue;
            }
            let mut form = form_with_button(&html, "Sign in")
                .or_else(|| form_with_button(&html, "Authorize Pipeline Studio (test)"))
                .unwrap_or_else(|| panic!("no sign-in or Authorize button in:\n{html}"));
            if html.contains("name=\"login\"") {
                form.fields
                    .retain(|(name, _)| name != "login" && name != "password");
                form.fields.push(("login".into(), user.into()));
                form.fields
                    .push(("password".into(), GITHUB_PASSWORD.into()));
            }
            location = browser.submit_to_next_page(&form, &location).await;
        }
        panic!("GitHub's pages did not lead back to the studio: {location}");
    }
}
