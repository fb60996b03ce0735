//! The Data Center calls themselves, one method each: who the token is, projects and
//! writable repositories (paged by `start`/`limit`), branches, files and the one-file commit
//! (`PUT …/browse/{path}`, multipart).

use api::RepositoryGroup;
use reqwest::multipart::Form;
use secrecy::SecretString;
use serde_json::json;

use super::model::{
    file_path, Branch, Commit, NextPage, Paged, Project, Repository, User, WireCommit,
};
use super::rest::{DataCenterRest, Rest};
use crate::providers::cache::Reading;
use crate::providers::{body, ProviderError};

/// Largest page asked for in lists read whole (projects, files).
pub const MAX_LIMIT: u32 = 1000;
/// Pages of projects read for one list (10,000 projects): a bound against an upstream that
/// always says there is more.
const MAX_PROJECT_PAGES: u32 = 10;
/// The picker's page of repositories.
pub const REPOSITORY_LIMIT: u32 = 50;
/// Longest user slug read from `…/applinks/whoami`.
const MAX_SLUG_BYTES: usize = 1024;

/// Whether `value` can be a user slug put in a URL segment (which is percent-encoded): not
/// empty, no `/`, no space or control character.
fn is_user_slug(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_SLUG_BYTES
        && !value
            .chars()
            .any(|c| c == '/' || c.is_whitespace() || c.is_control())
}

/// Where a paged list goes on, by [`Paged::next_page`]'s rule; a page that says there is
/// more without saying where ends the list, and the log says so (it may be incomplete).
pub fn next_start<T>(page: &Paged<T>, start: u64, limit: u64, what: &str) -> Option<u64> {
    match page.next_page(start, limit) {
        NextPage::At(next) => Some(next),
        NextPage::Last => None,
        NextPage::Unknown => {
            tracing::warn!(
                what,
                start,
                "Bitbucket Data Center said the {what} goes on (isLastPage false) without a nextPageStart or values to count from; the list ends here and may be incomplete"
            );
            None
        }
    }
}

/// The branch the commits and reads name (`at=`, `until=`).
pub fn at_branch(branch: &str) -> String {
    format!("refs/heads/{branch}")
}

/// One file commit: `sourceCommitId` is the commit the text was read at (`None` creates).
pub struct FileEdit<'a> {
    pub branch: &'a str,
    pub path: &'a str,
    pub content: &'a str,
    pub message: &'a str,
    pub source_commit: Option<&'a str>,
}

impl DataCenterRest {
    /// The token's user. Atlassian's document has no "who am I" resource, and
    /// `application-properties` answers anonymously (so a refused token would look like a
    /// missing name). The token is therefore shown to a resource that needs authentication,
    /// `GET …/users?limit=1`: a token Data Center does not accept is a 401 there, which asks
    /// the user to reconnect. Data Center names the caller of an authenticated answer in
    /// `X-AUSERNAME`; when a proxy strips that header, the application-links servlet
    /// (`GET {base}/plugins/servlet/applinks/whoami`) answers the user's slug as its body.
    /// Then the profile: `GET …/users/{userSlug}`.
    pub async fn current_user(&self, token: &SecretString) -> Result<User, ProviderError> {
        let url = self.api(&["users"], &[("limit", "1".to_owned())]);
        let (_, named) = self.answer(token, self.http().get(url), "account").await?;
        let slug = match named.filter(|s| is_user_slug(s)) {
            Some(slug) => slug,
            None => self.whoami(token).await?,
        };
        let url = self.api(&["users", &slug], &[]);
        let mut user: User = self.get(token, url, "account").await?;
        user.slug.get_or_insert(slug);
        Ok(user)
    }

