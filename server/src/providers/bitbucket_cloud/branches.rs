//! The studio's branch (`main`) in a repository: is it there, and creating it, either from the
//! default branch's tip (`POST …/refs/branches`) or, in an empty repository, with a first
//! commit (`POST …/src`), which is the only way Bitbucket creates a branch from nothing.

use api::{MainBranch, PROJECT_BRANCH};
use secrecy::SecretString;
use serde_json::json;

use super::rest::{slug, BitbucketRest};
use super::source::Asked;
use super::ProviderError;

/// What the first commit of an empty repository contains.
pub fn first_readme(repository_name: &str) -> String {
    format!(
        "# {repository_name}\n\nThis repository holds data pipelines edited with Pipeline Studio, on the `{PROJECT_BRANCH}` branch.\n"
    )
}

impl BitbucketRest {
    /// The tip of branch `name`, `None` if there is no such branch.
    pub async fn branch_tip(
        &self,
        token: &SecretString,
        workspace: &str,
        repo: &str,
        name: &str,
        asked: Asked,
    ) -> Result<Option<String>, ProviderError> {
        Ok(self
            .branch_head(token, workspace, repo, name, asked)
            .await?
            .map(|commit| commit.hash))
    }

    /// Whether `main` exists, and what creating it would start from.
    pub async fn main_branch(
        &self,
        token: &SecretString,
        workspace: &str,
        repo: &str,
    ) -> Result<MainBranch, ProviderError> {
        Ok(self.inspect(token, workspace, repo).await?.1)
    }

    /// The repository's name and the state of its `main` branch.
    async fn inspect(
        &self,
        token: &SecretString,
        workspace: &str,
        repo: &str,
    ) -> Result<(String, MainBranch), ProviderError> {
        let (repository, _) = self.repository(token, workspace, repo).await?;
        let state = match self
            .branch_tip(token, workspace, repo, PROJECT_BRANCH, Asked::Recent)
            .await?
        {
            Some(tip) => MainBranch::Ready { tip },
            None => match repository.main_branch {
                Some(default_branch) => MainBranch::Missing { default_branch },
                None => MainBranch::EmptyRepository,
            },
        };
        Ok((repository.name, state))
    }

    /// Creates `main`: from the default branch's tip, or as the first commit of an empty
    /// repository. Already there (perhaps created by a concurrent request) is success.
    pub async fn create_main_branch(
        &self,
        token: &SecretString,
        workspace: &str,
        repo: &str,
    ) -> Result<MainBranch, ProviderError> {
        let (workspace, repo) = (slug(workspace, "workspace")?, slug(repo, "repository")?);
        let what = "repository (creating a branch needs Write access)";
        let (name, state) = self.inspect(token, workspace, repo).await?;
        let created = match state {
            ready @ MainBranch::Ready { .. } => return Ok(ready),
            MainBranch::Missing { default_branch } => {
                let tip = self
                    .branch_tip(token, workspace, repo, &default_branch, Asked::Now)
                    .await?
                    .ok_or_else(|| {
                        ProviderError::NotFound(format!("The branch {default_branch}"))
                    })?;
                let url = self.url(&["repositories", workspace, repo, "refs", "branches"], &[]);
                let body = json!({"name": PROJECT_BRANCH, "target": {"hash": tip}});
                self.send(token, self.http().post(url).json(&body), what)
                    .await
            }
            MainBranch::EmptyRepository => {
                let url = self.url(&["repositories", workspace, repo, "src"], &[]);
                let form = [
                    ("README.md", first_readme(&name)),
                    (
                        "message",
                        "Create the main branch for Pipeline Studio".to_owned(),
                    ),
                    ("branch", PROJECT_BRANCH.to_owned()),
                ];
                self.send(token, self.http().post(url).form(&form), what)
                    .await
            }
        };
        self.forget_cached(token);
        let refusal = match created {
            Ok(_) => None,
            // The branch may exist already (created meanwhile, by us or anyone): the document
            // names no status for that, and 400 and 409 have both been seen. Read what is
            // there now before calling it a failure.
            Err(error @ (ProviderError::Conflict(_) | ProviderError::BadRequest(_))) => Some(error),
            Err(other) => return Err(other),
        };
        match self
            .branch_tip(token, workspace, repo, PROJECT_BRANCH, Asked::Now)
            .await?
        {
            Some(tip) => Ok(MainBranch::Ready { tip }),
            None => Err(refusal.unwrap_or_else(|| {
                ProviderError::Unexpected(
                    "Bitbucket accepted the new branch but does not show it".into(),
                )
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_readme_names_the_repository_and_branch() {
        let readme = first_readme("Sales ETL");
        assert!(readme.starts_with("# Sales ETL\n"));
        assert!(readme.contains("`main`"));
    }
}
