//! The sign-in and sign-up form: the two pages differ in words, endpoint and outcome.
//!
//! Both accept `?return_to=/some/path` (checked by [`crate::return_to`]) so the guard can
//! send a user here from any page and back again afterwards. Credentials are validated by
//! the server only, so the messages people see come from one place; errors the server ties
//! to a field appear next to that field, the rest in the page's alert.
//!
//! Signing in goes straight to `return_to`. Signing up mails a link instead (the server
//! answers the same for every address, so it cannot be used to learn who has an account):
//! the page then says where to look, and the link's page ([`super::sign_up_confirm`])
//! finishes the sign-up and continues to `return_to`.

use crate::tasks::PageTasks;
use api::{Credentials, SignUp, SignUpStarted};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::client::{self, errors};
use crate::components::field::{aria_invalid, described_by};
use crate::components::{AlertSlot, PageHeading};
use crate::context::{use_server_info, Session};
use crate::links::{self, query};
use crate::return_to;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    SignIn,
    SignUp,
}

impl AuthMode {
    pub fn heading(self) -> &'static str {
        match self {
            AuthMode::SignIn => "Sign in",
            AuthMode::SignUp => "Create your studio account",
        }
    }

    pub fn submit_label(self) -> &'static str {
        match self {
            AuthMode::SignIn => "Sign in",
            AuthMode::SignUp => "Create account",
        }
    }

    /// The other page: its path and the link text leading there.
    pub fn switch(self) -> (&'static str, &'static str) {
        match self {
            AuthMode::SignIn => (links::SIGN_UP, "Create an account"),
            AuthMode::SignUp => (links::SIGN_IN, "I already have an account"),
        }
    }

    pub fn password_autocomplete(self) -> &'static str {
        match self {
            AuthMode::SignIn => "current-password",
            AuthMode::SignUp => "new-password",
        }
    }
}

const EMAIL_ERROR_ID: &str = "email-error";
const PASSWORD_ERROR_ID: &str = "password-error";
const PASSWORD_HINT_ID: &str = "password-hint";

