//! `/sign-up`.

use leptos::prelude::*;

use super::auth_form::{AuthForm, AuthMode};

#[component]
pub fn SignUp() -> impl IntoView {
    view! { <AuthForm mode=AuthMode::SignUp /> }
}
