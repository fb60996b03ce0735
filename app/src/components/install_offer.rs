//! Where a provider reaches only the accounts its app is installed on (GitHub), the way to
//! install it on another: a link to the provider's install page, which sends the user back to
//! `return_to` (the provider passes `state` to the studio's `oauth_installed` route, which
//! checks it like any return path). Nothing is shown for a provider without one.

use leptos::prelude::*;

use crate::providers::Provider;

/// The install page's address, coming back to `return_to`.
pub fn install_link(install_url: &str, return_to: &str) -> String {
    api::return_to::with_query_param(install_url, "state", return_to)
}

/// The link's text.
pub fn install_label(provider: &Provider) -> String {
    format!("Install the app on {}", provider.a_group())
}

/// The sentence before the link: why a group may be missing.
pub fn why_missing(provider: &Provider, none_yet: bool) -> String {
    let (name, group) = (provider.short_name(), provider.group());
    if none_yet {
        let one = provider.a_group();
        format!("The studio reaches your {name} repositories through its app, which is not installed on any {group} you can see yet. Install it on {one}, then come back here.")
    } else {
        let one = provider.a_group();
        format!(
            "Missing {one}? The studio reaches only the {group}s its {name} app is installed on."
        )
    }
}

/// The offer, or nothing where the provider needs no installation. `return_to` is read when
/// the link is drawn, not by the caller: a caller that read the page's address to pass it
/// would redraw itself, the picker with it, at every change of that address.
#[component]
pub fn InstallOffer(
    provider: Provider,
    #[prop(into)] return_to: Signal<String>,
    none_yet: bool,
) -> impl IntoView {
    let install_url = provider.install_url.clone()?;
    let href = move || install_link(&install_url, &return_to.get());
    let label = install_label(&provider);
    Some(view! {
        <p class="install-offer">
            {why_missing(&provider, none_yet)} " "
            // `rel="external"`: a page load, not a route of this app; the router would
            // otherwise take a same-origin install page (the sandbox's) for one of its own.
            <a href=href rel="external">{label}</a>
        </p>
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_install_page_sends_the_user_back_to_the_step() {
        assert_eq!(
            install_link(
                "https://github.com/apps/studio/installations/new",
                "/projects/new/advanced/github/repository"
            ),
            "https://github.com/apps/studio/installations/new?state=%2Fprojects%2Fnew%2Fadvanced%2Fgithub%2Frepository"
        );
    }
}