    /// The slug `…/applinks/whoami` answers as plain text, for an accepted token whose
    /// answers lost their `X-AUSERNAME` header on the way.
    async fn whoami(&self, token: &SecretString) -> Result<String, ProviderError> {
        let lost = || {
            ProviderError::Unexpected(
                "Bitbucket Data Center accepted the token but named no user: its answer had no X-AUSERNAME header and /plugins/servlet/applinks/whoami named no one; if a proxy sits in front of it, let that header through".into(),
            )
        };
        let url = self.outside_api(&["plugins", "servlet", "applinks", "whoami"]);
        let request = self
            .http()
            .get(url)
            .header(reqwest::header::ACCEPT, "text/plain");
        let response = match self.send(token, request, "account").await {
            Ok(response) => response,
            Err(ProviderError::NotFound(_)) => return Err(lost()),
            Err(other) => return Err(other),
        };
        let bytes = body::at_most(response, MAX_SLUG_BYTES)
            .await
            .map_err(|e| ProviderError::Unavailable(e.without_url().to_string()))?
            .ok_or_else(lost)?;
        String::from_utf8(bytes)
            .ok()
            .map(|slug| slug.trim().to_owned())
            .filter(|slug| is_user_slug(slug))
            .ok_or_else(lost)
    }

    /// Every project the account can see, by key, at most [`MAX_PROJECT_PAGES`] pages.
    pub async fn all_projects(
        &self,
        token: &SecretString,
        reading: Reading,
    ) -> Result<Vec<RepositoryGroup>, ProviderError> {
        let mut projects = Vec::new();
        let mut start = 0;
        for _ in 0..MAX_PROJECT_PAGES {
            let url = self.api(
                &["projects"],
                &[
                    ("start", start.to_string()),
                    ("limit", MAX_LIMIT.to_string()),
                ],
            );
            let page: Paged<Project> = self.get_cached(token, url, "project list", reading).await?;
            projects.extend(page.values.iter().filter_map(|p| {
                let key = p.key.clone().filter(|k| super::model::is_name(k))?;
                Some(RepositoryGroup {
                    slug: key,
                    name: p.name.clone(),
                })
            }));
            match next_start(&page, start, MAX_LIMIT.into(), "project list") {
                Some(next) if next > start => start = next,
                _ => break,
            }
        }
        projects.sort_by(|a, b| a.slug.cmp(&b.slug));
        projects.dedup_by(|a, b| a.slug == b.slug);
        Ok(projects)
    }

    /// One page of the project's repositories the account can write to, searched by name.
    pub async fn writable_repositories(
        &self,
        token: &SecretString,
        project: &str,
        search: Option<&str>,
        start: u64,
    ) -> Result<Paged<Repository>, ProviderError> {
        let mut query = vec![
            ("permission", "REPO_WRITE".to_owned()),
            ("projectkey", project.to_owned()),
            ("start", start.to_string()),
            ("limit", REPOSITORY_LIMIT.to_string()),
        ];
        if let Some(search) = search.filter(|s| !s.is_empty()) {
            query.push(("name", search.to_owned()));
        }
        let url = self.api(&["repos"], &query);
        self.get_cached(token, url, "repository list", Reading::Cached)
            .await
    }

    /// The project of the first repository the account can write to: where the repository
    /// step opens before the user has chosen. (The first project by key may be one the
    /// account only reads, which would open on an empty list.)
    pub async fn first_writable_project(
        &self,
        token: &SecretString,
    ) -> Result<Option<String>, ProviderError> {
        let url = self.api(
            &["repos"],
            &[
                ("permission", "REPO_WRITE".to_owned()),
                ("limit", "1".to_owned()),
            ],
        );
        let page: Paged<Repository> = self.get(token, url, "repository list").await?;
        Ok(page
            .values
            .into_iter()
            .find_map(Repository::into_api)
            .map(|repository| repository.group))
    }

    pub async fn repository(
        &self,
        token: &SecretString,
        project: &str,
        slug: &str,
    ) -> Result<Repository, ProviderError> {
        self.get(token, self.repo(project, slug, &[], &[]), "repository")
            .await
    }

    /// Whether the account can write to the repository: it is among the project's writable
    /// repositories of that name.
    pub async fn can_write(
        &self,
        token: &SecretString,
        project: &str,
        repository: &Repository,
    ) -> Result<bool, ProviderError> {
        let slug = repository.slug.as_deref().unwrap_or_default();
        let name = repository.name.as_deref().unwrap_or(slug);
        let url = self.api(
            &["repos"],
            &[
                ("permission", "REPO_WRITE".to_owned()),
                ("projectkey", project.to_owned()),
                ("name", name.to_owned()),
                ("limit", MAX_LIMIT.to_string()),
            ],
        );
        let page: Paged<Repository> = self.get(token, url, "repository list").await?;
        Ok(page.values.iter().any(|r| r.slug.as_deref() == Some(slug)))
    }

