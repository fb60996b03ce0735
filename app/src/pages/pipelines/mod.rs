//! A project's pipelines: the list on the project page ([`PipelineSection`]), one pipeline
//! read-only with line numbers ([`PipelineViewPage`]), and the editor for a new or an existing
//! pipeline ([`EditPipelinePage`], [`NewPipelinePage`]).
//!
//! None of them knows where the pipelines are kept: the server answers the same types for a
//! Bitbucket repository and for the studio's own store, and the version token a save needs
//! (`revision`) is passed back untouched.

mod editor;
mod list;
mod viewer;

pub use editor::{EditPipelinePage, NewPipelinePage};
pub use list::PipelineSection;
pub use viewer::PipelineViewPage;

use api::{ApiError, Change, ConnectionStatus, ErrorCode, PipelineFile};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::client;
use crate::components::{
    connection_problem, AuthorizePanel, ErrorMessage, Loading, PageHeading, TryAgain,
};
use crate::context::use_server_info;
use crate::links;
use crate::providers::Provider;
use crate::time::format_utc;

/// Authorize or Reconnect for the provider of the project's repository, when a pipeline call
/// found its connection missing or broken. The pipeline answers do not name the provider, so
/// the project is read (only then) to learn it.
#[component]
fn ProjectAuthorizePanel(
    project_id: i64,
    status: ConnectionStatus,
    #[prop(into)] return_to: String,
) -> impl IntoView {
    let project = LocalResource::new(move || client::project(project_id));
    let info = use_server_info();
    move || {
        let id = project
            .get()?
            .ok()
            .and_then(|project| project.repository)
            .map(|repository| repository.provider)
            .unwrap_or_default();
        let provider = Provider::of(id, info.get()?.as_ref().ok());
        Some(view! {
            <AuthorizePanel provider status=status.clone() return_to=return_to.clone() />
        })
    }
}

/// The `:id` of the route, if it is a number.
fn use_project_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|params| links::parse_project_id(params.get_str("id"))))
}

/// The `?path=` of the route.
fn use_path_query() -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .with(|query| query.get(links::query::PATH))
            .filter(|p| !p.is_empty())
    })
}

/// The `?branch=` of the route: the branch the page is on (`None`: the project's own).
pub fn route_branch() -> Option<String> {
    use_query_map()
        .with_untracked(|query| query.get(links::query::BRANCH))
        .filter(|branch| !branch.is_empty())
}

/// The pipeline the route names (`:id`, `?path=` and `?branch=`), loaded. Meanwhile a status line; on
/// failure Reconnect (returning to `here`) or the sentence with Try again. `content` gets the
/// project id, the file, and a callback that reads the file again.
#[component]
fn RoutePipeline<F, V>(
    loading: &'static str,
    heading: &'static str,
    here: fn(i64, &str, Option<&str>) -> String,
    content: F,
) -> impl IntoView
where
    F: Fn(i64, PipelineFile, Callback<()>) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let id = use_project_id();
    let path = use_path_query();
    let branch = route_branch();
    let file = LocalResource::new(move || {
        let (id, path, branch) = (id.get(), path.get(), branch.clone());
        async move {
            match (id, path) {
                (Some(id), Some(path)) => client::pipeline(id, &path, branch.as_deref()).await,
                _ => Err(ApiError::new(
                    ErrorCode::NotFound,
                    "This address names no pipeline. Open one from the project's list.",
                )),
            }
        }
    });
    move || match (id.get(), file.get()) {
        // (No id gives an error, never a file.)
        (_, None) | (None, Some(Ok(_))) => view! { <Loading text=loading /> }.into_any(),
        (Some(project_id), Some(Ok(loaded))) => {
            content(project_id, loaded, Callback::new(move |()| file.refetch())).into_any()
        }
        (id, Some(Err(error))) => {
            let back_here = match (id, path.get()) {
                (Some(id), Some(path)) => here(id, &path, route_branch().as_deref()),
                _ => links::PROJECTS.to_owned(),
            };
            view! {
                <PageHeading text=heading />
                {match (id, connection_problem(&error)) {
                    (Some(project_id), Some(status)) => {
                        view! { <ProjectAuthorizePanel project_id status return_to=back_here /> }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <ErrorMessage message=error.message />
                            <TryAgain on_retry=move |()| file.refetch() />
                        }
                            .into_any()
                    }
                }}
            }
            .into_any()
        }
    }
}

/// "Alex Rivera · 23 Nov 2026, 10:51 UTC · a1b2c3d": who, when, which version.
pub fn change_summary(change: &Change) -> String {
    let when = if change.at > 0 {
        format_utc(change.at)
    } else {
        "date unknown".into()
    };
    format!("{} · {when} · {}", change.author, change.label)
}

/// The first line of a commit message (the rest is detail).
pub fn headline(message: &str) -> &str {
    message.lines().next().unwrap_or_default()
}

/// One change: its summary line and its message's headline.
#[component]
fn ChangeLine(change: Change) -> impl IntoView {
    let summary = change_summary(&change);
    let message = headline(&change.message).to_owned();
    view! {
        <span class="change">
            <span class="change-message">{message}</span>
            <span class="change-meta">{summary}</span>
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_who_when_which() {
        let change = Change {
            revision: "0123456789".into(),
            label: "0123456".into(),
            author: "Alex Rivera".into(),
            at: 1_795_428_000,
            message: "Load orders nightly\n\nDetails".into(),
        };
        assert_eq!(
            change_summary(&change),
            "Alex Rivera · 23 Nov 2026, 10:00 UTC · 0123456"
        );
        assert_eq!(headline(&change.message), "Load orders nightly");
        assert_eq!(headline(""), "");
    }
}
