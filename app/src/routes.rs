//! The route table.
//!
//! Every wizard step is its own route, so back/forward and reload land on the same step;
//! the choices made so far travel in the path and query (see [`crate::links`], whose
//! constants are these paths). Everything except sign-in and sign-up sits under one guarded
//! parent route ([`GuardedOutlet`]) instead of repeating the sign-in check in each page.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Routes};
use leptos_router::{path, NavigateOptions};

use crate::components::GuardedOutlet;
use crate::links;
use crate::pages::wizard::{
    AdvancedDetailsStep, AdvancedReviewStep, BranchStep, ConfigurationStep, ConnectStep,
    ProviderStep, QuickStartDetailsStep, QuickStartReviewStep, RepositoryStep,
};
use crate::pages::{
    ConnectionsPage, EditPipelinePage, NewPipelinePage, NotFound, PipelineViewPage, ProjectPage,
    ProjectsPage, SignIn, SignUp, SignUpConfirm,
};

#[component]
pub fn AppRoutes() -> impl IntoView {
    view! {
        <Routes fallback=NotFound>
            <Route path=path!("/") view=HomeRedirect />
            <Route path=path!("/sign-in") view=SignIn />
            <Route path=path!("/sign-up") view=SignUp />
            <Route path=path!("/sign-up/confirm") view=SignUpConfirm />
            <ParentRoute path=path!("") view=GuardedOutlet>
                <Route path=path!("/projects") view=ProjectsPage />
                <Route path=path!("/projects/new") view=ConfigurationStep />
                <Route path=path!("/projects/new/quick-start/details") view=QuickStartDetailsStep />
                <Route path=path!("/projects/new/quick-start/review") view=QuickStartReviewStep />
                <Route path=path!("/projects/new/advanced") view=ProviderStep />
                <Route path=path!("/projects/new/advanced/bitbucket") view=ConnectStep />
                <Route path=path!("/projects/new/advanced/bitbucket/repository") view=RepositoryStep />
                <Route path=path!("/projects/new/advanced/bitbucket/branch") view=BranchStep />
                <Route path=path!("/projects/new/advanced/bitbucket/details") view=AdvancedDetailsStep />
                <Route path=path!("/projects/new/advanced/bitbucket/review") view=AdvancedReviewStep />
                <Route path=path!("/projects/:id") view=ProjectPage />
                <Route path=path!("/projects/:id/pipelines/view") view=PipelineViewPage />
                <Route path=path!("/projects/:id/pipelines/edit") view=EditPipelinePage />
                <Route path=path!("/projects/:id/pipelines/new") view=NewPipelinePage />
                <Route path=path!("/settings/connections") view=ConnectionsPage />
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
