//! Step "Connect Bitbucket": shows whether the studio may use the user's Bitbucket account
//! and offers to authorize (or reconnect) it.

use leptos::prelude::*;

use crate::client;
use crate::components::{
    use_oauth_error, AlertSlot, AuthorizePanel, ErrorMessage, Flow, Loading, WizardStep,
};
use crate::links;

#[component]
pub fn ConnectStep() -> impl IntoView {
    let connection = LocalResource::new(client::bitbucket_connection);
    let oauth_error = use_oauth_error();
    view! {
        <WizardStep flow=Flow::Advanced current=2 heading="Connect Bitbucket" back=links::ADVANCED.to_owned()>
            <AlertSlot message=oauth_error />
            {move || match connection.get() {
                None => view! { <Loading text="Checking your Bitbucket connection…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorMessage message=error.message /> }.into_any(),
                Some(Ok(status)) => {
                    // Authorizing returns straight to the next step, which rechecks the
                    // connection and reports a failed round trip itself.
                    view! {
                        <AuthorizePanel
                            status
                            return_to=links::BITBUCKET_REPOSITORY
                            continue_to=links::BITBUCKET_REPOSITORY
                        />
                    }
                        .into_any()
                }
            }}
        </WizardStep>
    }
}
