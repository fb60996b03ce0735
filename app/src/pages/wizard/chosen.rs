//! The repository chosen on "Choose a repository", as the later Bitbucket steps (branch,
//! details, review) read it from their URL (`?workspace=&repository=`), so a reload, Back or
//! a bookmark keeps it.

use api::RepositoryRef;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::ErrorMessage;
use crate::links::{self, query};

/// The repository named by the URL, when both parts are there.
pub fn chosen_repository(
    workspace: Option<&str>,
    repository: Option<&str>,
) -> Option<RepositoryRef> {
    let workspace = workspace.filter(|value| !value.is_empty())?;
    let slug = repository.filter(|value| !value.is_empty())?;
    Some(RepositoryRef {
        workspace: workspace.to_owned(),
        slug: slug.to_owned(),
    })
}

/// The repository the URL names (`?workspace=&repository=`), for the steps after choosing one.
pub fn use_chosen_repository() -> Memo<Option<RepositoryRef>> {
    let params = use_query_map();
    Memo::new(move |_| {
        params.with(|params| {
            chosen_repository(
                params.get_str(query::WORKSPACE),
                params.get_str(query::REPOSITORY),
            )
        })
    })
}

/// `content` for the chosen repository, or, when the URL names none (a stale bookmark), a
/// sentence and a link to choose one.
#[component]
pub fn ForChosenRepository<F, V>(chosen: Memo<Option<RepositoryRef>>, content: F) -> impl IntoView
where
    F: Fn(RepositoryRef) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || match chosen.get() {
        Some(repository) => content(repository).into_any(),
        None => view! {
            <ErrorMessage message="No repository is chosen yet. Choose a repository first." />
            <p>
                <A href=links::BITBUCKET_REPOSITORY>"Choose a repository"</A>
            </p>
        }
        .into_any(),
    }
}

/// A "Change" link whose accessible name says what it changes ("Change the repository").
#[component]
pub fn ChangeLink(href: String, what: &'static str) -> impl IntoView {
    view! {
        <A href=href>
            "Change"
            <span class="visually-hidden">{format!(" the {what}")}</span>
        </A>
    }
}

/// The chosen repository as one line of a `<dl class="facts">`, with a way back to change it.
#[component]
pub fn RepositoryFact(repository: RepositoryRef) -> impl IntoView {
    let change = links::repository_step(Some(&repository.workspace), Some(&repository.slug));
    view! {
        <div class="fact">
            <dt>"Repository"</dt>
            <dd>
                <span class="repository-full-name">
                    {format!("{}/{}", repository.workspace, repository.slug)}
                </span>
                " "
                <ChangeLink href=change what="repository" />
            </dd>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parts_name_a_repository() {
        assert_eq!(
            chosen_repository(Some("acme"), Some("etl")),
            Some(RepositoryRef {
                workspace: "acme".into(),
                slug: "etl".into()
            })
        );
        assert_eq!(chosen_repository(Some("acme"), None), None);
        assert_eq!(chosen_repository(Some(""), Some("etl")), None);
    }
}
