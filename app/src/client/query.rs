//! Query strings of list endpoints, built with the contract's encoder.

use api::paths::{encode_query_value, repositories, repository_picker};
use api::{GitProvider, RepositoryQuery};

/// `GET /api/{provider}/workspaces/{workspace}/repositories?search=…&cursor=…`.
///
/// A blank search is left out (it would match everything anyway), and surrounding spaces
/// are trimmed so "etl " and "etl" ask the same question.
pub fn repositories_url(provider: GitProvider, workspace: &str, query: &RepositoryQuery) -> String {
    let mut url = repositories(provider, workspace);
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
    if let Some(cursor) = query.cursor.as_deref() {
        url.push(separator);
        url.push_str("cursor=");
        url.push_str(&encode_query_value(cursor));
        separator = '&';
    }
    if query.refresh == Some(true) {
        url.push(separator);
        url.push_str("refresh=true");
    }
    url
}

/// `GET /api/{provider}/repository-picker?group=…`, the group left out when unknown;
/// `refresh` asks the server not to reuse what it read a moment ago.
pub fn picker_url(provider: GitProvider, group: Option<&str>, refresh: bool) -> String {
    crate::links::with_query(
        &repository_picker(provider),
        &[("group", group), ("refresh", refresh.then_some("true"))],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOUD: GitProvider = GitProvider::BitbucketCloud;

    fn query(search: Option<&str>, cursor: Option<&str>) -> RepositoryQuery {
        RepositoryQuery {
            search: search.map(str::to_owned),
            cursor: cursor.map(str::to_owned),
            refresh: None,
        }
    }

    #[test]
    fn plain_listing_has_no_query() {
        assert_eq!(
            repositories_url(CLOUD, "acme", &query(None, None)),
            "/api/bitbucket/workspaces/acme/repositories"
        );
        assert_eq!(
            repositories_url(CLOUD, "acme", &query(Some("   "), None)),
            "/api/bitbucket/workspaces/acme/repositories"
        );
    }

    #[test]
    fn the_picker_names_a_group_only_when_known() {
        assert_eq!(
            picker_url(CLOUD, None, false),
            "/api/bitbucket/repository-picker"
        );
        assert_eq!(
            picker_url(CLOUD, Some("acme data"), false),
            "/api/bitbucket/repository-picker?group=acme%20data"
        );
        assert_eq!(
            picker_url(CLOUD, Some("acme"), true),
            "/api/bitbucket/repository-picker?group=acme&refresh=true"
        );
    }

    #[test]
    fn search_cursor_and_refresh_are_encoded() {
        assert_eq!(
            repositories_url(CLOUD, "acme", &query(Some(" data pipes&co "), Some("L3Jl+cG8="))),
            "/api/bitbucket/workspaces/acme/repositories?search=data%20pipes%26co&cursor=L3Jl%2BcG8%3D"
        );
        let refreshed = RepositoryQuery {
            refresh: Some(true),
            ..query(None, None)
        };
        assert_eq!(
            repositories_url(CLOUD, "a/b", &refreshed),
            "/api/bitbucket/workspaces/a%2Fb/repositories?refresh=true"
        );
    }

    #[test]
    fn data_center_lists_go_to_its_own_proxy() {
        let dc = GitProvider::BitbucketDataCenter;
        assert_eq!(
            repositories_url(dc, "DATA", &query(Some("ware"), None)),
            "/api/bitbucket-dc/workspaces/DATA/repositories?search=ware"
        );
        assert_eq!(
            picker_url(dc, Some("DATA"), false),
            "/api/bitbucket-dc/repository-picker?group=DATA"
        );
    }
}
