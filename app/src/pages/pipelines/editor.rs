//! `/projects/:id/pipelines/edit?path=` and `/projects/:id/pipelines/new`: the editor.
//!
//! The text is checked as it is typed with the contract's own check (`api::check_pipeline`:
//! YAML syntax and the minimal schema), each problem pointing at its line; the server runs
//! the same check before it stores anything. Saving names the revision the edit started
//! from. When the pipeline changed meanwhile the server refuses (`PipelineChanged`) and the
//! user chooses: reload it (dropping their text), or save their text as a new pipeline. A
//! broken connection shows Reconnect. In every case the text stays in the editor, and is
//! kept as a draft (`draft::kept`: this browser at once, the server after a pause) until it
//! is saved or discarded, so the Reconnect round trip, a reload, a closed tab and another
//! browser bring it back.

use crate::tasks::PageTasks;
use api::{
    check_pipeline, ApiError, ConnectionStatus, ErrorCode, PipelineDraft, PipelineFile,
    PipelineKind, PipelinePath, PipelineProblem, SavePipeline,
};
use leptos::ev::SubmitEvent;
use leptos::html::{Pre, Textarea};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::{route_branch, use_project_id, ProjectAuthorizePanel, RoutePipeline};
use crate::client;
use crate::components::field::{aria_invalid, described_by};
use crate::components::{
    connection_problem, AlertSlot, ErrorMessage, Loading, PageHeading, TryAgain,
};
use crate::draft::kept::Kept;
use crate::links;

const PATH_ERROR_ID: &str = "pipeline-path-error";
const PROBLEMS_ID: &str = "pipeline-problems";
const MESSAGE_ERROR_ID: &str = "pipeline-message-error";
pub const RESTORED: &str =
    "Your unsaved changes were restored. Save them, or discard them to start from the stored version.";

/// Where "save as a new pipeline" proposes to put the text: beside the original, `-copy`.
pub fn copy_path(path: &str) -> String {
    match PipelinePath::parse(path) {
        Ok(parsed) => {
            let suffix = parsed.kind().suffix();
            format!("{}-copy{suffix}", &path[..path.len() - suffix.len()])
        }
        Err(_) => format!("{path}-copy"),
    }
}

/// The UTF-16 offsets (what a textarea's selection counts) of `line` (1-based) in `content`.
pub fn line_range(content: &str, line: usize) -> (u32, u32) {
    let mut start = 0usize;
    for (number, text) in content.split('\n').enumerate() {
        let length = text.encode_utf16().count();
        if number + 1 == line {
            return (start as u32, (start + length) as u32);
        }
        start += length + 1;
    }
    let end = content.encode_utf16().count() as u32;
    (end, end)
}

/// The problems of `content` as a pipeline at `path` (an unreadable path is checked as an
/// orchestration pipeline; the path field says what is wrong with it).
pub fn problems_of(path: &str, content: &str) -> Vec<PipelineProblem> {
    let kind = PipelinePath::parse(path)
        .map(|p| p.kind())
        .unwrap_or(PipelineKind::Orchestration);
    check_pipeline(kind, content).err().unwrap_or_default()
}

