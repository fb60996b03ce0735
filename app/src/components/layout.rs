//! The frame of every page: the header (product name, main navigation, sandbox banner,
//! account and "Sign out") and the `<main>` landmark the routes render into.

use crate::tasks::PageTasks;
use api::{ApiError, ErrorCode};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::{AlertSlot, SandboxBanner};
use crate::client;
use crate::context::Session;
use crate::draft::kept;
use crate::links;

/// Why "Sign out" waited: signing out now would lose text the server has not got.
pub const UNSENT_DRAFTS: &str =
    "You are still signed in: some of what you typed has not reached the studio yet, and signing out now would lose it.";

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <Header />
        <main id="main" class="page">
            {children()}
        </main>
    }
}

#[component]
fn Header() -> impl IntoView {
    let session = Session::expect();
    view! {
        <header class="site-header">
            <div class="site-header-bar">
                <A href=links::PROJECTS exact=true attr:class="brand">
                    "Pipeline Studio"
                </A>
                {move || session.user().map(|me| view! { <Account email=me.email /> })}
            </div>
            <SandboxBanner />
        </header>
    }
}

/// The signed-in user's email and the "Sign out" button.
#[component]
fn Account(email: String) -> impl IntoView {
    let tasks = PageTasks::new();
    let session = Session::expect();
    let navigate = use_navigate();
    let signing_out = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let sign_out = move |_| {
        if signing_out.get_untracked() {
            return;
        }
        signing_out.set(true);
        error.set(None);
        let navigate = navigate.clone();
        tasks.spawn(async move {
            // What this browser holds and the server has not got goes first: after the
            // sign-out the browser keeps nothing. Without a session (it expired) the server
            // takes nothing more, and the user asked to leave.
            if let Err(failure) = kept::flush_all().await {
                if failure.code != ErrorCode::NotSignedIn {
                    signing_out.try_set(false);
                    error.try_set(Some(format!("{UNSENT_DRAFTS} {}", failure.message)));
                    return;
                }
            }
            let result = client::sign_out().await;
            signing_out.try_set(false);
            match result {
                // Already signed out on the server: the goal is reached either way.
                Ok(())
                | Err(ApiError {
                    code: ErrorCode::NotSignedIn,
                    ..
                }) => {
                    kept::signed_out();
                    session.signed_out();
                    navigate(links::SIGN_IN, NavigateOptions::default());
                }
                Err(failure) => {
                    error.try_set(Some(failure.message));
                }
            }
        });
    };

    view! {
        <nav class="site-nav" aria-label="Main">
            <A href=links::PROJECTS>"Projects"</A>
            <A href=links::CONNECTIONS>"Connections"</A>
        </nav>
        <div class="account">
            <span class="account-email">{email}</span>
            <button
                type="button"
                class="button button-secondary"
                on:click=sign_out
                disabled=move || signing_out.get()
            >
                "Sign out"
            </button>
        </div>
        <AlertSlot message=Signal::derive(move || error.get()) />
    }
}
