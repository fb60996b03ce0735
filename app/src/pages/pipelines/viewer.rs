//! `/projects/:id/pipelines/view?path=`: one pipeline as stored, with line numbers, the
//! revision it was read at and its last change; Edit, and Delete after a confirmation.

use crate::tasks::PageTasks;
use api::{DeletePipeline, ErrorCode, PipelineFile, PipelinePath};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::{route_branch, use_project_id, ChangeLine, ProjectAuthorizePanel, RoutePipeline};
use crate::client;
use crate::components::{connection_problem, AlertSlot, PageHeading};
use crate::links;

/// A file's lines as the viewer numbers them (a final newline does not start a line).
pub fn numbered_lines(content: &str) -> Vec<&str> {
    let content = content.strip_suffix('\n').unwrap_or(content);
    content
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect()
}

#[component]
pub fn PipelineViewPage() -> impl IntoView {
    let id = use_project_id();
    let branch = route_branch();
    let back = move || {
        id.get()
            .map(|id| links::project_on(id, branch.as_deref()))
            .unwrap_or_else(|| links::PROJECTS.to_owned())
    };
    view! {
        <section class="page-section">
            <RoutePipeline
                loading="Loading the pipeline…"
                heading="Pipeline"
                here=links::pipeline_view
                content=|project_id, file, reload| {
                    view! { <PipelineView project_id file on_reload=reload /> }
                }
            />
            <p class="page-footer-link">
                <A href=back>"Back to the project"</A>
            </p>
        </section>
    }
}

#[component]
fn PipelineView(
    project_id: i64,
    file: PipelineFile,
    #[prop(into)] on_reload: Callback<()>,
) -> impl IntoView {
    let name = PipelinePath::parse(&file.path)
        .map(|p| p.name().to_owned())
        .unwrap_or_else(|_| file.path.clone());
    let confirming = RwSignal::new(false);
    let lines: Vec<String> = numbered_lines(&file.content)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let label = format!("Contents of {}", file.path);
    let branch = route_branch();
    let edit = links::pipeline_edit(project_id, &file.path, branch.as_deref());
    let branch_fact = branch.map(|branch| {
        view! {
            <div class="fact">
                <dt>"Branch"</dt>
                <dd><code>{branch}</code></dd>
            </div>
        }
    });
    let file = StoredValue::new(file);
    view! {
        <PageHeading text=name />
        <dl class="facts">
            <div class="fact">
                <dt>"Kind"</dt>
                <dd>{file.with_value(|f| f.kind.label())}</dd>
            </div>
            <div class="fact">
                <dt>"Path"</dt>
                <dd><code>{file.with_value(|f| f.path.clone())}</code></dd>
            </div>
            {branch_fact}
            <div class="fact">
                <dt>"Read at"</dt>
                <dd><code>{file.with_value(|f| f.revision_label.clone())}</code></dd>
            </div>
            {file
                .with_value(|f| f.last_change.clone())
                .map(|change| {
                    view! {
                        <div class="fact">
                            <dt>"Last change"</dt>
                            <dd><ChangeLine change /></dd>
                        </div>
                    }
                })}
        </dl>
        <div class="form-actions">
            <A href=edit attr:class="button button-primary">"Edit"</A>
            <button
                type="button"
                class="button button-danger"
                aria-expanded=move || confirming.get().to_string()
                on:click=move |_| confirming.set(true)
            >
                "Delete…"
            </button>
        </div>
        {move || {
            confirming
                .get()
                .then(|| {
                    view! {
                        <ConfirmDelete
                            project_id
                            file=file.get_value()
                            on_cancel=move |()| confirming.set(false)
                            on_reload
                        />
                    }
                })
        }}
        <ol class="code-lines" aria-label=label>
            {lines.into_iter().map(|line| view! { <li><code>{line}</code></li> }).collect_view()}
        </ol>
    }
}

#[component]
fn ConfirmDelete(
    project_id: i64,
    file: PipelineFile,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_reload: Callback<()>,
) -> impl IntoView {
    let tasks = PageTasks::new();
    let navigate = use_navigate();
    let message = RwSignal::new(api::pipeline::default_message("Delete", &file.path));
    let alert = RwSignal::new(None::<String>);
    let changed = RwSignal::new(false);
    let reconnect = RwSignal::new(None);
    let pending = RwSignal::new(false);
    let branch = route_branch();
    let here = links::pipeline_view(project_id, &file.path, branch.as_deref());
    let after = StoredValue::new(links::project_on(project_id, branch.as_deref()));
    let file = StoredValue::new(file);
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        alert.set(None);
        let request = file.with_value(|f| DeletePipeline {
            path: f.path.clone(),
            message: message.get_untracked(),
            base_revision: f.revision.clone(),
            branch: branch.clone(),
        });
        let navigate = navigate.clone();
        tasks.spawn(async move {
            let outcome = client::delete_pipeline(project_id, &request).await;
            pending.try_set(false);
            match outcome {
                Ok(_) => navigate(&after.get_value(), NavigateOptions::default()),
                Err(error) => {
                    changed.try_set(error.code == ErrorCode::PipelineChanged);
                    reconnect.try_set(connection_problem(&error));
                    alert.try_set(Some(error.message));
                }
            }
        });
    };
    view! {
        <form class="panel panel-warning form" on:submit=on_submit>
            <h2>"Delete this pipeline?"</h2>
            <p>
                {move || {
                    file.with_value(|f| {
                        format!(
                            "Deleting removes {} from the project.",
                            f.path,
                        )
                    })
                }}
            </p>
            <div class="field">
                <label for="delete-message">"Commit message"</label>
                <input id="delete-message" type="text" autocomplete="off" bind:value=message />
            </div>
            <AlertSlot message=Signal::derive(move || alert.get()) />
            {move || reconnect.get().map(|status| view! { <ProjectAuthorizePanel project_id status return_to=here.clone() /> })}
            <div class="form-actions">
                <button type="submit" class="button button-danger" disabled=move || pending.get()>
                    "Delete pipeline"
                </button>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
                {move || {
                    changed
                        .get()
                        .then(|| {
                            view! {
                                <button type="button" class="button" on:click=move |_| on_reload.run(())>
                                    "Reload the pipeline"
                                </button>
                            }
                        })
                }}
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_as_editors_number_them() {
        assert_eq!(numbered_lines("a\nb\n"), ["a", "b"]);
        assert_eq!(numbered_lines("a\r\n\nb"), ["a", "", "b"]);
        assert_eq!(numbered_lines(""), [""]);
    }
}
