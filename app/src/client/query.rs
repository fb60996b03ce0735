//! Query strings of list endpoints, built with the contract's encoder.

use api::paths::{bitbucket_repositories, encode_query_value, BITBUCKET_REPOSITORY_PICKER};
use api::RepositoryQuery;

/// `GET /api/bitbucket/workspaces/{workspace}/repositories?search=…&page=…`.
///
/// A blank search is left out (it would match everything anyway), and surrounding spaces
/// are trimmed so "etl " and "etl" ask the same question.
pub fn repositories_url(workspace: &str, query: &RepositoryQuery) -> String {
    let mut url = bitbucket_repositories(workspace);
    let mut separator = '?';
    if let Some(search) = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|search| !search.is_empty())
    {
        url.push(separator);
        url.push_str("search=");
        url.push_str(&encode_query_value(search));
        separator = '&';
    }
    if let Some(page) = query.page {
        url.push(separator);
        url.push_str("page=");
        url.push_str(&page.to_string());
    }
    url
}

/// `GET /api/bitbucket/repository-picker?workspace=…`, the workspace left out when unknown.
pub fn picker_url(workspace: Option<&str>) -> String {
    crate::links::with_query(BITBUCKET_REPOSITORY_PICKER, &[("workspace", workspace)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(search: Option<&str>, page: Option<u32>) -> RepositoryQuery {
        RepositoryQuery {
            search: search.map(str::to_owned),
            page,
        }
    }

    #[test]
    fn plain_listing_has_no_query() {
        assert_eq!(
            repositories_url("acme", &query(None, None)),
            "/api/bitbucket/workspaces/acme/repositories"
        );
        assert_eq!(
            repositories_url("acme", &query(Some("   "), None)),
            "/api/bitbucket/workspaces/acme/repositories"
        );
    }

    #[test]
    fn the_picker_names_a_workspace_only_when_known() {
        assert_eq!(picker_url(None), "/api/bitbucket/repository-picker");
        assert_eq!(
            picker_url(Some("acme data")),
            "/api/bitbucket/repository-picker?workspace=acme%20data"
        );
    }

    #[test]
    fn search_and_page_are_encoded() {
        assert_eq!(
            repositories_url("acme", &query(Some(" data pipes&co "), Some(3))),
            "/api/bitbucket/workspaces/acme/repositories?search=data%20pipes%26co&page=3"
        );
        assert_eq!(
            repositories_url("a/b", &query(None, Some(2))),
            "/api/bitbucket/workspaces/a%2Fb/repositories?page=2"
        );
    }
}
