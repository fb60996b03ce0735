//! `/sign-in`.

use leptos::prelude::*;

use super::auth_form::{AuthForm, AuthMode};

#[component]
pub fn SignIn() -> impl IntoView {
    view! { <AuthForm mode=AuthMode::SignIn /> }
}
