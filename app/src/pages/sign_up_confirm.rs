//! `/sign-up/confirm#token=…`: the page a sign-up mail links to. One button finishes the
//! sign-up: the account is created, signed in, and the app continues where the sign-up
//! started (`return_to`, checked again here).
//!
//! The token is in the fragment, so it never reaches a server log or a Referer, and the
//! account is created only on the button: a mail scanner that opens the link creates nothing.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use crate::client;
use crate::components::{AlertSlot, PageHeading};
use crate::context::Session;
use crate::{links, return_to};

/// The token in a `#token=…` fragment, if any.
pub fn token_of(hash: &str) -> Option<String> {
    let hash = hash.trim_start_matches('#');
    api::query::single(hash, "token")
        .ok()
        .flatten()
        .filter(|token| !token.is_empty())
}

#[component]
pub fn SignUpConfirm() -> impl IntoView {
    let session = Session::expect();
    let navigate = use_navigate();
    let location = use_location();
    let token = Memo::new(move |_| location.hash.with(|hash| token_of(hash)));
    let alert = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let finish = move |_| {
        let Some(token) = token.get_untracked() else {
            return;
        };
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        alert.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = client::confirm_sign_up(token).await;
            pending.try_set(false);
            match result {
                Ok(signed_up) => {
                    session.signed_in(signed_up.me);
                    navigate(
                        &return_to::sanitize(Some(&signed_up.return_to)),
                        NavigateOptions {
                            replace: true,
                            ..NavigateOptions::default()
                        },
                    );
                }
                Err(error) => {
                    alert.try_set(Some(error.message));
                }
            }
        });
    };

    view! {
        <section class="page-section auth-page">
            <PageHeading text="Finish creating your account" />
            <AlertSlot message=Signal::derive(move || alert.get()) />
            <Show
                when=move || token.with(Option::is_some)
                fallback=|| {
                    view! {
                        <p>
                            "This link is incomplete. Open the link from the sign-up mail again, or "
                            <A href=links::SIGN_UP>"sign up again"</A> "."
                        </p>
                    }
                }
            >
                <p>"Your address is confirmed by this link. Create the account to start using the studio."</p>
                <div class="form-actions">
                    <button
                        type="button"
                        class="button button-primary"
                        disabled=move || pending.get()
                        on:click=finish.clone()
                    >
                        "Create my account"
                    </button>
                </div>
            </Show>
            <p class="form-switch">
                <A href=links::SIGN_IN>"Sign in"</A>
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_comes_from_the_fragment() {
        assert_eq!(token_of("#token=abc_DEF-1").as_deref(), Some("abc_DEF-1"));
        assert_eq!(token_of("token=x"), Some("x".into()));
        assert_eq!(token_of("#token="), None);
        assert_eq!(token_of(""), None);
        assert_eq!(token_of("#token=a&token=b"), None);
    }
}
