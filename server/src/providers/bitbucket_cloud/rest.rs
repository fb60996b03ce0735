//! The REST API 2.0 calls the studio makes, and nothing else: the proxy is an allowlist.
//!
//! Callers name workspaces and repositories; URLs are built here from the fixed base URL, one
//! validated, percent-encoded segment at a time, so no input can steer a request (and its
//! bearer token) to another host or path.

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

use super::model::{
    Account, ErrorBody, Paginated, WireAccount, WireRepository, Workspace, WorkspaceAccess,
    WorkspaceRef,
};
use super::ProviderError;
pub use crate::providers::cache::Reading;
use crate::providers::cache::{LIST_TTL, NAME_TTL};
use crate::providers::refusal::{Meaning, StatusTable};
pub use crate::providers::upstream::Rest;
use crate::providers::upstream::Upstream;
use crate::telemetry::Metrics;

/// Bitbucket's largest page for the repository and workspace listings.
pub const MAX_PAGELEN: u32 = 100;
/// Most workspace pages read for one list (10,000 workspaces): a bound, so a broken
/// upstream that always answers `next` cannot keep the proxy paging forever.
pub const MAX_WORKSPACE_PAGES: u32 = 100;
/// The repository picker's page: large enough to fill the screen, small enough to arrive in
/// one quick round trip.
pub const REPOSITORY_PAGELEN: u32 = 50;

#[derive(Clone, Debug)]
pub struct BitbucketRest {
    up: Upstream,
}

/// One page of repositories, and the opaque cursor of the next one.
#[derive(Debug)]
pub struct RepositoryPage {
    pub values: Vec<api::Repository>,
    pub next: Option<String>,
    pub size: Option<u64>,
}

/// A validated Bitbucket workspace or repository slug: 1–128 of `[A-Za-z0-9._-]`, not `.` or
/// `..`. Anything else is refused before a URL is built.
pub fn slug<'a>(value: &'a str, what: &'static str) -> Result<&'a str, ProviderError> {
    if super::model::is_slug(value) {
        Ok(value)
    } else {
        Err(ProviderError::InvalidName(what))
    }
}

/// Escapes a value for a double-quoted string in Bitbucket's `q` query language (the
/// filtering page: strings are "any text inside double quotes").
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// What Bitbucket Cloud's refusals mean ([`crate::providers::refusal`]).
pub const STATUSES: StatusTable = StatusTable {
    entries: &[
        (
            StatusCode::UNAUTHORIZED,
            Meaning::Unauthorized {
                lacking_permission: None,
            },
        ),
        (
            StatusCode::FORBIDDEN,
            Meaning::Forbidden(
                "Bitbucket refused access to the {what}. Check that your Bitbucket account has the needed permission.",
            ),
        ),
        (StatusCode::NOT_FOUND, Meaning::NotFound),
        (StatusCode::CONFLICT, Meaning::Conflict),
        (StatusCode::BAD_REQUEST, Meaning::BadRequest),
        (StatusCode::TOO_MANY_REQUESTS, Meaning::RateLimited),
    ],
};

#[async_trait]
impl Rest for BitbucketRest {
    fn upstream(&self) -> &Upstream {
        &self.up
    }

    /// The token goes only in the `Authorization` header: since May 2026 Bitbucket refuses
    /// it anywhere else. The request's id goes along (`X-Request-Id`), and the call is
    /// counted in the metrics.
    async fn send(
        &self,
        token: &SecretString,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<reqwest::Response, ProviderError> {
        let request = self.up.prepare(token, request)?;
        let response = self.up.transmit(request, super::endpoint::template).await?;
        if response.status().is_success() {
            return Ok(response);
        }
        Err(STATUSES.refusal::<ErrorBody>(response, what).await)
    }
}

impl BitbucketRest {
    pub fn new(
        http: reqwest::Client,
        base: &str,
        metrics: Arc<Metrics>,
    ) -> Result<Self, url::ParseError> {
        Ok(Self {
            up: Upstream::new(http, base, metrics)?,
        })
    }

    pub(super) fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Url {
        self.up.url(segments, query)
    }

    /// [`Rest::get`] through the per-token cache: an answer given less than `ttl` ago is
    /// reused instead of asking again.
    pub(super) async fn get_cached<T: DeserializeOwned + Send>(
        &self,
        token: &SecretString,
        url: Url,
        what: &str,
        ttl: Duration,
    ) -> Result<T, ProviderError> {
        self.read(token, url, what, ttl, Reading::Cached).await
    }

