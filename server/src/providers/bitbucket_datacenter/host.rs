//! Bitbucket Data Center as a [`GitHost`]: projects play the part of Cloud's workspaces
//! (`RepositoryGroup.slug` is the project key), repositories are listed with
//! `permission=REPO_WRITE` and searched by `name` on the server, pages go by `start`.

use std::sync::Arc;

use api::{MainBranch, Page, Repository, RepositoryGroup, RepositoryPicker, PROJECT_BRANCH};
use async_trait::async_trait;
use secrecy::SecretString;

use super::model::{Paged, Repository as WireRepository};
use super::pipelines::DataCenterPipelines;
use super::rest::{name, DataCenterRest};
use crate::error::AppResult;
use crate::pipelines::PipelineStore;
use crate::providers::bitbucket_cloud::branches::first_readme;
use crate::providers::picker::{first_screen, picker_of};
use crate::providers::{
    missing_main, BitbucketError, GitHost, Grants, Identity, PipelineLocation, ProjectRepository,
};

/// Largest `start` a cursor may name: 10,000 repositories in one project are 200 pages.
const MAX_START: u64 = 1_000_000;

pub struct DataCenterHost {
    pub grants: Arc<Grants>,
    pub rest: DataCenterRest,
}

/// The app's opaque cursor is Data Center's `nextPageStart`.
fn start_of(cursor: Option<&str>) -> Result<u64, BitbucketError> {
    match cursor {
        None => Ok(0),
        Some(cursor) => cursor
            .parse::<u64>()
            .ok()
            .filter(|start| *start <= MAX_START)
            .ok_or(BitbucketError::InvalidName("page")),
    }
}

/// Data Center's `size` counts the page, not the list: it is the total only for a list
/// that fits in its first page.
fn to_api_page(page: Paged<WireRepository>, start: u64) -> Page<Repository> {
    let next = super::calls::next_start(
        &page,
        start,
        super::calls::REPOSITORY_LIMIT.into(),
        "repository list",
    )
    .map(|n| n.to_string());
    Page {
        size: page.size.filter(|_| next.is_none() && start == 0),
        values: page
            .values
            .into_iter()
            .filter_map(WireRepository::into_api)
            .collect(),
        next,
    }
}

#[async_trait]
impl GitHost for DataCenterHost {
    async fn identify(&self, token: &SecretString) -> Result<Identity, BitbucketError> {
        let (user, first_project) = tokio::join!(
            self.rest.current_user(token),
            self.rest.first_writable_project(token)
        );
        let user = user?;
        let slug = user.slug.clone().unwrap_or_default();
        Ok(Identity {
            uuid: user
                .id
                .map(|id| id.to_string())
                .unwrap_or_else(|| slug.clone()),
            account_id: user.id.map(|id| id.to_string()),
            display_name: user
                .display_name
                .clone()
                .or(user.name.clone())
                .unwrap_or_else(|| slug.clone()),
            nickname: Some(slug).filter(|s| !s.is_empty()),
            avatar_url: None,
            first_group: first_project.ok().flatten(),
        })
    }

    async fn check(&self, user_id: i64) -> AppResult<()> {
        let rest = &self.rest;
        self.grants
            .with_token(user_id, |token| async move {
                rest.current_user(&token).await.map(drop)
            })
            .await
    }

    /// One round trip as a rule (see [`first_screen`]): the projects and the guessed
    /// project's first repositories at the same time.
    async fn picker(
        &self,
        user_id: i64,
        guess: Option<String>,
        _refresh: bool,
    ) -> AppResult<RepositoryPicker> {
        if let Some(guess) = &guess {
            name(guess, "project")?;
        }
        let rest = &self.rest;
        let (projects, shown) = self
            .grants
            .with_token(user_id, |token| {
                let guess = guess.clone();
                async move {
                    first_screen(
                        guess,
                        rest.all_projects(&token),
                        |key| {
                            let token = &token;
                            async move { rest.writable_repositories(token, &key, None, 0).await }
                        },
                        |project: &RepositoryGroup| project.slug.as_str(),
                    )
                    .await
                }
            })
            .await?;
        Ok(picker_of(
            projects,
            shown.map(|(key, page)| (key, to_api_page(page, 0))),
        ))
    }

    async fn groups(&self, user_id: i64) -> AppResult<Vec<RepositoryGroup>> {
        let rest = &self.rest;
        self.grants
            .with_token(
                user_id,
                |token| async move { rest.all_projects(&token).await },
            )
            .await
    }

    /// Data Center's project list carries the names already.
    async fn group_names(&self, user_id: i64) -> AppResult<Vec<RepositoryGroup>> {
        self.groups(user_id).await
    }

    async fn repositories(
        &self,
        user_id: i64,
        workspace: &str,
        search: Option<&str>,
        cursor: Option<&str>,
        _refresh: bool,
    ) -> AppResult<Page<Repository>> {
        let project = name(workspace, "project")?;
        let start = start_of(cursor)?;
        let rest = &self.rest;
        let page = self
            .grants
            .with_token(user_id, |token| async move {
                rest.writable_repositories(&token, project, search, start)
                    .await
            })
            .await?;
        Ok(to_api_page(page, start))
    }

