//! The repository chosen on "Choose a repository", as the later steps of a provider's flow
//! (branch, details, review) read it from their URL (the provider from the path,
//! `?workspace=&repository=` from the query), so a reload, Back or a bookmark keeps it.

use api::{GitProvider, RepositoryRef};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::ErrorMessage;
use crate::links::{self, query};

/// The repository named by the URL, when both parts are there.
pub fn chosen_repository(
    provider: GitProvider,
    workspace: Option<&str>,
    repository: Option<&str>,
) -> Option<RepositoryRef> {
    let workspace = workspace.filter(|value| !value.is_empty())?;
    let slug = repository.filter(|value| !value.is_empty())?;
    Some(RepositoryRef {
        provider,
        group: workspace.to_owned(),
        slug: slug.to_owned(),
    })
}

/// The repository of `provider` the URL names (`?workspace=&repository=`), for the steps
/// after choosing one.
pub fn use_chosen_repository(provider: GitProvider) -> Memo<Option<RepositoryRef>> {
    let params = use_query_map();
    Memo::new(move |_| {
        params.with(|params| {
            chosen_repository(
                provider,
                params.get_str(query::WORKSPACE),
                params.get_str(query::REPOSITORY),
            )
        })
    })
}

/// `content` for the chosen repository, or, when the URL names none (a stale bookmark), a
/// sentence and a link to choose one.
#[component]
pub fn ForChosenRepository<F, V>(
    provider: GitProvider,
    chosen: Memo<Option<RepositoryRef>>,
    content: F,
) -> impl IntoView
where
    F: Fn(RepositoryRef) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || match chosen.get() {
        Some(repository) => content(repository).into_any(),
        None => view! {
            <ErrorMessage message="No repository is chosen yet. Choose a repository first." />
            <p>
                <A href=links::repository_step(provider, None, None)>"Choose a repository"</A>
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
    let change = links::repository_step(
        repository.provider,
        Some(&repository.group),
        Some(&repository.slug),
    );
    view! {
        <div class="fact">
            <dt>"Repository"</dt>
            <dd>
                <span class="repository-full-name">
                    {format!("{}/{}", repository.group, repository.slug)}
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
        let dc = GitProvider::BitbucketDataCenter;
        assert_eq!(
            chosen_repository(dc, Some("DATA"), Some("warehouse")),
            Some(RepositoryRef {
                provider: dc,
                group: "DATA".into(),
                slug: "warehouse".into()
            })
        );
        assert_eq!(chosen_repository(dc, Some("acme"), None), None);
        assert_eq!(chosen_repository(dc, Some(""), Some("etl")), None);
    }
}
