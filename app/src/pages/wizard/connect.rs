//! Step "Connect Bitbucket" (or the Data Center instance's name): shows whether the studio
//! may use the user's account on the provider and offers to authorize (or reconnect) it.

use api::wizard::StepId;
use leptos::prelude::*;

use super::prepared;
use super::provider_route::ForRouteProvider;
use crate::client;
use crate::components::{
    use_oauth_error, AlertSlot, AuthorizePanel, ErrorMessage, Flow, Loading, WizardStep,
};
use crate::links;
use crate::providers::Provider;

#[component]
pub fn ConnectStep() -> impl IntoView {
    view! { <ForRouteProvider content=|provider| view! { <Connect provider /> } /> }
}

#[component]
fn Connect(provider: Provider) -> impl IntoView {
    let id = provider.id;
    let connection = LocalResource::new(move || client::connection(id));
    // The repository step's first screen is asked for when the user is about to continue,
    // never before: a user who leaves here costs the provider nothing more (prepared.rs).
    let on_intent = Callback::new(move |()| prepared::prepare(id));
    let oauth_error = use_oauth_error(provider.clone());
    let heading = format!("Connect {}", provider.short_name());
    let checking = format!("Checking your {} connection…", provider.short_name());
    let next = links::next(
        Flow::Advanced,
        StepId::Connect,
        links::Choices::provider(id),
    );
    view! {
        <WizardStep flow=Flow::Advanced step=StepId::Connect heading provider=id>
            <AlertSlot message=oauth_error />
            {move || match connection.get() {
                None => view! { <Loading text=checking.clone() /> }.into_any(),
                Some(Err(error)) => view! { <ErrorMessage message=error.message /> }.into_any(),
                Some(Ok(status)) => {
                    // Authorizing returns straight to the next step, which rechecks the
                    // connection and reports a failed round trip itself.
                    view! {
                        <AuthorizePanel
                            provider=provider.clone()
                            status
                            return_to=next.clone()
                            continue_to=next.clone()
                            on_intent
                        />
                    }
                        .into_any()
                }
            }}
        </WizardStep>
    }
}
