//! The route table.
//!
//! Every wizard step is its own route, so back/forward and reload land on the same step;
//! the choices made so far travel in the path and query (see [`crate::links`], which builds
//! these paths). A step's path segments are its flow's and its own, as [`api::wizard`]
//! declares them. The steps after "Select Git provider" are one route each for every
//! provider: `/projects/new/advanced/:provider/…`, the parameter a
//! [`api::GitProvider::slug`]; a step given any other slug shows the not-found page
//! ([`crate::pages::wizard::provider_route`]). Everything except sign-in and sign-up sits under one guarded
//! parent route ([`GuardedOutlet`]) instead of repeating the sign-in check in each page.
//! The pages after the wizard are [`Lazy`] routes ([`crate::lazy_pages`]).

use api::wizard::{Step, StepId};
use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Routes};
use leptos_router::{path, Lazy, NavigateOptions, ParamSegment, StaticSegment};

use crate::components::Flow;
use crate::components::GuardedOutlet;
use crate::lazy_pages::{
    AdvancedDetailsRoute, AdvancedReviewRoute, BranchStepRoute, ConnectStepRoute, ConnectionsRoute,
    EditPipelineRoute, NewPipelineRoute, PipelineViewRoute, ProjectRoute, QuickStartDetailsRoute,
    QuickStartReviewRoute, RepositoryStepRoute, SignUpConfirmRoute,
};
use crate::links;
use crate::pages::wizard::provider_route::PARAM;
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
                <Route path=flow_step(Flow::QuickStart, StepId::Details) view={Lazy::<QuickStartDetailsRoute>::new()} />
                <Route path=flow_step(Flow::QuickStart, StepId::Review) view={Lazy::<QuickStartReviewRoute>::new()} />
                <Route path=flow_step(Flow::Advanced, StepId::Provider) view=ProviderStep />
                <Route path=provider_step(StepId::Connect) view={Lazy::<ConnectStepRoute>::new()} />
                <Route path=provider_step(StepId::Repository) view={Lazy::<RepositoryStepRoute>::new()} />
                <Route path=provider_step(StepId::Branch) view={Lazy::<BranchStepRoute>::new()} />
                <Route path=provider_step(StepId::Details) view={Lazy::<AdvancedDetailsRoute>::new()} />
                <Route path=provider_step(StepId::Review) view={Lazy::<AdvancedReviewRoute>::new()} />
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

type Segment = StaticSegment<&'static str>;

/// The segments of `/projects/new` ([`api::wizard::NEW_PROJECT`]).
const NEW_PROJECT: [&str; 2] = ["projects", "new"];

/// The segment of `step` in `flow` (empty for the first step of a level).
fn segment(flow: Flow, step: StepId) -> &'static str {
    Step::of(flow, step).map_or("", |step| step.segment)
}

/// `/projects/new/{flow}/{step}`: a step before a provider is chosen.
fn flow_step(flow: Flow, step: StepId) -> (Segment, Segment, Segment, Segment) {
    (
        StaticSegment(NEW_PROJECT[0]),
        StaticSegment(NEW_PROJECT[1]),
        StaticSegment(flow.slug()),
        StaticSegment(segment(flow, step)),
    )
}

/// `/projects/new/advanced/:provider/{step}`: a step after the provider is chosen.
fn provider_step(step: StepId) -> (Segment, Segment, Segment, ParamSegment, Segment) {
    let flow = Flow::Advanced;
    debug_assert!(
        Step::takes_provider(flow, step),
        "{step:?} names no provider"
    );
    (
        StaticSegment(NEW_PROJECT[0]),
        StaticSegment(NEW_PROJECT[1]),
        StaticSegment(flow.slug()),
        ParamSegment(PARAM),
        StaticSegment(segment(flow, step)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_routes_start_where_the_wizard_does() {
        assert_eq!(
            format!("/{}", NEW_PROJECT.join("/")),
            api::wizard::NEW_PROJECT
        );
    }
}
