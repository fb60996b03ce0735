//! The sign-in guard in front of every page except sign-in and sign-up.
//!
//! It asks the server who is signed in (`GET /api/me`) on every route change. When nobody
//! is, it sends the browser to `/sign-in?return_to=<this page>` so the user lands back here,
//! wizard choices and all (they live in the URL). When the user is already known from an
//! earlier page, the page renders at once and the check runs in the background, so moving
//! between wizard steps never flashes a loading screen.

use api::ErrorCode;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use super::{ErrorMessage, Loading, PageHeading, TryAgain};
use crate::client;
use crate::context::Session;
use crate::{links, return_to};

/// Renders `children` only for a signed-in user.
#[component]
pub fn RequireUser(children: ChildrenFn) -> impl IntoView {
    let session = Session::expect();
    let location = use_location();
    let navigate = use_navigate();

    let check = LocalResource::new(move || {
        location.pathname.track();
        client::me()
    });

    Effect::new(move |_| match check.get() {
        Some(Ok(me)) => session.signed_in(me),
        Some(Err(error)) if error.code == ErrorCode::NotSignedIn => {
            session.signed_out();
            let here = return_to::current(
                &location.pathname.get_untracked(),
                &location.search.get_untracked(),
            );
            navigate(
                &links::auth_page(links::SIGN_IN, Some(&here)),
                NavigateOptions {
                    replace: true,
                    ..NavigateOptions::default()
                },
            );
        }
        _ => {}
    });

    let signed_in = Memo::new(move |_| session.is_signed_in());
    let failure = move || {
        check
            .get()
            .and_then(Result::err)
            .filter(|error| error.code != ErrorCode::NotSignedIn)
    };

    move || {
        if signed_in.get() {
            children().into_any()
        } else if let Some(error) = failure() {
            view! {
                <PageHeading text="The studio is not available" />
                <ErrorMessage message=error.message />
                <TryAgain on_retry=move |()| check.refetch() />
            }
            .into_any()
        } else {
            view! { <Loading text="Loading…" /> }.into_any()
        }
    }
}

/// [`RequireUser`] around the nested routes: the view of the guarded parent route.
#[component]
pub fn GuardedOutlet() -> impl IntoView {
    view! {
        <RequireUser>
            <Outlet />
        </RequireUser>
    }
}