#[component]
pub fn AuthForm(mode: AuthMode) -> impl IntoView {
    let tasks = PageTasks::new();
    let session = Session::expect();
    let navigate = use_navigate();
    let params = use_query_map();

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let alert = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let mail_sent = RwSignal::new(None::<SignUpStarted>);

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let credentials = Credentials {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        let destination =
            params.with_untracked(|params| return_to::sanitize(params.get_str(query::RETURN_TO)));
        email_error.set(None);
        password_error.set(None);
        alert.set(None);
        pending.set(true);
        let navigate = navigate.clone();
        tasks.spawn(async move {
            let result = match mode {
                AuthMode::SignIn => client::sign_in(credentials).await.map(Outcome::SignedIn),
                AuthMode::SignUp => client::sign_up(SignUp {
                    email: credentials.email,
                    password: credentials.password,
                    return_to: Some(destination.clone()),
                })
                .await
                .map(Outcome::MailSent),
            };
            pending.try_set(false);
            match result {
                Ok(Outcome::SignedIn(me)) => {
                    session.signed_in(me);
                    navigate(
                        &destination,
                        NavigateOptions {
                            replace: true,
                            ..NavigateOptions::default()
                        },
                    );
                }
                Ok(Outcome::MailSent(started)) => {
                    password.try_set(String::new());
                    mail_sent.try_set(Some(started));
                }
                Err(error) => match errors::for_field(error, &["email", "password"]) {
                    Ok(("email", message)) => {
                        email_error.try_set(Some(message));
                    }
                    Ok((_, message)) => {
                        password_error.try_set(Some(message));
                    }
                    Err(error) => {
                        alert.try_set(Some(error.message));
                    }
                },
            }
        });
    };

    let (switch_page, switch_label) = mode.switch();
    let kept_return_to = move || {
        params.with(|params| {
            params
                .get_str(query::RETURN_TO)
                .filter(|candidate| return_to::is_safe(candidate))
                .map(str::to_owned)
        })
    };
    let switch_href = move || links::auth_page(switch_page, kept_return_to().as_deref());
    // Sent here from a page of the studio (a session that ended, a deep link): say so, and
    // that signing in goes back there.
    let continuing = move || {
        (mode == AuthMode::SignIn && kept_return_to().is_some()).then(|| {
            view! {
                <p class="notice" role="note">
                    "Sign in to continue where you were. Sessions end after 7 days without use."
                </p>
            }
        })
    };
    let password_hint = (mode == AuthMode::SignUp).then(|| {
        format!(
            "Use at least {} characters.",
            api::account::MIN_PASSWORD_CHARS
        )
    });
    let has_hint = password_hint.is_some();

    let form = move || {
        view! {
            <AlertSlot message=Signal::derive(move || alert.get()) />
            <form class="form" novalidate on:submit=on_submit.clone()>
                <div class="field">
                    <label for="email">"Email"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="email"
                        required
                        bind:value=email
                        aria-invalid=move || aria_invalid(email_error.with(Option::is_some))
                        aria-describedby=move || {
                            described_by(
                                &[email_error.with(Option::is_some).then_some(EMAIL_ERROR_ID)],
                            )
                        }
                    />
                    {move || {
                        email_error
                            .get()
                            .map(|message| {
                                view! {
                                    <p class="field-error" id=EMAIL_ERROR_ID>
                                        {message}
                                    </p>
                                }
                            })
                    }}
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    {password_hint
                        .clone()
                        .map(|hint| {
                            view! {
                                <p class="field-hint" id=PASSWORD_HINT_ID>
                                    {hint}
                                </p>
                            }
                        })}
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete=mode.password_autocomplete()
                        required
                        bind:value=password
                        aria-invalid=move || aria_invalid(password_error.with(Option::is_some))
                        aria-describedby=move || {
                            described_by(
                                &[
                                    has_hint.then_some(PASSWORD_HINT_ID),
                                    password_error.with(Option::is_some).then_some(PASSWORD_ERROR_ID),
                                ],
                            )
                        }
                    />
                    {move || {
                        password_error
                            .get()
                            .map(|message| {
                                view! {
                                    <p class="field-error" id=PASSWORD_ERROR_ID>
                                        {message}
                                    </p>
                                }
                            })
                    }}
                </div>
                <div class="form-actions">
                    <button
                        type="submit"
                        class="button button-primary"
                        disabled=move || pending.get()
                    >
                        {mode.submit_label()}
                    </button>
                </div>
            </form>
            <p class="form-switch">
                <A href=switch_href>{switch_label}</A>
            </p>
        }
    };

    view! {
        <section class="page-section auth-page">
            <Show
                when=move || mail_sent.with(Option::is_none)
                fallback=move || {
                    mail_sent.get().map(|started| view! { <CheckYourMail started /> })
                }
            >
                <PageHeading text=mode.heading() />
                {continuing}
                {form()}
            </Show>
        </section>
    }
}

/// What a successful submit led to.
enum Outcome {
    SignedIn(api::Me),
    MailSent(SignUpStarted),
}

/// After sign-up: where the link went, and (when this studio keeps its mail instead of
/// sending it) where to read it.
#[component]
fn CheckYourMail(started: SignUpStarted) -> impl IntoView {
    let info = use_server_info();
    let mailbox = move || {
        info.get()
            .and_then(Result::ok)
            .and_then(|info| info.mailbox_url)
            .map(|url| {
                view! {
                    <p class="notice" role="note">
                        "This studio runs without a mail server, so it keeps its mail itself: "
                        // Not one of the app's routes: `rel="external"` keeps the router
                        // from handling the click.
                        <a href=url rel="external">"open the studio's mailbox"</a>
                        "."
                    </p>
                }
            })
    };
    view! {
        <PageHeading text="Check your email" />
        <p role="status">
            "We sent a link to " <strong>{started.email}</strong> ". Open it within "
            {started.link_valid_hours} " hours to finish creating your account."
        </p>
        <p>"If this address has an account already, the mail says so, and you can sign in instead."</p>
        {mailbox}
        <p class="form-switch">
            <A href=links::SIGN_IN>"Sign in"</A>
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_pages_point_at_each_other() {
        assert_eq!(AuthMode::SignIn.switch().0, links::SIGN_UP);
        assert_eq!(AuthMode::SignUp.switch().0, links::SIGN_IN);
        assert_eq!(AuthMode::SignUp.password_autocomplete(), "new-password");
        assert_eq!(AuthMode::SignIn.submit_label(), "Sign in");
    }
}