    async fn main_branch(
        &self,
        user_id: i64,
        workspace: &str,
        repo: &str,
    ) -> AppResult<MainBranch> {
        let (project, repo) = (name(workspace, "project")?, name(repo, "repository")?);
        let rest = &self.rest;
        self.grants
            .with_token(user_id, |token| async move {
                main_branch(rest, &token, project, repo).await
            })
            .await
    }

    async fn create_main_branch(
        &self,
        user_id: i64,
        workspace: &str,
        repo: &str,
    ) -> AppResult<MainBranch> {
        let (project, repo) = (name(workspace, "project")?, name(repo, "repository")?);
        let rest = &self.rest;
        self.grants
            .with_token(user_id, |token| async move {
                create_main_branch(rest, &token, project, repo).await
            })
            .await
    }

    async fn project_repository(
        &self,
        user_id: i64,
        workspace: &str,
        repo: &str,
    ) -> AppResult<ProjectRepository> {
        let (project, repo) = (name(workspace, "project")?, name(repo, "repository")?);
        let rest = &self.rest;
        let (repository, writable, main) = self
            .grants
            .with_token(user_id, |token| async move {
                let repository = rest.repository(&token, project, repo).await?;
                let (writable, main) = tokio::join!(
                    rest.can_write(&token, project, &repository),
                    rest.branch(&token, project, repo, PROJECT_BRANCH)
                );
                Ok((repository, writable?, main?))
            })
            .await?;
        let full_name = format!("{project}/{repo}");
        if !writable || repository.archived == Some(true) {
            return Err(BitbucketError::Forbidden(format!(
                "Your Bitbucket Data Center account cannot write to {full_name}. Choose a repository you can write to, or ask a project admin for write access."
            ))
            .into());
        }
        if main.is_none() {
            return Err(missing_main(&full_name));
        }
        let html_url = repository.html_url().unwrap_or_else(|| {
            let mut url = rest.base().clone();
            url.path_segments_mut()
                .expect("an http(s) base URL has path segments")
                .pop_if_empty()
                .extend(["projects", project, "repos", repo, "browse"]);
            url.to_string()
        });
        Ok(ProjectRepository {
            workspace: project.to_owned(),
            slug: repo.to_owned(),
            full_name,
            html_url,
        })
    }

    fn pipelines(&self, location: PipelineLocation) -> Box<dyn PipelineStore> {
        Box::new(DataCenterPipelines {
            grants: Arc::clone(&self.grants),
            rest: self.rest.clone(),
            location,
        })
    }
}

async fn main_branch(
    rest: &DataCenterRest,
    token: &SecretString,
    project: &str,
    repo: &str,
) -> Result<MainBranch, BitbucketError> {
    if let Some(main) = rest.branch(token, project, repo, PROJECT_BRANCH).await? {
        return Ok(MainBranch::Ready {
            tip: main.latest_commit.unwrap_or_default(),
        });
    }
    // Data Center names a configured default branch even in an empty repository, so the
    // name counts only if the branch is really there; else any branch will do, and none
    // at all means the repository is empty.
    if let Some(default) = rest.default_branch(token, project, repo).await? {
        let name = default.name().unwrap_or_default().to_owned();
        if rest.branch(token, project, repo, &name).await?.is_some() {
            return Ok(MainBranch::Missing {
                default_branch: name,
            });
        }
    }
    Ok(match rest.any_branch(token, project, repo).await? {
        Some(branch) => MainBranch::Missing {
            default_branch: branch.name().unwrap_or_default().to_owned(),
        },
        None => MainBranch::EmptyRepository,
    })
}

/// `main` from the default branch's tip, or in an empty repository by committing a README
/// to it (a commit on a new branch is how a branch comes from nothing). If `main` appears
/// meanwhile (another tab), that one is the answer.
async fn create_main_branch(
    rest: &DataCenterRest,
    token: &SecretString,
    project: &str,
    repo: &str,
) -> Result<MainBranch, BitbucketError> {
    let created = match main_branch(rest, token, project, repo).await? {
        ready @ MainBranch::Ready { .. } => return Ok(ready),
        MainBranch::Missing { default_branch } => rest
            .create_branch(token, project, repo, PROJECT_BRANCH, &default_branch)
            .await
            .map(drop),
        MainBranch::EmptyRepository => {
            let readme = first_readme(repo);
            rest.edit_file(
                token,
                project,
                repo,
                super::calls::FileEdit {
                    branch: PROJECT_BRANCH,
                    path: "README.md",
                    content: &readme,
                    message: "Create the main branch for Pipeline Studio",
                    source_commit: None,
                },
            )
            .await
            .map(drop)
        }
    };
    match created {
        Ok(()) => {}
        // Lost a race with another creation: what matters is that `main` is there now.
        Err(BitbucketError::Conflict(_) | BitbucketError::BadRequest(_)) => {}
        Err(other) => return Err(other),
    }
    match main_branch(rest, token, project, repo).await? {
        ready @ MainBranch::Ready { .. } => Ok(ready),
        _ => Err(BitbucketError::Unexpected(
            "Bitbucket Data Center did not create the main branch".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_bounded_page_starts() {
        assert_eq!(start_of(None).unwrap(), 0);
        assert_eq!(start_of(Some("50")).unwrap(), 50);
        for bad in ["-1", "x", "1e3", "99999999999", ""] {
            assert!(start_of(Some(bad)).is_err(), "{bad:?}");
        }
    }
}
