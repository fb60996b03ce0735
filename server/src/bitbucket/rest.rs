//! The REST API 2.0 calls the studio makes, and nothing else: the proxy is an allowlist.
//!
//! Callers name workspaces and repositories; URLs are built here from the fixed base URL, one
//! validated, percent-encoded segment at a time, so no input can steer a request (and its
//! bearer token) to another host or path.

use futures::{StreamExt, TryStreamExt};
use reqwest::header::{HeaderMap, ACCEPT, RETRY_AFTER};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use super::model::{ErrorBody, Paginated, Repository, RepositoryPermission, User, WorkspaceAccess};
use super::BitbucketError;

/// Bitbucket's largest page for the repository and workspace listings.
pub const MAX_PAGELEN: u32 = 100;
/// Most workspace pages read for one list (10,000 workspaces): a bound, so a broken
/// upstream that always answers `next` cannot keep the proxy paging forever.
pub const MAX_WORKSPACE_PAGES: u32 = 100;
/// Workspace pages in flight at once: quick for large accounts without hammering Bitbucket.
const WORKSPACE_PAGES_AT_ONCE: usize = 4;
/// The repository picker's page: large enough to fill the screen, small enough to arrive in
/// one quick round trip.
pub const REPOSITORY_PAGELEN: u32 = 50;

#[derive(Clone, Debug)]
pub struct BitbucketRest {
    http: reqwest::Client,
    base: Url,
}

/// A validated Bitbucket workspace or repository slug: 1–128 of `[A-Za-z0-9._-]`, not `.` or
/// `..`. Anything else is refused before a URL is built.
pub fn slug<'a>(value: &'a str, what: &'static str) -> Result<&'a str, BitbucketError> {
    let valid = (1..=128).contains(&value.len())
        && value != "."
        && value != ".."
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if valid {
        Ok(value)
    } else {
        Err(BitbucketError::InvalidName(what))
    }
}

/// Escapes a value for a double-quoted string in Bitbucket's `q` query language.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}

impl BitbucketRest {
    pub fn new(http: reqwest::Client, base: &str) -> Result<Self, url::ParseError> {
        let base = Url::parse(base.trim_end_matches('/'))?;
        Ok(Self { http, base })
    }

    pub(super) fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("an http(s) base URL has path segments")
            .extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    async fn get<T: DeserializeOwned>(
        &self,
        token: &SecretString,
        url: Url,
        what: &str,
    ) -> Result<T, BitbucketError> {
        let response = self.send(token, self.http.get(url), what).await?;
        response
            .json::<T>()
            .await
            .map_err(|e| BitbucketError::Unexpected(e.without_url().to_string()))
    }

    /// Sends a request with the user's token and maps every failure to a [`BitbucketError`];
    /// `what` names the thing asked for in messages ("repository").
    pub(super) async fn send(
        &self,
        token: &SecretString,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<reqwest::Response, BitbucketError> {
        let response = request
            .bearer_auth(token.expose_secret())
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| BitbucketError::Unavailable(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry = retry_after(response.headers());
        let message = response
            .json::<ErrorBody>()
            .await
            .map(|b| b.error.message)
            .unwrap_or_default();
        Err(match status {
            StatusCode::UNAUTHORIZED => BitbucketError::Unauthorized { expired: message.to_ascii_lowercase().contains("expired") },
            StatusCode::FORBIDDEN => BitbucketError::Forbidden(format!(
                "Bitbucket refused access to the {what}. Check that your Bitbucket account has the needed permission."
            )),
            StatusCode::NOT_FOUND => BitbucketError::NotFound(format!("The {what}")),
            StatusCode::CONFLICT => BitbucketError::Conflict(message),
            StatusCode::TOO_MANY_REQUESTS => BitbucketError::RateLimited { retry_after: retry },
            s if s.is_server_error() => BitbucketError::Unavailable(format!("HTTP {s}: {message}")),
            s => BitbucketError::Unexpected(format!("HTTP {s}: {message}")),
        })
    }

    pub(super) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The page number in a `next` link, if the link points into our fixed API base.
    /// Bitbucket's `next` is followed by number, never fetched as given, so a hostile or
    /// broken upstream cannot redirect the proxy.
    pub fn next_page(&self, next: Option<&str>) -> Option<u32> {
        let next = Url::parse(next?).ok()?;
        if next.origin() != self.base.origin() || !next.path().starts_with(self.base.path()) {
            return None;
        }
        next.query_pairs()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse().ok())
    }

    pub async fn current_user(&self, token: &SecretString) -> Result<User, BitbucketError> {
        self.get(token, self.url(&["user"], &[]), "account").await
    }

    /// One page of the account's workspaces, sorted by slug.
    async fn workspace_page(
        &self,
        token: &SecretString,
        page: u32,
        pagelen: u32,
    ) -> Result<Paginated<WorkspaceAccess>, BitbucketError> {
        let query = [
            ("pagelen", pagelen.to_string()),
            ("page", page.to_string()),
            ("sort", "workspace.slug".into()),
        ];
        self.get(
            token,
            self.url(&["user", "workspaces"], &query),
            "workspace list",
        )
        .await
    }

    /// Every workspace of the account, sorted by slug. The first page tells the total
    /// (`size`), so the other pages are fetched all at once rather than one after another;
    /// without a `size` the `next` links are followed one by one.
    pub async fn all_workspaces(
        &self,
        token: &SecretString,
    ) -> Result<Vec<WorkspaceAccess>, BitbucketError> {
        let first = self.workspace_page(token, 1, MAX_PAGELEN).await?;
        let mut workspaces = first.values;
        let Some(mut next) = self.next_page(first.next.as_deref()) else {
            return Ok(workspaces);
        };
        if let Some(size) = first.size {
            let pages = size
                .div_ceil(u64::from(MAX_PAGELEN))
                .min(u64::from(MAX_WORKSPACE_PAGES));
            let pages: Vec<_> = futures::stream::iter(next..=pages as u32)
                .map(|page| self.workspace_page(token, page, MAX_PAGELEN))
                .buffered(WORKSPACE_PAGES_AT_ONCE)
                .try_collect()
                .await?;
            for page in pages {
                workspaces.extend(page.values);
            }
        } else {
            while next <= MAX_WORKSPACE_PAGES {
                let page = self.workspace_page(token, next, MAX_PAGELEN).await?;
                workspaces.extend(page.values);
                match self.next_page(page.next.as_deref()) {
                    Some(after) if after > next => next = after,
                    _ => break,
                }
            }
        }
        // Pages can shift while being read: never list a workspace twice.
        let mut seen = std::collections::HashSet::new();
        workspaces.retain(|access| seen.insert(access.workspace.slug.clone()));
        Ok(workspaces)
    }

    /// The account's first workspace by slug, if it has any: the one the repository step
    /// opens on before the user has chosen.
    pub async fn first_workspace(
        &self,
        token: &SecretString,
    ) -> Result<Option<WorkspaceAccess>, BitbucketError> {
        let page = self.workspace_page(token, 1, 1).await?;
        Ok(page.values.into_iter().next())
    }

    /// Repositories of `workspace` the account can write to (`role=contributor` means write
    /// or admin), most recently updated first, optionally filtered by name server-side.
    pub async fn writable_repositories(
        &self,
        token: &SecretString,
        workspace: &str,
        search: Option<&str>,
        page: u32,
    ) -> Result<Paginated<Repository>, BitbucketError> {
        let workspace = slug(workspace, "workspace")?;
        let mut query = vec![
            ("role", "contributor".to_owned()),
            ("pagelen", REPOSITORY_PAGELEN.to_string()),
            ("page", page.to_string()),
            ("sort", "-updated_on".to_owned()),
        ];
        if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
            query.push(("q", format!("name ~ {}", quoted(search))));
        }
        self.get(
            token,
            self.url(&["repositories", workspace], &query),
            "workspace",
        )
        .await
    }

