//! The branch on screen compared with the project's own: commits ahead and behind, the files
//! it adds, changes and removes (each opens its diff), **Open a pull request** on the
//! provider's own page, and what happened when the branch was merged or deleted there.

use api::{BranchState, ComparedFile, Comparison};
use leptos::prelude::*;

use super::diff::FileDiffView;
use super::OnBranch;
use crate::client;
use crate::components::{connection_problem, ErrorMessage, Loading, TryAgain};

/// "1 commit" / "3 commits" (and "100+ commits" when the count stopped).
fn commits(n: u32, capped: bool) -> String {
    let plus = if capped && n >= 100 { "+" } else { "" };
    match n {
        1 => "1 commit".to_owned(),
        n => format!("{n}{plus} commits"),
    }
}

#[component]
pub fn ComparePanel(on: OnBranch, #[prop(into)] provider: Signal<String>) -> impl IntoView {
    let comparison = LocalResource::new(move || {
        let branch = on.current.get();
        async move { client::compare(on.project_id, &branch).await }
    });
    move || match comparison.get() {
        None => view! { <Loading text="Comparing with the project's branch…" /> }.into_any(),
        Some(Ok(found)) => view! { <Compared on found provider /> }.into_any(),
        Some(Err(error)) if connection_problem(&error).is_some() => ().into_any(),
        Some(Err(error)) => view! {
            <ErrorMessage message=error.message />
            <TryAgain on_retry=move |()| comparison.refetch() />
        }
        .into_any(),
    }
}

#[component]
fn Compared(on: OnBranch, found: Comparison, provider: Signal<String>) -> impl IntoView {
    let base = found.base.clone();
    let back_to_base = move |_| on.switch.run(on.base.get_value());
    let switch_back = move || {
        view! {
            <button type="button" class="button" on:click=back_to_base>
                {format!("Switch to {}", on.base.get_value())}
            </button>
        }
    };
    let behind = (found.behind > 0).then(|| {
        view! {
            <p class="notice">
                {format!(
                    "{base} has moved on since this branch left it: {} on {base} are not on this branch.",
                    commits(found.behind, found.counts_capped)
                )}
            </p>
        }
    });
    let body = match found.state {
        BranchState::Project => return ().into_any(),
        BranchState::Gone => view! {
            <p role="status">
                {move || format!(
                    "The branch {} is no longer on {}: it may have been merged and deleted there.",
                    found.branch, provider.get()
                )}
            </p>
            {switch_back}
        }
        .into_any(),
        BranchState::Merged => view! {
            <p role="status">
                {move || format!("This branch was merged into {} on {}.", found.base, provider.get())}
            </p>
            {switch_back}
        }
        .into_any(),
        BranchState::Even => view! {
            <p>{format!("Nothing to compare: this branch has no commits that {base} lacks.")}</p>
            {behind}
        }
        .into_any(),
        BranchState::Changed => view! { <Changes on found behind=behind.into_any() /> }.into_any(),
    };
    view! {
        <section class="comparison" aria-labelledby="comparison-heading">
            <h2 id="comparison-heading">{format!("Compared with {base}")}</h2>
            {body}
        </section>
    }
    .into_any()
}

#[component]
fn Changes(on: OnBranch, found: Comparison, behind: AnyView) -> impl IntoView {
    let summary = format!(
        "{} ahead of {}, {} behind.",
        commits(found.ahead, found.counts_capped),
        found.base,
        commits(found.behind, found.counts_capped)
    );
    let pull_request = found.pull_request_url.clone().map(|href| {
        view! {
            <a class="button button-primary" href=href target="_blank" rel="noopener noreferrer">
                "Open a pull request"
            </a>
        }
    });
    let more_files = found.files_capped.then(|| {
        view! {
            <p class="field-hint">
                "More files changed than the provider lists at once: the pull request page shows them all."
            </p>
        }
    });
    let files = if found.files.is_empty() {
        view! { <p class="empty-state">"The commits change no file."</p> }.into_any()
    } else {
        view! {
            <ul class="compared-files" aria-label="Changed files">
                {found
                    .files
                    .into_iter()
                    .map(|file| view! { <ComparedFileRow on file /> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <p class="comparison-summary">{summary}</p>
        {behind}
        {files}
        {more_files}
        <div class="form-actions">{pull_request}</div>
    }
}

#[component]
fn ComparedFileRow(on: OnBranch, file: ComparedFile) -> impl IntoView {
    let open = RwSignal::new(false);
    let path = StoredValue::new(file.path.clone());
    let moved = file
        .previous_path
        .map(|from| view! { <span class="change-meta">" from " <code>{from}</code></span> });
    let kind = if file.pipeline { "pipeline" } else { "file" };
    view! {
        <li class="compared-file">
            <span class=format!("file-change file-change-{:?}", file.change).to_lowercase()>
                {file.change.label()}
            </span>
            " " <code>{file.path.clone()}</code> {moved}
            " "
            <button
                type="button"
                class="button button-link"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|open| *open = !*open)
            >
                {move || if open.get() { "Hide changes" } else { "Show changes" }}
                <span class="visually-hidden">{format!(" to {}", file.path)}</span>
            </button>
            <span class="visually-hidden">{format!(" ({kind})")}</span>
            {move || {
                open.get()
                    .then(|| {
                        view! {
                            <FileDiffView
                                project_id=on.project_id
                                branch=on.current.get_untracked()
                                path=path.get_value()
                            />
                        }
                    })
            }}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_naturally() {
        assert_eq!(commits(1, false), "1 commit");
        assert_eq!(commits(0, false), "0 commits");
        assert_eq!(commits(100, true), "100+ commits");
        assert_eq!(commits(3, true), "3 commits");
    }
}
