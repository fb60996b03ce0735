//! The project page's pipeline list: where they are kept (branch and its head, or the
//! studio), then name, kind, path and last change of each, newest first.

use api::{PipelineList, PipelinePath, PipelineStorage, PipelineSummary};
use leptos::prelude::*;
use leptos_router::components::A;

use super::{ChangeLine, ProjectAuthorizePanel};
use crate::client;
use crate::components::{connection_problem, ErrorMessage, Loading, TryAgain};
use crate::links;

#[component]
pub fn PipelineSection(project_id: i64, branch: Option<String>) -> impl IntoView {
    let on = StoredValue::new(branch);
    let list = LocalResource::new(move || async move {
        client::pipelines(project_id, on.get_value().as_deref()).await
    });
    view! {
        <section class="pipelines" aria-labelledby="pipelines-heading">
            <div class="section-header">
                <h2 id="pipelines-heading">"Pipelines"</h2>
                <A href=links::pipeline_new(project_id, on.get_value().as_deref()) attr:class="button button-primary">
                    "New pipeline"
                </A>
            </div>
            {move || match list.get() {
                None => view! { <Loading text="Loading the pipelines…" /> }.into_any(),
                Some(Ok(list)) => view! { <PipelineTable project_id list branch=on.get_value() /> }.into_any(),
                Some(Err(error)) => match connection_problem(&error) {
                    Some(status) => {
                        view! { <ProjectAuthorizePanel project_id status return_to=links::project_on(project_id, on.get_value().as_deref()) /> }
                            .into_any()
                    }
                    None => {
                        view! {
                            <ErrorMessage message=error.message />
                            <TryAgain on_retry=move |()| list.refetch() />
                        }
                            .into_any()
                    }
                },
            }}
        </section>
    }
}

/// "In the repository root on branch main.", then the branch's latest commit on a line of
/// its own; or that the studio keeps them.
#[component]
fn StorageLine(storage: PipelineStorage) -> impl IntoView {
    match storage {
        // The repository itself is named in the project's facts above.
        PipelineStorage::Provider {
            branch,
            folder,
            head,
            ..
        } => {
            let place = if folder.is_empty() {
                view! { "In the repository root" }.into_any()
            } else {
                view! { "In " <code>{format!("{folder}/")}</code> }.into_any()
            };
            view! {
                <p class="pipeline-storage">{place} " on branch " <code>{branch.clone()}</code> "."</p>
                <p class="branch-head">
                    <span class="branch-head-label">{format!("Latest commit on {branch}:")}</span>
                    " "
                    <ChangeLine change=head />
                </p>
            }
            .into_any()
        }
        PipelineStorage::Studio => {
            view! { <p class="pipeline-storage">"Kept by the studio."</p> }.into_any()
        }
    }
}

#[component]
fn PipelineTable(project_id: i64, list: PipelineList, branch: Option<String>) -> impl IntoView {
    let PipelineList {
        storage,
        pipelines,
        truncated,
    } = list;
    let count = match pipelines.len() {
        1 => "1 pipeline".to_owned(),
        n => format!("{n} pipelines"),
    };
    let body = if pipelines.is_empty() {
        view! {
            <p class="empty-state">
                "No pipelines here yet. Choose New pipeline to create the first one."
            </p>
        }
        .into_any()
    } else {
        view! {
            <table class="pipeline-table" aria-labelledby="pipelines-heading">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Path"</th>
                        <th scope="col">"Last change"</th>
                    </tr>
                </thead>
                <tbody>
                    {pipelines
                        .into_iter()
                        .map(|pipeline| view! { <PipelineRow project_id pipeline branch=branch.clone() /> })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <StorageLine storage />
        <p class="pipeline-count" role="status">{count}</p>
        {body}
        {truncated
            .then(|| {
                view! {
                    <p class="field-hint">
                        "This folder holds more pipelines or folders than the studio lists at once; set a narrower pipelines folder to see the rest."
                    </p>
                }
            })}
    }
}

#[component]
fn PipelineRow(
    project_id: i64,
    pipeline: PipelineSummary,
    branch: Option<String>,
) -> impl IntoView {
    let name = PipelinePath::parse(&pipeline.path)
        .map(|p| p.name().to_owned())
        .unwrap_or_else(|_| pipeline.path.clone());
    let href = links::pipeline_view(project_id, &pipeline.path, branch.as_deref());
    view! {
        <tr>
            <th scope="row">
                <A href=href>{name}</A>
            </th>
            <td>{pipeline.kind.label()}</td>
            <td>
                <code>{pipeline.path}</code>
            </td>
            <td>
                {match pipeline.last_change {
                    Some(change) => view! { <ChangeLine change /> }.into_any(),
                    None => view! { <span class="change-meta">"Unknown"</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}