    /// A `next` link to follow, as given: Bitbucket calls it opaque (a page number, or a
    /// cursor). It is followed only if it stays under the fixed API base and on the `path`
    /// the list came from, so a hostile or broken upstream cannot steer the proxy (and the
    /// user's token) anywhere else.
    pub fn next_link(&self, next: Option<&str>, path: &str) -> Option<Url> {
        let next = Url::parse(next?).ok()?;
        (next.origin() == self.up.base.origin() && next.path() == path).then_some(next)
    }

    /// The app's opaque cursor for a `next` link of the list at `path`: the part after the
    /// base, base64url-encoded (no Bitbucket URL reaches the app).
    fn cursor_of(&self, next: Option<&str>, path: &str) -> Option<String> {
        let next = self.next_link(next, path)?;
        let relative = &next.as_str()[self.up.base.as_str().len()..];
        Some(URL_SAFE_NO_PAD.encode(relative))
    }

    /// The `next` link a cursor from the app stands for, refused unless it is a page of the
    /// list at `path`: the app can only ask for more of what it was shown.
    fn link_of_cursor(&self, cursor: &str, path: &str) -> Result<Url, ProviderError> {
        let refused = || ProviderError::InvalidName("page");
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| refused())?;
        let relative = String::from_utf8(bytes).map_err(|_| refused())?;
        if !relative.starts_with('/') || relative.contains(['\\', '#']) {
            return Err(refused());
        }
        let link = format!("{}{relative}", self.up.base.as_str());
        self.next_link(Some(&link), path).ok_or_else(refused)
    }

    pub async fn current_user(&self, token: &SecretString) -> Result<Account, ProviderError> {
        let account: WireAccount = self.get(token, self.url(&["user"], &[]), "account").await?;
        account.into_account().ok_or_else(|| {
            ProviderError::Unexpected("Bitbucket's account answer has no uuid".into())
        })
    }

    fn workspaces_url(&self) -> Url {
        // `sort`: "only slug is supported" on this endpoint. `fields=+values.workspace.name`:
        // the list embeds each workspace condensed (`workspace_base`, no name); the REST
        // introduction's partial responses pull the name into the same answer ("Pulling in
        // additional fields not normally returned by an endpoint"), which saves one
        // `GET /workspaces/{workspace}` per workspace. Never required: a workspace that
        // comes without it is named by that call, as before.
        self.url(
            &["user", "workspaces"],
            &[
                ("pagelen", MAX_PAGELEN.to_string()),
                ("sort", "slug".into()),
                ("fields", "+values.workspace.name".into()),
            ],
        )
    }

    /// Every workspace of the account, sorted by slug: the first page, then each `next` as
    /// given (one after another: a cursor cannot be guessed ahead), at most
    /// [`MAX_WORKSPACE_PAGES`]. Most accounts fit in the first page of 100.
    pub async fn all_workspaces(
        &self,
        token: &SecretString,
        reading: Reading,
    ) -> Result<Vec<WorkspaceRef>, ProviderError> {
        let first = self.workspaces_url();
        let path = first.path().to_owned();
        let mut url = Some(first);
        let mut workspaces = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..MAX_WORKSPACE_PAGES {
            let Some(page_url) = url.take() else { break };
            let page: Paginated<WorkspaceAccess> = self
                .read(token, page_url, "workspace list", LIST_TTL, reading)
                .await?;
            // Pages can shift while being read: never list a workspace twice.
            workspaces.extend(
                page.values
                    .into_iter()
                    .filter_map(WorkspaceAccess::into_workspace)
                    .filter(|ws| seen.insert(ws.slug.clone())),
            );
            url = self.next_link(page.next.as_deref(), &path);
        }
        Ok(workspaces)
    }

    /// The account's first workspace by slug, if it has any, read during authorization: the
    /// one the repository step opens on before the user has chosen. The page read is handed
    /// over to the repository step's opening [`BitbucketRest::all_workspaces`].
    pub async fn first_workspace(
        &self,
        token: &SecretString,
    ) -> Result<Option<WorkspaceRef>, ProviderError> {
        let page: Paginated<WorkspaceAccess> = self
            .read(
                token,
                self.workspaces_url(),
                "workspace list",
                LIST_TTL,
                Reading::HandOver,
            )
            .await?;
        Ok(page
            .values
            .into_iter()
            .find_map(WorkspaceAccess::into_workspace))
    }

    /// A workspace's human name (`GET /workspaces/{workspace}`), cached for an hour: for a
    /// workspace the list answered without one (`workspace_base` has none unless the partial
    /// response pulled it in, see `workspaces_url`).
    pub async fn workspace_name(
        &self,
        token: &SecretString,
        workspace: &str,
    ) -> Result<Option<String>, ProviderError> {
        let workspace = slug(workspace, "workspace")?;
        let details: Workspace = self
            .get_cached(
                token,
                self.url(&["workspaces", workspace], &[]),
                "workspace",
                NAME_TTL,
            )
            .await?;
        Ok(details.name.filter(|name| !name.trim().is_empty()))
    }