    pub async fn repository(
        &self,
        token: &SecretString,
        workspace: &str,
        repo: &str,
    ) -> Result<Repository, BitbucketError> {
        let (workspace, repo) = (slug(workspace, "workspace")?, slug(repo, "repository")?);
        self.get(
            token,
            self.url(&["repositories", workspace, repo], &[]),
            "repository",
        )
        .await
    }

    /// The account's permission on one repository (`read`, `write`, `admin`), `None` if it has none.
    pub async fn repository_permission(
        &self,
        token: &SecretString,
        workspace: &str,
        full_name: &str,
    ) -> Result<Option<String>, BitbucketError> {
        let workspace = slug(workspace, "workspace")?;
        let query = [("q", format!("repository.full_name = {}", quoted(full_name)))];
        let url = self.url(
            &[
                "user",
                "workspaces",
                workspace,
                "permissions",
                "repositories",
            ],
            &query,
        );
        let page: Paginated<RepositoryPermission> = self.get(token, url, "workspace").await?;
        Ok(page
            .values
            .into_iter()
            .find(|p| p.repository.full_name.eq_ignore_ascii_case(full_name))
            .map(|p| p.permission))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rest() -> BitbucketRest {
        BitbucketRest::new(reqwest::Client::new(), "https://api.bitbucket.org/2.0").unwrap()
    }

    #[test]
    fn slugs_refuse_anything_that_could_leave_the_path() {
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "a%2Fb",
            "https://evil",
            "a\\b",
            "a b",
            "é",
            "..%2f",
        ] {
            assert!(slug(bad, "workspace").is_err(), "{bad:?} must be refused");
        }
        for good in ["acme-data", "repo.name", "a_b", "X1"] {
            assert!(slug(good, "workspace").is_ok());
        }
    }

    #[test]
    fn urls_stay_under_the_fixed_base() {
        let url = rest().url(&["repositories", "acme"], &[("q", "name ~ \"a&b\"".into())]);
        assert_eq!(
            url.as_str(),
            "https://api.bitbucket.org/2.0/repositories/acme?q=name+%7E+%22a%26b%22"
        );
    }

    #[test]
    fn next_links_are_followed_by_number_only_within_the_base() {
        let rest = rest();
        assert_eq!(
            rest.next_page(Some(
                "https://api.bitbucket.org/2.0/repositories/a?page=3&pagelen=50"
            )),
            Some(3)
        );
        assert_eq!(
            rest.next_page(Some("https://evil.example/2.0/repositories/a?page=3")),
            None
        );
        assert_eq!(rest.next_page(None), None);
    }

    #[test]
    fn query_strings_are_escaped() {
        assert_eq!(quoted(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
