//! `/sign-up/confirm#token=…`: the page a sign-up mail links to. It names the address the link
//! creates the account for, and one button creates it, signs it in, and continues where the
//! sign-up started (`return_to`, checked again here).
//!
//! A link can be opened where someone else is signed in: anyone can sign up and send their own
//! link to a signed-in person, whose session would otherwise silently become the sender's
//! account (issue 26, item 2). So the page first asks the server what the link is for and who
//! is signed in (`POST /api/auth/sign-up/inspect`, which leaves the link unused), and when
//! someone is, it says so in words and asks before switching; the server refuses to replace a
//! session unless the page says the user chose to (`switch_account`).
//!
//! The token is in the fragment, so it never reaches a server log or a Referer (the page sends
//! it in request bodies only), and the account is created only on the button: a mail scanner
//! that opens the link creates nothing.

use api::{ErrorCode, SignUpLink};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use crate::client;
use crate::components::{AlertSlot, ErrorMessage, Loading, PageHeading};
use crate::context::Session;
use crate::tasks::PageTasks;
use crate::{links, return_to};

/// The token in a `#token=…` fragment, if any.
pub fn token_of(hash: &str) -> Option<String> {
    let hash = hash.trim_start_matches('#');
    api::query::single(hash, "token")
        .ok()
        .flatten()
        .filter(|token| !token.is_empty())
}

/// The button's words: what pressing it does, naming every account it touches.
pub fn confirm_label(link: &SignUpLink) -> String {
    match &link.signed_in_as {
        None => format!("Create the account for {}", link.email),
        Some(me) => format!("Sign out of {} and create {}", me.email, link.email),
    }
}

#[component]
pub fn SignUpConfirm() -> impl IntoView {
    let tasks = PageTasks::new();
    let session = Session::expect();
    let navigate = use_navigate();
    let location = use_location();
    let token = Memo::new(move |_| location.hash.with(|hash| token_of(hash)));
    let alert = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let link = LocalResource::new(move || {
        let token = token.get();
        async move {
            match token {
                Some(token) => Some(client::inspect_sign_up(token).await),
                None => None,
            }
        }
    });
    // The server's word on who is signed in here is what the header shows too.
    Effect::new(move |_| {
        if let Some(Some(Ok(link))) = link.get() {
            match link.signed_in_as {
                Some(me) => session.signed_in(me),
                None => session.signed_out(),
            }
        }
    });

    let finish = move |switch_account: bool| {
        let Some(token) = token.get_untracked() else {
            return;
        };
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        alert.set(None);
        let navigate = navigate.clone();
        tasks.spawn(async move {
            let result = client::confirm_sign_up(token, switch_account).await;
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
                    if error.code == ErrorCode::SignedInAsSomeoneElse {
                        // Someone signed in meanwhile (in another tab): ask about them.
                        link.refetch();
                    }
                    alert.try_set(Some(error.message));
                }
            }
        });
    };

    let content = move || {
        if token.with(Option::is_none) {
            return view! {
                <p>
                    "This link is incomplete. Open the link from the sign-up mail again, or "
                    <A href=links::SIGN_UP>"sign up again"</A> "."
                </p>
            }
            .into_any();
        }
        let finish = finish.clone();
        match link.get().flatten() {
            None => view! { <Loading text="Reading the link…" /> }.into_any(),
            Some(Err(error)) => view! {
                <ErrorMessage message=error.message />
                <p>
                    <A href=links::SIGN_UP>"Sign up again"</A>
                </p>
            }
            .into_any(),
            Some(Ok(link)) => {
                let label = confirm_label(&link);
                let switch_account = link.signed_in_as.is_some();
                let signed_in_as = link.signed_in_as.map(|me| me.email);
                let question = signed_in_as.clone().map(|email| {
                    view! {
                        <p>
                            "You are signed in as " <strong>{email}</strong>
                            ". This link is for another account, " <strong>{link.email}</strong>
                            "."
                        </p>
                    }
                });
                let stay = signed_in_as.map(|email| {
                    view! {
                        <p class="form-switch">
                            <A href=links::PROJECTS>{format!("Stay signed in as {email}")}</A>
                        </p>
                    }
                });
                view! {
                    {question}
                    <div class="form-actions">
                        <button
                            type="button"
                            class="button button-primary"
                            disabled=move || pending.get()
                            on:click=move |_| finish(switch_account)
                        >
                            {label}
                        </button>
                    </div>
                    {stay}
                }
                .into_any()
            }
        }
    };

    view! {
        <section class="page-section auth-page">
            <PageHeading text="Finish creating your account" />
            <AlertSlot message=Signal::derive(move || alert.get()) />
            {content}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use api::Me;

    #[test]
    fn the_token_comes_from_the_fragment() {
        assert_eq!(token_of("#token=abc_DEF-1").as_deref(), Some("abc_DEF-1"));
        assert_eq!(token_of("token=x"), Some("x".into()));
        assert_eq!(token_of("#token="), None);
        assert_eq!(token_of(""), None);
        assert_eq!(token_of("#token=a&token=b"), None);
    }

    #[test]
    fn the_button_names_every_account_it_touches() {
        let mut link = SignUpLink {
            email: "new@example.com".into(),
            signed_in_as: None,
        };
        assert_eq!(
            confirm_label(&link),
            "Create the account for new@example.com"
        );
        link.signed_in_as = Some(Me {
            id: 1,
            email: "me@example.com".into(),
        });
        assert_eq!(
            confirm_label(&link),
            "Sign out of me@example.com and create new@example.com"
        );
    }
}
