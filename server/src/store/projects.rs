//! Projects the wizard created.

use api::ProjectName;

use super::{on_pool, unique_violation, Db, StoreError};

pub struct NewProject<'a> {
    pub user_id: i64,
    pub name: &'a ProjectName,
    pub description: &'a str,
    pub configuration: &'a str,
    pub repository: Option<NewProjectRepository<'a>>,
}

pub struct NewProjectRepository<'a> {
    pub provider: &'a str,
    pub workspace: &'a str,
    pub slug: &'a str,
    pub full_name: &'a str,
    pub branch: &'a str,
    pub html_url: &'a str,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub configuration: String,
    pub provider: Option<String>,
    pub workspace: Option<String>,
    pub repo_slug: Option<String>,
    pub repo_full_name: Option<String>,
    pub branch: Option<String>,
    pub html_url: Option<String>,
    pub pipeline_folder: String,
    pub created_at: i64,
}

impl ProjectRow {
    /// The branch the project keeps its pipelines on (`main` for rows from before it was
    /// stored).
    pub fn base_branch(&self) -> &str {
        self.branch.as_deref().unwrap_or(api::PROJECT_BRANCH)
    }

    /// The slug of the project's provider: rows from before there were two providers hold
    /// Bitbucket Cloud's.
    pub fn provider_slug(&self) -> &str {
        self.provider
            .as_deref()
            .unwrap_or(api::GitProvider::BitbucketCloud.slug())
    }
}

const COLUMNS: &str =
    "id, name, description, configuration, provider, workspace, repo_slug, repo_full_name, \
                       branch, html_url, pipeline_folder, created_at";

impl Db {
    /// Fails with [`StoreError::UniqueViolation`] when the user has a project of that name
    /// (compared case-insensitively).
    pub async fn create_project(&self, project: NewProject<'_>) -> Result<ProjectRow, StoreError> {
        let repo = project.repository.as_ref();
        let sql = format!(
            "INSERT INTO projects (user_id, name, name_key, description, configuration, provider, workspace, \
             repo_slug, repo_full_name, branch, html_url, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {COLUMNS}"
        );
        on_pool!(self, pool => sqlx::query_as::<_, ProjectRow>(&sql)
            .bind(project.user_id)
            .bind(project.name.as_str())
            .bind(project.name.uniqueness_key())
            .bind(project.description)
            .bind(project.configuration)
            .bind(repo.map(|r| r.provider))
            .bind(repo.map(|r| r.workspace))
            .bind(repo.map(|r| r.slug))
            .bind(repo.map(|r| r.full_name))
            .bind(repo.map(|r| r.branch))
            .bind(repo.map(|r| r.html_url))
            .bind(super::now())
            .fetch_one(pool)
            .await
            .map_err(unique_violation))
    }

    pub async fn projects_of(&self, user_id: i64) -> Result<Vec<ProjectRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM projects WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, ProjectRow>(&sql).bind(user_id).fetch_all(pool).await)?,
        )
    }

    /// Whether the user has a project of that name (compared as the unique key compares).
    pub async fn has_project_named(
        &self,
        user_id: i64,
        name: &ProjectName,
    ) -> Result<bool, StoreError> {
        let sql = "SELECT COUNT(*) FROM projects WHERE user_id = $1 AND name_key = $2";
        let count: i64 = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(user_id)
            .bind(name.uniqueness_key())
            .fetch_one(pool)
            .await)?;
        Ok(count > 0)
    }

    /// The project, if it exists and belongs to the user (someone else's reads as missing).
    pub async fn project_of(
        &self,
        user_id: i64,
        id: i64,
    ) -> Result<Option<ProjectRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM projects WHERE user_id = $1 AND id = $2");
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, ProjectRow>(&sql).bind(user_id).bind(id).fetch_optional(pool).await)?,
        )
    }
}