/// "1\n2\n3" for the gutter beside the text.
fn line_numbers(content: &str) -> String {
    let lines = content.split('\n').count();
    (1..=lines)
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[component]
pub fn EditPipelinePage() -> impl IntoView {
    view! {
        <section class="page-section">
            <RoutePipeline
                loading="Opening the pipeline…"
                heading="Edit pipeline"
                here=links::pipeline_edit
                content=|project_id, file, _reload| {
                    view! { <Editor project_id start=Some(file) prefix=String::new() /> }
                }
            />
        </section>
    }
}

#[component]
pub fn NewPipelinePage() -> impl IntoView {
    let id = use_project_id();
    let project = LocalResource::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => client::project(id).await,
                None => Err(ApiError::new(
                    ErrorCode::NotFound,
                    "This project does not exist.",
                )),
            }
        }
    });
    view! {
        <section class="page-section">
            {move || match project.get() {
                None => view! { <Loading text="Opening the editor…" /> }.into_any(),
                Some(Ok(project)) => {
                    let prefix = api::PipelineFolder::parse(&project.pipeline_folder)
                        .unwrap_or_default()
                        .prefix();
                    view! { <Editor project_id=project.id start=None prefix /> }.into_any()
                }
                Some(Err(error)) => {
                    view! {
                        <PageHeading text="New pipeline" />
                        <ErrorMessage message=error.message />
                        <TryAgain on_retry=move |()| project.refetch() />
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// The editor for `start` (an existing pipeline), or for a new one under `prefix`.
#[component]
fn Editor(project_id: i64, start: Option<PipelineFile>, prefix: String) -> impl IntoView {
    let tasks = PageTasks::new();
    let navigate = use_navigate();
    // The branch the save commits to (`None`: the project's own).
    let branch = StoredValue::new(route_branch());
    let (initial_path, initial_content, initial_base) = match &start {
        Some(file) => (
            file.path.clone(),
            file.content.clone(),
            Some(file.revision.clone()),
        ),
        None => (
            format!("{prefix}new-pipeline.orch.yaml"),
            PipelineKind::Orchestration.template(),
            None,
        ),
    };
    // `Some(path)` while editing a stored pipeline (its path is fixed); `None` for a new one.
    let stored_path = RwSignal::new(start.as_ref().map(|f| f.path.clone()));
    let path = RwSignal::new(initial_path.clone());
    let original = RwSignal::new(initial_content.clone());
    let content = RwSignal::new(initial_content);
    let base = RwSignal::new(initial_base);
    let message = RwSignal::new(String::new());
    let alert = RwSignal::new(None::<String>);
    let field_error = RwSignal::new(None::<(&'static str, String)>);
    let changed_elsewhere = RwSignal::new(false);
    let reconnect = RwSignal::new(None::<ConnectionStatus>);
    let restored = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let text_area = NodeRef::<Textarea>::new();
    let gutter = NodeRef::<Pre>::new();

    // The draft of the pipeline on screen (a new one has its own until it is saved).
    let slot = Memo::new(move |_| {
        let on = branch.get_value();
        api::paths::pipeline_draft(project_id, stored_path.get().as_deref(), on.as_deref())
    });
    let kept = move || Kept::<PipelineDraft>::new(slot.get_untracked());
    // Until the draft was looked for, an unchanged text must not discard it.
    let settled = RwSignal::new(false);
    let problems = Memo::new(move |_| content.with(|c| path.with(|p| problems_of(p, c))));
    let path_error = Memo::new(move |_| {
        if stored_path.with(Option::is_some) {
            return None;
        }
        PipelinePath::parse(&path.get()).err()
    });
    let dirty = Memo::new(move |_| {
        content.with(|c| original.with(|o| c != o))
            || (stored_path.with(Option::is_none) && path.with(|p| *p != initial_path))
    });

    // Text typed earlier comes back (after Reconnect, a reload, a closed tab, in another
    // browser), with the revision it started from, so a save still detects changes made
    // meanwhile: this browser's unsent copy at once, else the server's when it answers.
    let apply = move |kept: PipelineDraft| {
        if kept.content != content.get_untracked() {
            content.set(kept.content);
            path.set(kept.path);
            base.set(kept.base_revision);
            message.set(kept.message);
            restored.set(true);
        }
    };
    match kept().unsent() {
        Some(unsent) => {
            apply(unsent.value);
            settled.set(true);
        }
        None => tasks.spawn(async move {
            let saved = kept().restore().await;
            if let (Ok(Some(saved)), Some(false)) = (saved, dirty.try_get_untracked()) {
                apply(saved.value);
            }
            settled.try_set(true);
        }),
    }
    Effect::new(move |_| {
        if !settled.get() {
            return;
        }
        if dirty.get() {
            kept().keep(&PipelineDraft {
                path: path.get(),
                content: content.get(),
                base_revision: base.get(),
                message: message.get(),
            });
        } else if kept().is_held() {
            kept().discard_in_background();
        }
    });

    let heading = match &start {
        Some(file) => format!(
            "Edit {}",
            PipelinePath::parse(&file.path)
                .map(|p| p.name().to_owned())
                .unwrap_or_else(|_| file.path.clone())
        ),
        None => "New pipeline".to_owned(),
    };

    let sync_gutter = move || {
        if let (Some(text), Some(numbers)) = (text_area.get_untracked(), gutter.get_untracked()) {
            numbers.set_scroll_top(text.scroll_top());
        }
    };
    let select_line = move |line: usize| {
        if let Some(text) = text_area.get_untracked() {
            let (start, end) = content.with_untracked(|c| line_range(c, line));
            let _ = text.focus();
            let _ = text.set_selection_range(start, end);
        }
    };

    let field_message = move |field: &'static str| {
        Signal::derive(move || {
            field_error.with(|e| {
                e.as_ref()
                    .filter(|(f, _)| *f == field)
                    .map(|(_, m)| m.clone())
            })
        })
    };

    let save = move || {
        if pending.get_untracked() {
            return;
        }
        alert.set(None);
        field_error.set(None);
        if let Some(error) = path_error.get_untracked() {
            field_error.set(Some(("path", error)));
            return;
        }
        if problems.with_untracked(|p| !p.is_empty()) {
            alert.set(Some(
                "The pipeline has problems (listed below the text). Fix them, then save.".into(),
            ));
            return;
        }
        pending.set(true);
        let request = SavePipeline {
            path: path.get_untracked().trim().to_owned(),
            content: content.get_untracked(),
            message: message.get_untracked(),
            base_revision: base.get_untracked(),
            branch: branch.get_value(),
        };
        let navigate = navigate.clone();
        tasks.spawn(async move {
            let outcome = client::save_pipeline(project_id, &request).await;
            pending.try_set(false);
            match outcome {
                Ok(saved) => {
                    // The server ended its copy with the save; the browser's goes too.
                    if slot.try_get_untracked().is_some() {
                        kept().forget();
                    }
                    original.try_set(request.content);
                    navigate(
                        &links::pipeline_view(
                            project_id,
                            &saved.path,
                            branch.get_value().as_deref(),
                        ),
                        NavigateOptions::default(),
                    );
                }
                Err(error) => {
                    changed_elsewhere.try_set(error.code == ErrorCode::PipelineChanged);
                    reconnect.try_set(connection_problem(&error));
                    match (error.code, error.field.as_deref()) {
                        (ErrorCode::InvalidInput | ErrorCode::Conflict, Some("path")) => {
                            field_error.try_set(Some(("path", error.message)));
                        }
                        (ErrorCode::InvalidInput, Some("message")) => {
                            field_error.try_set(Some(("message", error.message)));
                        }
                        _ => {
                            alert.try_set(Some(error.message));
                        }
                    }
                }
            }
        });
    };
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        save();
    };

    // The conflict's two ways out.
    let reload = move |()| {
        let Some(stored) = stored_path.get_untracked() else {
            return;
        };
        pending.set(true);
        tasks.spawn(async move {
            let fresh = client::pipeline(project_id, &stored, branch.get_value().as_deref()).await;
            pending.try_set(false);
            match fresh {
                Ok(file) => {
                    original.try_set(file.content.clone());
                    content.try_set(file.content);
                    base.try_set(Some(file.revision));
                    changed_elsewhere.try_set(false);
                    restored.try_set(false);
                    alert.try_set(None);
                }
                Err(error) => {
                    reconnect.try_set(connection_problem(&error));
                    alert.try_set(Some(error.message));
                }
            }
        });
    };
    let save_as_new = move |()| {
        // The text moves to the new pipeline's draft; the stored one's edit is over.
        kept().discard_in_background();
        let copy = copy_path(&path.get_untracked());
        stored_path.set(None);
        base.set(None);
        path.set(copy);
        changed_elsewhere.set(false);
        alert.set(Some(
            "Your text will be saved as a new pipeline. Check its path, then choose Save.".into(),
        ));
    };
    let discard = move |_| {
        kept().discard_in_background();
        match stored_path.get_untracked() {
            Some(_) => reload(()),
            None => {
                content.set(original.get_untracked());
                restored.set(false);
            }
        }
    };

    let on = branch.get_value();
    let cancel_href = match &start {
        Some(file) => links::pipeline_view(project_id, &file.path, on.as_deref()),
        None => links::project_on(project_id, on.as_deref()),
    };
    let here = match &start {
        Some(file) => links::pipeline_edit(project_id, &file.path, on.as_deref()),
        None => links::pipeline_new(project_id, on.as_deref()),
    };
    let path_message = field_message("path");
    let message_error = field_message("message");
    let path_shown = Signal::derive(move || path_message.get().or_else(|| path_error.get()));

    view! {
        <PageHeading text=heading />
        {branch
            .get_value()
            .map(|branch| {
                view! {
                    <p class="editing-branch">"Saving commits to the branch " <code>{branch}</code> "."</p>
                }
            })}
        {move || {
            restored
                .get()
                .then(|| {
                    view! {
                        <div class="panel">
                            <p role="status">{RESTORED}</p>
                            <button type="button" class="button" on:click=discard>
                                "Discard my changes"
                            </button>
                        </div>
                    }
                })
        }}
        <AlertSlot message=Signal::derive(move || alert.get()) />
        {move || {
            changed_elsewhere
                .get()
                .then(|| {
                    view! {
                        <div class="panel panel-warning conflict-choices">
                            <p>"Your text is still here. What should happen to it?"</p>
                            <div class="form-actions">
                                <button type="button" class="button" on:click=move |_| reload(())>
                                    "Reload the pipeline (discard my changes)"
                                </button>
                                <button type="button" class="button button-primary" on:click=move |_| save_as_new(())>
                                    "Save my text as a new pipeline"
                                </button>
                            </div>
                        </div>
                    }
                })
        }}
        {move || reconnect.get().map(|status| view! { <ProjectAuthorizePanel project_id status return_to=here.clone() /> })}
        <form class="form pipeline-editor" novalidate on:submit=on_submit>
            <div class="field">
                {move || match stored_path.get() {
                    Some(stored) => {
                        view! {
                            <p>
                                <span class="field-label">"Path"</span>
                                " "
                                <code>{stored}</code>
                            </p>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <label for="pipeline-path">"Path"</label>
                            <p class="field-hint" id="pipeline-path-hint">
                                "Ends in .orch.yaml (orchestration) or .tran.yaml (transformation)."
                            </p>
                            <input
                                id="pipeline-path"
                                type="text"
                                autocomplete="off"
                                spellcheck="false"
                                bind:value=path
                                aria-invalid=move || aria_invalid(path_shown.with(Option::is_some))
                                aria-describedby=move || {
                                    described_by(&[
                                        Some("pipeline-path-hint"),
                                        path_shown.with(Option::is_some).then_some(PATH_ERROR_ID),
                                    ])
                                }
                            />
                        }
                            .into_any()
                    }
                }}
                {move || {
                    path_shown
                        .get()
                        .map(|message| view! { <p class="field-error" id=PATH_ERROR_ID>{message}</p> })
                }}
            </div>
            <div class="field">
                <label for="pipeline-content">"Pipeline (YAML)"</label>
                <div class="code-editor">
                    <pre class="code-editor-gutter" aria-hidden="true" node_ref=gutter>
                        {move || content.with(|c| line_numbers(c))}
                    </pre>
                    <textarea
                        id="pipeline-content"
                        rows="24"
                        wrap="off"
                        spellcheck="false"
                        autocapitalize="off"
                        node_ref=text_area
                        bind:value=content
                        on:scroll=move |_| sync_gutter()
                        aria-invalid=move || aria_invalid(problems.with(|p| !p.is_empty()))
                        aria-describedby=PROBLEMS_ID
                    ></textarea>
                </div>
                <div id=PROBLEMS_ID class="pipeline-problems" aria-live="polite">
                    {move || {
                        problems
                            .with(|list| {
                                if list.is_empty() {
                                    view! { <p class="check-ok">"No problems found."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="problem-list">
                                            {list
                                                .iter()
                                                .map(|problem| {
                                                    let line = problem.line;
                                                    let text = problem.to_string();
                                                    view! {
                                                        <li>
                                                            <button
                                                                type="button"
                                                                class="link-button"
                                                                on:click=move |_| select_line(line)
                                                            >
                                                                {text}
                                                            </button>
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    }
                                        .into_any()
                                }
                            })
                    }}
                </div>
            </div>
            <div class="field">
                <label for="pipeline-message">"Commit message"</label>
                <input
                    id="pipeline-message"
                    type="text"
                    autocomplete="off"
                    placeholder=move || {
                        let verb = if stored_path.with(Option::is_some) { "Update" } else { "Add" };
                        api::pipeline::default_message(verb, path.get().trim())
                    }
                    bind:value=message
                    aria-invalid=move || aria_invalid(message_error.with(Option::is_some))
                    aria-describedby=move || {
                        described_by(&[message_error.with(Option::is_some).then_some(MESSAGE_ERROR_ID)])
                    }
                />
                {move || {
                    message_error
                        .get()
                        .map(|message| view! { <p class="field-error" id=MESSAGE_ERROR_ID>{message}</p> })
                }}
            </div>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save" }}
                </button>
                <A href=cancel_href attr:class="button">"Cancel"</A>
                <p class="draft-status" role="status">
                    {move || dirty.get().then_some("Unsaved changes")}
                </p>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_go_beside_the_original() {
        assert_eq!(
            copy_path("jobs/daily.orch.yaml"),
            "jobs/daily-copy.orch.yaml"
        );
        assert_eq!(copy_path("x.tran.yaml"), "x-copy.tran.yaml");
    }

    #[test]
    fn lines_are_selected_in_utf16_units() {
        let text = "ab\né€\nxyz";
        assert_eq!(line_range(text, 1), (0, 2));
        assert_eq!(line_range(text, 2), (3, 5));
        assert_eq!(line_range(text, 3), (6, 9));
        assert_eq!(line_range(text, 9), (9, 9));
    }

    #[test]
    fn the_editor_checks_with_the_contract() {
        assert!(problems_of("a.orch.yaml", &PipelineKind::Orchestration.template()).is_empty());
        let wrong_kind = problems_of("a.tran.yaml", &PipelineKind::Orchestration.template());
        assert_eq!(wrong_kind.len(), 1);
        assert_eq!(wrong_kind[0].line, 1);
        assert_eq!(line_numbers("a\nb\n"), "1\n2\n3");
    }
}
