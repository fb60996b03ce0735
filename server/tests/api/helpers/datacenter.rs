//! Going through the Data Center sandbox's OAuth pages as a person does: sign in (username,
//! password, "Log in"), then "Allow" or "Deny" on the consent page. Used by the Data Center
//! tests and by the benchmark (which also needs a token of its own for its naive baseline).

use super::{form_with_button, Browser, TestApp};

/// Every seeded Data Center user's password.
pub const DATACENTER_PASSWORD: &str = sandbox::datacenter::PASSWORD;

impl TestApp {
    /// The Data Center authorization through `browser`: the studio's start, the sandbox's
    /// pages as `user` with `button` ("Allow" or "Deny"), then the studio's callback, which
    /// is visited. Returns where the callback sent the browser.
    pub async fn authorize_datacenter(
        &self,
        browser: &Browser,
        user: &str,
        button: &str,
    ) -> String {
        let start = format!(
            "{}?return_to={}",
            api::paths::oauth_start(api::GitProvider::BitbucketDataCenter),
            api::paths::encode_query_value("/projects/new/advanced/bitbucket-dc/repository")
        );
        let to_dc = browser.get(&start).await;
        assert_eq!(to_dc.status(), 303);
        let page_url = Browser::location(&to_dc);
        assert!(
            page_url.starts_with(&self.datacenter.sandbox.authorize_url()),
            "start redirects to Data Center: {page_url}"
        );
        let callback = datacenter_consent(browser, &page_url, &self.url, user, button).await;
        let done = browser.get(&callback).await;
        assert_eq!(done.status(), 303, "the callback redirects");
        Browser::location(&done)
    }
}

/// Fills in whatever the sandbox shows from `location` on (sign-in and consent may be one
/// page or two) until it redirects to a URL under `callback_prefix`, which is returned
/// unvisited: it carries the `code` and `state`.
pub async fn datacenter_consent(
    browser: &Browser,
    location: &str,
    callback_prefix: &str,
    user: &str,
    button: &str,
) -> String {
    let mut location = location.to_owned();
    for _ in 0..6 {
        if location.starts_with(callback_prefix) {
            return location;
        }
        let page = browser.get(&location).await;
        if page.status().is_redirection() {
            location = browser.absolute(&Browser::location(&page), &location);
            continue;
        }
        assert_eq!(page.status(), 200, "{location}");
        let html = page.text().await.unwrap();
        let mut form = form_with_button(&html, button)
            .or_else(|| form_with_button(&html, "Log in"))
            .unwrap_or_else(|| panic!("no {button:?} or \"Log in\" button in:\n{html}"));
        if html.contains("name=\"username\"") {
            form.fields
                .retain(|(name, _)| name != "username" && name != "password");
            form.fields.push(("username".into(), user.into()));
            form.fields
                .push(("password".into(), DATACENTER_PASSWORD.into()));
        }
        location = browser.submit_to_next_page(&form, &location).await;
    }
    panic!("the sandbox's pages did not lead back to {callback_prefix}: {location}");
}