    /// Repositories of `workspace` the account can write to (`role=contributor` means write
    /// or admin), most recently updated first, optionally filtered by name on Bitbucket:
    /// the first page, or the one a cursor from an earlier page names.
    pub async fn writable_repositories(
        &self,
        token: &SecretString,
        workspace: &str,
        search: Option<&str>,
        cursor: Option<&str>,
    ) -> Result<RepositoryPage, ProviderError> {
        let workspace = slug(workspace, "workspace")?;
        let first = {
            let mut query = vec![
                ("role", "contributor".to_owned()),
                ("pagelen", REPOSITORY_PAGELEN.to_string()),
                ("sort", "-updated_on".to_owned()),
            ];
            if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
                query.push(("q", format!("name ~ {}", quoted(search))));
            }
            self.url(&["repositories", workspace], &query)
        };
        let path = first.path().to_owned();
        let url = match cursor {
            Some(cursor) => self.link_of_cursor(cursor, &path)?,
            None => first,
        };
        let page: Paginated<serde_json::Value> =
            self.get_cached(token, url, "workspace", LIST_TTL).await?;
        let mut values = Vec::with_capacity(page.values.len());
        for value in page.values {
            let Ok(wire) = serde_json::from_value::<WireRepository>(value.clone()) else {
                continue;
            };
            let Some(repository) = wire.into_api(workspace) else {
                continue;
            };
            self.remember_listed(token, &repository, &value);
            values.push(repository);
        }
        Ok(RepositoryPage {
            values,
            next: self.cursor_of(page.next.as_deref(), &path),
            size: page.size,
        })
    }

    /// A listed repository's own answer (`GET /repositories/{workspace}/{repo}`) is the
    /// object the list carries: kept, so the branch step that follows the picker reads it
    /// without asking again. Only what the repository *is* is kept this way, never whether the
    /// user may write to it: [`BitbucketRest::can_write`] always asks for that.
    fn remember_listed(
        &self,
        token: &SecretString,
        repository: &api::Repository,
        value: &serde_json::Value,
    ) {
        let url = self.url(&["repositories", &repository.group, &repository.slug], &[]);
        if let Ok(body) = serde_json::to_vec(value) {
            self.up
                .cache
                .put(token, url.as_str(), body.into(), LIST_TTL);
        }
    }

    /// One repository, and its page on Bitbucket when the answer links it.
    pub async fn repository(
        &self,
        token: &SecretString,
        workspace: &str,
        repo: &str,
    ) -> Result<(api::Repository, Option<String>), ProviderError> {
        let (workspace, repo) = (slug(workspace, "workspace")?, slug(repo, "repository")?);
        let repository: WireRepository = self
            .get_cached(
                token,
                self.url(&["repositories", workspace, repo], &[]),
                "repository",
                LIST_TTL,
            )
            .await?;
        let html_url = repository.html_url();
        let repository = repository.into_api(workspace).ok_or_else(|| {
            ProviderError::Unexpected("Bitbucket's repository answer names no repository".into())
        })?;
        Ok((repository, html_url))
    }

    /// Whether the account can write to the repository: `role=contributor` ("write or
    /// admin", whether granted directly, through a group or through the project) narrowed to
    /// it with `q`. Always this question, built here for this exact repository: what a listing
    /// left behind never counts, since a list is one the app asked for. The answer to this very
    /// question is reused for a minute (the branch step, then project creation).
    pub async fn can_write(
        &self,
        token: &SecretString,
        repository: &api::Repository,
    ) -> Result<bool, ProviderError> {
        let workspace = slug(&repository.group, "workspace")?;
        let query = [
            ("role", "contributor".to_owned()),
            (
                "q",
                format!("full_name = {}", quoted(&repository.full_name)),
            ),
        ];
        let page: Paginated<WireRepository> = self
            .get_cached(
                token,
                self.url(&["repositories", workspace], &query),
                "workspace",
                LIST_TTL,
            )
            .await?;
        Ok(page.values.into_iter().any(|listed| {
            listed
                .into_api(workspace)
                .is_some_and(|r| r.slug.eq_ignore_ascii_case(&repository.slug))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rest() -> BitbucketRest {
        BitbucketRest::new(
            reqwest::Client::new(),
            "https://api.bitbucket.org/2.0",
            Metrics::new(),
        )
        .unwrap()
    }

    /// Cloud's table reads its statuses as its client always has: a 401 is always a refused
    /// token (Cloud says a missing permission with 403), a 413 is not one of its readings.
    #[test]
    fn the_status_table_keeps_clouds_readings() {
        let body = |json| serde_json::from_value::<ErrorBody>(json).unwrap();
        let map = |status, json| STATUSES.map(status, None, &body(json), "repository");
        let expired =
            serde_json::json!({"type": "error", "error": {"message": "Access token expired."}});
        assert!(matches!(
            map(StatusCode::UNAUTHORIZED, expired),
            ProviderError::Unauthorized { expired: true }
        ));
        assert!(matches!(
            map(StatusCode::FORBIDDEN, serde_json::json!({})),
            ProviderError::Forbidden(m) if m == "Bitbucket refused access to the repository. Check that your Bitbucket account has the needed permission."
        ));
        let moved = serde_json::json!({"type": "error", "error": {"message": "moved"}});
        assert!(matches!(
            map(StatusCode::CONFLICT, moved),
            ProviderError::Conflict(m) if m == "moved"
        ));
        assert!(matches!(
            map(StatusCode::PAYLOAD_TOO_LARGE, serde_json::json!({})),
            ProviderError::Unexpected(_)
        ));
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
    fn next_links_are_followed_as_given_only_within_the_list() {
        let rest = rest();
        let path = "/2.0/repositories/a";
        for ok in [
            "https://api.bitbucket.org/2.0/repositories/a?page=3&pagelen=50",
            "https://api.bitbucket.org/2.0/repositories/a?cursor=Zm9v%3D&pagelen=50",
        ] {
            assert_eq!(rest.next_link(Some(ok), path).unwrap().as_str(), ok);
        }
        for bad in [
            "https://evil.example/2.0/repositories/a?page=3",
            "https://api.bitbucket.org/2.0/repositories/b?page=3",
            "https://api.bitbucket.org/2.0/repositories/a/../b?page=3",
            "not a url",
        ] {
            assert_eq!(rest.next_link(Some(bad), path), None, "{bad}");
        }
        assert_eq!(rest.next_link(None, path), None);
    }

    #[test]
    fn cursors_name_only_pages_of_the_same_list() {
        let rest = rest();
        let path = "/2.0/repositories/a";
        let next = "https://api.bitbucket.org/2.0/repositories/a?role=contributor&after=xyz";
        let cursor = rest.cursor_of(Some(next), path).unwrap();
        assert!(
            !cursor.contains("bitbucket"),
            "no Bitbucket URL reaches the app"
        );
        assert_eq!(rest.link_of_cursor(&cursor, path).unwrap().as_str(), next);
        for forged in [
            URL_SAFE_NO_PAD.encode("/repositories/b?page=2"),
            URL_SAFE_NO_PAD.encode("/repositories/a/../../user?x=1"),
            URL_SAFE_NO_PAD.encode("@evil.example/repositories/a"),
            URL_SAFE_NO_PAD.encode("//evil.example/2.0/repositories/a"),
            "not base64!".into(),
        ] {
            assert!(rest.link_of_cursor(&forged, path).is_err(), "{forged}");
        }
    }

    /// A Bitbucket whose repository list (any query) names `acme/etl`, while the question
    /// "may this account write to acme/etl" (`q=full_name = …` with `role=contributor`) answers
    /// no: a list the app steered (`role=member`) looks like this.
    async fn listing_more_than_it_may_write() -> BitbucketRest {
        use axum::extract::RawQuery;
        let app = axum::Router::new().route(
            "/2.0/repositories/acme",
            axum::routing::get(|RawQuery(query): RawQuery| async move {
                let query = query.unwrap_or_default();
                let values = if query.contains("full_name") {
                    serde_json::json!([])
                } else {
                    serde_json::json!([{"slug": "etl", "name": "etl", "full_name": "acme/etl"}])
                };
                axum::Json(serde_json::json!({"values": values, "pagelen": 50}))
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/2.0", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        BitbucketRest::new(reqwest::Client::new(), &base, Metrics::new()).unwrap()
    }

    #[tokio::test]
    async fn write_access_is_asked_for_the_exact_repository_never_read_from_a_list() {
        let rest = listing_more_than_it_may_write().await;
        let token = SecretString::from("token".to_owned());
        let page = rest
            .writable_repositories(&token, "acme", None, None)
            .await
            .unwrap();
        let listed = page
            .values
            .into_iter()
            .next()
            .expect("the list names acme/etl");
        assert!(
            !rest.can_write(&token, &listed).await.unwrap(),
            "being listed must not make a repository writable"
        );
    }

    #[test]
    fn query_strings_are_escaped() {
        assert_eq!(quoted(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
