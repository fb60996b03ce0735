//! One file's unified diff, the project's branch against the branch on screen, read when
//! the file is opened: old and new line numbers, and what each line is in words as well as
//! colour.

use api::{DiffHunk, DiffLine, DiffLineKind, FileDiff};
use leptos::prelude::*;

use crate::client;
use crate::components::{ErrorMessage, Loading, TryAgain};

#[component]
pub fn FileDiffView(project_id: i64, branch: String, path: String) -> impl IntoView {
    let (b, p) = (branch.clone(), path.clone());
    let diff = LocalResource::new(move || {
        let (branch, path) = (b.clone(), p.clone());
        async move { client::file_diff(project_id, &branch, &path).await }
    });
    move || match diff.get() {
        None => view! { <Loading text="Loading the changes…" /> }.into_any(),
        Some(Ok(diff)) => view! { <DiffTable diff /> }.into_any(),
        Some(Err(error)) => view! {
            <ErrorMessage message=error.message />
            <TryAgain on_retry=move |()| diff.refetch() />
        }
        .into_any(),
    }
}

#[component]
fn DiffTable(diff: FileDiff) -> impl IntoView {
    if diff.hunks.iter().all(|h| h.lines.is_empty()) {
        return view! { <p class="empty-state">"No line changes to show (a binary or renamed file)."</p> }
            .into_any();
    }
    let cut = diff.truncated.then(|| {
        view! { <p class="field-hint">"The diff is longer than the studio shows; the rest is on the provider's page."</p> }
    });
    view! {
        <table class="diff" aria-label=format!("Changes to {}", diff.path)>
            <thead class="visually-hidden">
                <tr>
                    <th scope="col">"Line before"</th>
                    <th scope="col">"Line after"</th>
                    <th scope="col">"Change"</th>
                    <th scope="col">"Text"</th>
                </tr>
            </thead>
            {diff.hunks.into_iter().map(|hunk| view! { <Hunk hunk /> }).collect_view()}
        </table>
        {cut}
    }
    .into_any()
}

#[component]
fn Hunk(hunk: DiffHunk) -> impl IntoView {
    view! {
        <tbody>
            <tr class="diff-hunk">
                <td colspan="4">{format!("@@ line {} → {}", hunk.old_start, hunk.new_start)}</td>
            </tr>
            {hunk.lines.into_iter().map(|line| view! { <Line line /> }).collect_view()}
        </tbody>
    }
}

#[component]
fn Line(line: DiffLine) -> impl IntoView {
    let (class, mark, said) = match line.kind {
        DiffLineKind::Added => ("diff-added", "+", "added"),
        DiffLineKind::Removed => ("diff-removed", "−", "removed"),
        DiffLineKind::Context => ("diff-context", "", "unchanged"),
    };
    let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    view! {
        <tr class=class>
            <td class="diff-number">{number(line.old)}</td>
            <td class="diff-number">{number(line.new)}</td>
            <td class="diff-mark"><span aria-hidden="true">{mark}</span><span class="visually-hidden">{said}</span></td>
            <td class="diff-text"><code>{line.text}</code></td>
        </tr>
    }
}
