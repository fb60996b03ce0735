//! The Data Center calls themselves, one method each: who the token is, projects and
//! writable repositories (paged by `start`/`limit`), branches, files and the one-file commit
//! (`PUT …/browse/{path}`, multipart).

use api::RepositoryGroup;
use reqwest::multipart::Form;
use secrecy::SecretString;
use serde_json::json;

use super::model::{Branch, Commit, Paged, Project, Repository, User, WireCommit};
use super::rest::DataCenterRest;
use crate::providers::cache::Reading;
use crate::providers::{body, ProviderError};

/// Largest page asked for in lists read whole (projects, files).
pub const MAX_LIMIT: u32 = 1000;
/// Pages of projects read for one list (10,000 projects): a bound against an upstream that
/// always says there is more.
const MAX_PROJECT_PAGES: u32 = 10;
/// The picker's page of repositories.
pub const REPOSITORY_LIMIT: u32 = 50;
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
    /// The token's user: its slug from `X-AUSERNAME` (there is no `/user`), then its profile.
    /// Data Center answers this call anonymously too, so an answer naming no one means the
    /// token was not accepted.
    pub async fn current_user(&self, token: &SecretString) -> Result<User, ProviderError> {
        self.user_named_by(token, ProviderError::Unauthorized { expired: false })
            .await
    }

    /// [`DataCenterRest::current_user`] for a token the token endpoint has just issued: an
    /// answer naming no one then most likely lost its header on the way (a proxy in front
    /// of Data Center that drops it), which the log must say rather than "refused".
    pub async fn fresh_token_user(&self, token: &SecretString) -> Result<User, ProviderError> {
        let lost = ProviderError::Unexpected(
            "Bitbucket Data Center's answer named no user (no X-AUSERNAME header) for a token it had just issued; if a proxy sits in front of it, let that header through".into(),
        );
        self.user_named_by(token, lost).await
    }

    /// The user `X-AUSERNAME` names, then its profile; `anonymous` when the header is absent.
    /// (Atlassian's document does not define the header, nor any other way to learn who a
    /// token belongs to.)
    async fn user_named_by(
        &self,
        token: &SecretString,
        anonymous: ProviderError,
    ) -> Result<User, ProviderError> {
        let url = self.api(&["application-properties"], &[]);
        let (_, slug) = self.answer(token, self.http().get(url), "instance").await?;
        let Some(slug) = slug.filter(|s| !s.is_empty()) else {
            return Err(anonymous);
        };
        let url = self.api(&["users", &slug], &[]);
        let mut user: User = self.get(token, url, "account").await?;
        user.slug.get_or_insert(slug);
        Ok(user)
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
            match page.next() {
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

    /// Creates branch `name` at `start_point` (a branch or commit).
    pub async fn create_branch(
        &self,
        token: &SecretString,
        project: &str,
        slug: &str,
        name: &str,
        start_point: &str,
    ) -> Result<Branch, ProviderError> {
        let url = self.repo(project, slug, &["branches"], &[]);
        let request = json!({ "name": name, "startPoint": start_point });
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
        loop {
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
            let page: Paged<String> = match self.get(token, url, "folder").await {
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
            found.extend(page.values.iter().map(|p| format!("{prefix}{p}")));
            if found.len() > max {
                found.truncate(max);
                return Ok((found, true));
            }
            match page.next() {
                Some(next) if next > start => start = next,
                _ => return Ok((found, false)),
            }
        }
    }

    /// The newest commit on `until` that touched `path` (the branch's head without a path).
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
            Err(ProviderError::NotFound(_)) => return Ok(None),
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
        commit.into_commit().ok_or_else(|| {
            ProviderError::Unexpected("Data Center's answer to the commit names no commit".into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;
    use axum::routing::get;
    use axum::Json;

    /// A Data Center whose answers carry `X-AUSERNAME: alex` or, behind a proxy that drops
    /// it, no such header.
    async fn instance(names_the_user: bool) -> DataCenterRest {
        let app = axum::Router::new()
            .route(
                "/rest/api/latest/application-properties",
                get(move || async move {
                    let mut headers = HeaderMap::new();
                    if names_the_user {
                        headers.insert("x-ausername", "alex".parse().unwrap());
                    }
                    (headers, Json(json!({"version": "9.2.0"})))
                }),
            )
            .route(
                "/rest/api/latest/users/alex",
                get(|| async { Json(json!({"slug": "alex", "id": 101, "displayName": "Alex"})) }),
            );
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

    #[tokio::test]
    async fn the_user_comes_from_x_ausername_and_its_absence_is_told_apart() {
        let token = SecretString::from("token".to_owned());
        let named = instance(true).await;
        assert_eq!(
            named
                .fresh_token_user(&token)
                .await
                .unwrap()
                .slug
                .as_deref(),
            Some("alex")
        );
        let unnamed = instance(false).await;
        // A stored token: not accepted, so the user is asked to reconnect.
        assert!(matches!(
            unnamed.current_user(&token).await,
            Err(ProviderError::Unauthorized { expired: false })
        ));
        // A token just issued: the header was lost, and the log says so.
        let error = unnamed.fresh_token_user(&token).await.unwrap_err();
        assert!(
            matches!(&error, ProviderError::Unexpected(m) if m.contains("X-AUSERNAME")),
            "{error:?}"
        );
    }
}
