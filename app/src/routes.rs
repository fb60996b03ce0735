//! The route table.
//!
//! Every wizard step is its own route, so back/forward and reload land on the same step;
//! the choices made so far travel in the path and query (see [`crate::links`], which builds
//! these paths). The steps after "Select Git provider" are one route each for every provider:
//! `/projects/new/advanced/:provider/…`, the parameter a [`api::GitProvider::slug`]; a step
//! given any other slug shows the not-found page
//! ([`crate::pages::wizard::provider_route`]). Everything except sign-in and sign-up sits under one guarded
//! parent route ([`GuardedOutlet`]) instead of repeating the sign-in check in each page.
//! The pages after the wizard are [`Lazy`] routes ([`crate::lazy_pages`]).

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Routes};
use leptos_router::{path, Lazy, NavigateOptions};

use crate::components::GuardedOutlet;
use crate::lazy_pages::{
    AdvancedDetailsRoute, AdvancedReviewRoute, BranchStepRoute, ConnectStepRoute, ConnectionsRoute,
    EditPipelineRoute, NewPipelineRoute, PipelineViewRoute, ProjectRoute, QuickStartDetailsRoute,
    QuickStartReviewRoute, RepositoryStepRoute, SignUpConfirmRoute,
};
use crate::links;
use crate::pages::wizard::{ConfigurationStep, ProviderStep};
use crate::pages::{NotFound, ProjectsPage, SignIn, SignUp};

#[component]
pub fn AppRoutes() -> impl IntoView {
    view! {
        <Routes fallback=NotFound>
            <Route path=path!("/") view=HomeRedirect />
            <Route path=path!("/sign-in") view=SignIn />
            <Route path=path!("/sign-up") view=SignUp />
            <Route path=path!("/sign-up/confirm") view={Lazy::<SignUpConfirmRoute>::new()} />
            <ParentRoute path=path!("") view=GuardedOutlet>
                <Route path=path!("/projects") view=ProjectsPage />
                <Route path=path!("/projects/new") view=ConfigurationStep />
                <Route path=path!("/projects/new/quick-start/details") view={Lazy::<QuickStartDetailsRoute>::new()} />
                <Route path=path!("/projects/new/quick-start/review") view={Lazy::<QuickStartReviewRoute>::new()} />
                <Route path=path!("/projects/new/advanced") view=ProviderStep />
                <Route path=path!("/projects/new/advanced/:provider") view={Lazy::<ConnectStepRoute>::new()} />
                <Route path=path!("/projects/new/advanced/:provider/repository") view={Lazy::<RepositoryStepRoute>::new()} />
                <Route path=path!("/projects/new/advanced/:provider/branch") view={Lazy::<BranchStepRoute>::new()} />
                <Route path=path!("/projects/new/advanced/:provider/details") view={Lazy::<AdvancedDetailsRoute>::new()} />
                <Route path=path!("/projects/new/advanced/:provider/review") view={Lazy::<AdvancedReviewRoute>::new()} />
                <Route path=path!("/projects/:id") view={Lazy::<ProjectRoute>::new()} />
                <Route path=path!("/projects/:id/pipelines/view") view={Lazy::<PipelineViewRoute>::new()} />
                <Route path=path!("/projects/:id/pipelines/edit") view={Lazy::<EditPipelineRoute>::new()} />
                <Route path=path!("/projects/:id/pipelines/new") view={Lazy::<NewPipelineRoute>::new()} />
                <Route path=path!("/settings/connections") view={Lazy::<ConnectionsRoute>::new()} />
            </ParentRoute>
        </Routes>
    }
}

/// `/` has no page of its own: the projects list is home.
#[component]
fn HomeRedirect() -> impl IntoView {
    view! {
        <Redirect
            path=links::PROJECTS
            options=NavigateOptions {
                replace: true,
                ..NavigateOptions::default()
            }
        />
    }
}