    /// Branch `name` exactly (`filterText` matches substrings), `None` if there is none.
    pub async fn branch(
        &self,
        token: &SecretString,
        project: &str,
        slug: &str,
        name: &str,
    ) -> Result<Option<Branch>, ProviderError> {
        let url = self.repo(
            project,
            slug,
            &["branches"],
            &[("filterText", name.to_owned()), ("limit", "100".to_owned())],
        );
        let page: Paged<Branch> = self.get(token, url, "branch list").await?;
        Ok(page.values.into_iter().find(|b| b.name() == Some(name)))
    }

    /// One branch of the repository, `None` when it has none (it is empty).
    pub async fn any_branch(
        &self,
        token: &SecretString,
        project: &str,
        slug: &str,
    ) -> Result<Option<Branch>, ProviderError> {
        let url = self.repo(project, slug, &["branches"], &[("limit", "1".to_owned())]);
        let page: Paged<Branch> = self.get(token, url, "branch list").await?;
        Ok(page.values.into_iter().find(|b| b.name().is_some()))
    }

    /// The repository's configured default branch; `None` when it has none.
    pub async fn default_branch(
        &self,
        token: &SecretString,
        project: &str,
        slug: &str,
    ) -> Result<Option<Branch>, ProviderError> {
        let url = self.repo(project, slug, &["default-branch"], &[]);
        let response = match self
            .send(token, self.http().get(url), "default branch")
            .await
        {
            Ok(response) => response,
            Err(ProviderError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        };
        if response.status() == reqwest::StatusCode::NO_CONTENT {
            return Ok(None);
        }
        let branch: Branch = body::json(response, "default branch").await?;
        Ok(Some(branch).filter(|b| b.name().is_some()))
    }

    /// Creates branch `name` at the tip of branch `from`, with branch-utils'
    /// `POST …/branches`: the create whose statuses the document declares (201; 400 for an
    /// invalid request "e.g. the provided ref name already existed"; 401; 409 for a name
    /// that overlaps an existing branch). The `api/latest` create declares only 200, 401 and
    /// 404, so how it answers an existing branch is not promised. The document's
    /// `RestBranchCreateRequest` takes a commit id as `startPoint` (at most 40 characters),
    /// so `from`'s tip is read first; `from` gone is a 404.
    pub async fn create_branch(
        &self,
        token: &SecretString,
        project: &str,
        slug: &str,
        name: &str,
        from: &str,
    ) -> Result<Branch, ProviderError> {
        let tip = self
            .branch(token, project, slug, from)
            .await?
            .and_then(|b| b.latest_commit)
            .ok_or_else(|| {
                ProviderError::NotFound(format!("The branch {from} of {project}/{slug}"))
            })?;
        let mut url = self.outside_api(&["rest", "branch-utils", "latest", "projects"]);
        url.path_segments_mut()
            .expect("an http(s) base URL has path segments")
            .extend([project, "repos", slug, "branches"]);
        let request = json!({ "name": name, "startPoint": tip });
        let response = self
            .send(token, self.http().post(url).json(&request), "branch")
            .await?;
        body::json(response, "branch").await
    }

    /// A file's bytes at `at`, `None` when it is not there; refused above `max_bytes`.
    pub async fn raw(
        &self,
        token: &SecretString,
        project: &str,
        slug: &str,
        path: &str,
        at: &str,
        max_bytes: usize,
    ) -> Result<Option<Vec<u8>>, ProviderError> {
        let mut tail = vec!["raw"];
        tail.extend(path.split('/'));
        let url = self.repo(project, slug, &tail, &[("at", at.to_owned())]);
        let request = self.http().get(url).header(reqwest::header::ACCEPT, "*/*");
        let response = match self.send(token, request, "file").await {
            Ok(response) => response,
            Err(ProviderError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        };
        let bytes = body::at_most(response, max_bytes)
            .await
            .map_err(|e| ProviderError::Unavailable(e.without_url().to_string()))?
            .ok_or_else(|| {
                ProviderError::TooLarge(format!(
                    "{path} is larger than the studio opens ({} KiB at most).",
                    max_bytes / 1024
                ))
            })?;
        Ok(Some(bytes))
    }

    /// Every file path under `folder` at `at`, recursively, at most `max` (then `true`).
    pub async fn files(
        &self,
        token: &SecretString,
        project: &str,
        slug: &str,
        folder: &str,
        at: &str,
        max: usize,
    ) -> Result<(Vec<String>, bool), ProviderError> {
        let mut tail = vec!["files"];
        tail.extend(folder.split('/').filter(|s| !s.is_empty()));
        let mut found = Vec::new();
        let mut start = 0;
        // What bounds the walk is what the pages hold, not what could be read of it: items
        // skipped as unreadable, and pages without items, count too, so an instance that
        // answers endless pages of either is still asked at most `max + 1` times.
        let mut seen = 0usize;
        for _ in 0..=max {
            let url = self.repo(
                project,
                slug,
                &tail,
                &[
                    ("at", at.to_owned()),
                    ("start", start.to_string()),
                    ("limit", MAX_LIMIT.to_string()),
                ],
            );
            let page: Paged<serde_json::Value> = match self.get(token, url, "folder").await {
                Ok(page) => page,
                // No such folder (404), or a file where a folder was named (400): empty.
                Err(ProviderError::NotFound(_) | ProviderError::BadRequest(_)) => {
                    return Ok((found, false))
                }
                Err(other) => return Err(other),
            };
            let prefix = if folder.is_empty() {
                String::new()
            } else {
                format!("{}/", folder.trim_end_matches('/'))
            };
            found.extend(
                page.values
                    .iter()
                    .filter_map(file_path)
                    .map(|p| format!("{prefix}{p}")),
            );
            seen = seen.saturating_add(page.values.len());
            if found.len() > max || seen > max {
                found.truncate(max);
                return Ok((found, true));
            }
            match next_start(&page, start, MAX_LIMIT.into(), "folder") {
                Some(next) if next > start => start = next,
                _ => return Ok((found, false)),
            }
        }
        Ok((found, true))
    }

    /// The newest commit on `until` that touched `path` (the branch's head without a path);
    /// `None` when `until` names no commit. The document's statuses for `GET …/commits`: 400
    /// "one of the supplied commit IDs or refs was invalid" (here: no such branch), 404 "the
    /// repository does not exist".
    pub async fn last_commit(
        &self,
        token: &SecretString,
        project: &str,
        slug: &str,
        until: &str,
        path: Option<&str>,
    ) -> Result<Option<Commit>, ProviderError> {
        let mut query = vec![("until", until.to_owned()), ("limit", "1".to_owned())];
        if let Some(path) = path {
            query.push(("path", path.to_owned()));
        }
        let url = self.repo(project, slug, &["commits"], &query);
        let page: Paged<WireCommit> = match self.get(token, url, "commit history").await {
            Ok(page) => page,
            Err(ProviderError::BadRequest(_)) => return Ok(None),
            Err(ProviderError::NotFound(_)) => {
                return Err(ProviderError::NotFound(format!(
                    "The repository {project}/{slug}"
                )))
            }
            Err(other) => return Err(other),
        };
        Ok(page.values.into_iter().find_map(WireCommit::into_commit))
    }

    /// Commits one file on a branch (`PUT …/browse/{path}`). 409 when it changed since
    /// `source_commit`, exists on create, or would not change.
    pub async fn edit_file(
        &self,
        token: &SecretString,
        project: &str,
        slug: &str,
        edit: FileEdit<'_>,
    ) -> Result<Commit, ProviderError> {
        let mut tail = vec!["browse"];
        tail.extend(edit.path.split('/'));
        let url = self.repo(project, slug, &tail, &[]);
        let mut form = Form::new()
            .text("branch", edit.branch.to_owned())
            .text("content", edit.content.to_owned())
            .text("message", edit.message.to_owned());
        if let Some(source) = edit.source_commit {
            form = form.text("sourceCommitId", source.to_owned());
        }
        let response = self
            .send(token, self.http().put(url).multipart(form), "file")
            .await?;
        let commit: WireCommit = body::json(response, "file").await?;
        match commit.into_commit() {
            Some(commit) => Ok(commit),
            None => self.landed(token, project, slug, &edit).await,
        }
    }

    /// The commit a save made, when the answer (a `RestCommit`, none of whose fields the
    /// document requires) did not name it: the newest commit on the branch that touched the
    /// file, provided the file there is exactly the text saved. Otherwise someone committed
    /// to the file since: naming their commit would make it the base of the next save and
    /// overwrite their change unseen, so the save answers 409's conflict, which the caller
    /// resolves as for any refused save (re-reading the branch).
    async fn landed(
        &self,
        token: &SecretString,
        project: &str,
        slug: &str,
        edit: &FileEdit<'_>,
    ) -> Result<Commit, ProviderError> {
        let until = at_branch(edit.branch);
        let conflict = || {
            ProviderError::Conflict(format!(
                "{} changed on {} just after the save",
                edit.path, edit.branch
            ))
        };
        let Some(newest) = self
            .last_commit(token, project, slug, &until, Some(edit.path))
            .await?
        else {
            return Err(conflict());
        };
        let limit = edit.content.len();
        let there = self
            .raw(token, project, slug, edit.path, &newest.id, limit.max(1))
            .await;
        match there {
            // Found, not answered: it may be someone's commit of more than this one file, so
            // its parent says nothing of what it holds.
            Ok(Some(bytes)) if bytes == edit.content.as_bytes() => Ok(Commit {
                parents: None,
                ..newest
            }),
            Ok(_) | Err(ProviderError::TooLarge(_)) => Err(conflict()),
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::extract::Query;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    use axum::routing::{get, post, put};
    use axum::{Json, Router};
    use serde_json::Value;
    use std::collections::HashMap;

    const REPO: &str = "/rest/api/latest/projects/DATA/repos/etl";

    async fn serve(app: Router) -> DataCenterRest {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        DataCenterRest::new(
            reqwest::Client::new(),
            &base,
            crate::telemetry::Metrics::new(),
        )
        .unwrap()
    }

    fn token() -> SecretString {
        SecretString::from("token".to_owned())
    }

    fn refused(status: StatusCode) -> (StatusCode, Json<Value>) {
        (status, Json(json!({})))
    }

    /// A Data Center that accepts the token or not; whose answers carry `X-AUSERNAME: alex`
    /// or, behind a proxy that drops it, no such header; and that has the application-links
    /// servlet or not.
    async fn instance(accepts: bool, names_the_user: bool, whoami: bool) -> DataCenterRest {
        let app = Router::new()
            .route(
                "/rest/api/latest/users",
                get(move || async move {
                    if !accepts {
                        return refused(StatusCode::UNAUTHORIZED).into_response();
                    }
                    let mut headers = HeaderMap::new();
                    if names_the_user {
                        headers.insert("x-ausername", "alex".parse().unwrap());
                    }
                    (headers, Json(json!({"values": [{"slug": "admin"}]}))).into_response()
                }),
            )
            .route(
                "/plugins/servlet/applinks/whoami",
                get(move || async move {
                    if whoami {
                        "alex\n".into_response()
                    } else {
                        refused(StatusCode::NOT_FOUND).into_response()
                    }
                }),
            )
            .route(
                "/rest/api/latest/users/alex",
                get(|| async { Json(json!({"slug": "alex", "id": 101, "displayName": "Alex"})) }),
            )
            // Refused, with text that says "authentication" though the token is accepted.
            .route(
                REPO,
                get(|| async {
                    (
                        StatusCode::UNAUTHORIZED,
                        Json(json!({"errors": [{"message": "Authentication failed.",
                            "exceptionName": "com.atlassian.bitbucket.auth.AuthenticationException"}]})),
                    )
                }),
            );
        serve(app).await
    }

    #[tokio::test]
    async fn a_401_is_a_missing_permission_only_when_the_token_is_accepted() {
        let accepted = instance(true, true, false).await;
        let error = accepted
            .repository(&token(), "DATA", "etl")
            .await
            .unwrap_err();
        assert!(
            matches!(&error, ProviderError::Forbidden(m) if m.contains("lacks the permission")),
            "{error:?}"
        );
        let refused = instance(false, true, false).await;
        assert!(matches!(
            refused.repository(&token(), "DATA", "etl").await,
            Err(ProviderError::Unauthorized { expired: false })
        ));
    }

    #[tokio::test]
    async fn the_user_is_learnt_from_an_authenticated_resource() {
        let named = instance(true, true, false).await;
        let user = named.current_user(&token()).await.unwrap();
        assert_eq!((user.slug.as_deref(), user.id), (Some("alex"), Some(101)));
        // Behind a proxy that strips the header: the whoami body names the user.
        let stripped = instance(true, false, true).await;
        let user = stripped.current_user(&token()).await.unwrap();
        assert_eq!(user.slug.as_deref(), Some("alex"));
        // A token Data Center refuses is a 401 there: reconnect.
        let refusing = instance(false, true, true).await;
        assert!(matches!(
            refusing.current_user(&token()).await,
            Err(ProviderError::Unauthorized { expired: false })
        ));
        // Accepted, but nothing names the user: the log says why.
        let nameless = instance(true, false, false).await;
        let error = nameless.current_user(&token()).await.unwrap_err();
        assert!(
            matches!(&error, ProviderError::Unexpected(m) if m.contains("X-AUSERNAME")),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn an_unknown_ref_is_no_branch_and_a_404_is_no_repository() {
        let app = Router::new().route(
            &format!("{REPO}/commits"),
            get(|Query(q): Query<HashMap<String, String>>| async move {
                match q["until"].as_str() {
                    "refs/heads/gone" => refused(StatusCode::BAD_REQUEST),
                    "refs/heads/main" => (StatusCode::OK, Json(json!({}))),
                    _ => refused(StatusCode::NOT_FOUND),
                }
            }),
        );
        let rest = serve(app).await;
        let head = |until: &'static str| {
            let rest = rest.clone();
            async move { rest.last_commit(&token(), "DATA", "etl", until, None).await }
        };
        assert!(head("refs/heads/gone").await.unwrap().is_none());
        // The smallest page: no commit, not an error.
        assert!(head("refs/heads/main").await.unwrap().is_none());
        assert!(matches!(
            head("refs/heads/other").await,
            Err(ProviderError::NotFound(m)) if m == "The repository DATA/etl"
        ));
    }

    /// A branch `main` at `abc123` whose newest change to `a.yaml` has `there` as its text,
    /// and whose commit answers `{}` (the smallest `RestCommit`).
    async fn saving_to(there: &'static str) -> DataCenterRest {
        let app = Router::new()
            .route(
                &format!("{REPO}/browse/{{*path}}"),
                put(|| async { Json(json!({})) }),
            )
            .route(
                &format!("{REPO}/commits"),
                get(|Query(q): Query<HashMap<String, String>>| async move {
                    assert_eq!(q.get("path").map(String::as_str), Some("a.yaml"));
                    assert_eq!(q["until"], "refs/heads/main");
                    Json(json!({"values": [{"id": "abc123"}]}))
                }),
            )
            .route(
                &format!("{REPO}/raw/{{*path}}"),
                get(move |Query(q): Query<HashMap<String, String>>| async move {
                    assert_eq!(q["at"], "abc123");
                    there
                }),
            );
        serve(app).await
    }

    fn edit() -> FileEdit<'static> {
        FileEdit {
            branch: "main",
            path: "a.yaml",
            content: "steps: []\n",
            message: "Save",
            source_commit: Some("0123abcd"),
        }
    }

    #[tokio::test]
    async fn a_commit_answer_without_an_id_is_found_on_the_branch() {
        let rest = saving_to("steps: []\n").await;
        let commit = rest
            .edit_file(&token(), "DATA", "etl", edit())
            .await
            .unwrap();
        assert_eq!(commit.id, "abc123");
        // Someone else's text there: their commit is not named as ours.
        let rest = saving_to("steps: [theirs]\n").await;
        assert!(matches!(
            rest.edit_file(&token(), "DATA", "etl", edit()).await,
            Err(ProviderError::Conflict(_))
        ));
    }

    #[tokio::test]
    async fn branches_are_created_with_branch_utils_at_a_commit() {
        let app = Router::new()
            .route(
                &format!("{REPO}/branches"),
                get(|| async {
                    Json(json!({"values": [{"displayId": "master", "latestCommit": "8d51122def"}]}))
                }),
            )
            .route(
                "/rest/branch-utils/latest/projects/DATA/repos/etl/branches",
                post(|Json(body): Json<Value>| async move {
                    assert_eq!(body, json!({"name": "main", "startPoint": "8d51122def"}));
                    (
                        StatusCode::CREATED,
                        Json(json!({"displayId": "main", "latestCommit": "8d51122def"})),
                    )
                }),
            );
        let rest = serve(app).await;
        let branch = rest
            .create_branch(&token(), "DATA", "etl", "main", "master")
            .await
            .unwrap();
        assert_eq!(branch.name(), Some("main"));
        assert!(matches!(
            rest.create_branch(&token(), "DATA", "etl", "main", "gone")
                .await,
            Err(ProviderError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn file_listings_are_read_tolerantly_and_pages_without_is_last_page_go_on() {
        let app = Router::new().route(
            &format!("{REPO}/files/{{*path}}"),
            get(|Query(q): Query<HashMap<String, String>>| async move {
                // Full pages that never say `isLastPage`, then a short one.
                let start: usize = q["start"].parse().unwrap();
                let limit: usize = q["limit"].parse().unwrap();
                let values: Vec<Value> = (start..(start + limit).min(1500))
                    .map(|i| match i % 3 {
                        0 => json!(format!("f{i}.yaml")),
                        1 => json!({"path": format!("f{i}.yaml")}),
                        _ => json!(i),
                    })
                    .collect();
                let size = values.len() as f64;
                Json(json!({"values": values, "size": size}))
            }),
        );
        let rest = serve(app).await;
        let (files, more) = rest
            .files(&token(), "DATA", "etl", "pipelines", "abc123", 5000)
            .await
            .unwrap();
        assert!(!more);
        assert_eq!(
            files.len(),
            1000,
            "two of every three items, over two pages"
        );
        assert_eq!(files[0], "pipelines/f0.yaml");
        assert_eq!(files[1], "pipelines/f1.yaml");
        assert!(files.contains(&"pipelines/f1498.yaml".to_owned()));
    }

    #[tokio::test]
    async fn endless_pages_of_unreadable_or_no_items_end_the_listing() {
        let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = asked.clone();
        let app = Router::new().route(
            &format!("{REPO}/files/{{*path}}"),
            get(move |Query(q): Query<HashMap<String, String>>| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    // Even pages: a full page of items nobody can read; odd: no items at
                    // all, each naming a further start and never the last page.
                    let start: u64 = q["start"].parse().unwrap();
                    let limit: usize = q["limit"].parse().unwrap();
                    let values: Vec<Value> = if (start / 7).is_multiple_of(2) {
                        (0..limit).map(|i| json!(i)).collect()
                    } else {
                        Vec::new()
                    };
                    Json(json!({"values": values, "isLastPage": false,
                        "nextPageStart": start + 7}))
                }
            }),
        );
        let rest = serve(app).await;
        let (files, more) = rest
            .files(&token(), "DATA", "etl", "pipelines", "abc123", 3)
            .await
            .unwrap();
        assert!(files.is_empty());
        assert!(more, "a listing cut short says so");
        assert!(asked.load(std::sync::atomic::Ordering::SeqCst) <= 4);
    }

    #[test]
    fn user_slugs_cannot_steer_the_url() {
        assert!(is_user_slug("alex"));
        assert!(is_user_slug("jane.citizen@example.com"));
        for bad in ["", "a/b", "a b", "a\nb", &"a".repeat(MAX_SLUG_BYTES + 1)] {
            assert!(!is_user_slug(bad), "{bad:?}");
        }
    }
}
