//! The branches each user chose, created or committed to in a project (`project_branches`):
//! the selector's "recent" group, the branch the project page opens on, and whether the
//! studio committed there (to tell a merged branch from one with nothing on it yet).
//!
//! `used_at` is an order, not a time: each use takes the next number in the user's project,
//! so two choices within one second still come out in the order they were made.

use super::{on_pool, Db, StoreError};

/// Branches remembered per user and project; older ones are forgotten as new ones come.
pub const REMEMBERED_BRANCHES: i64 = 20;

const USE: &str = "INSERT INTO project_branches (user_id, project_id, name, committed_at, used_at) \
                   SELECT $1, $2, $3, $4, COALESCE(MAX(used_at), 0) + 1 FROM project_branches \
                   WHERE user_id = $1 AND project_id = $2 \
                   ON CONFLICT (user_id, project_id, name) DO UPDATE SET used_at = excluded.used_at, \
                   committed_at = COALESCE(excluded.committed_at, project_branches.committed_at)";

const FORGET_OLD: &str = "DELETE FROM project_branches WHERE user_id = $1 AND project_id = $2 \
                          AND name NOT IN (SELECT name FROM project_branches \
                          WHERE user_id = $1 AND project_id = $2 ORDER BY used_at DESC LIMIT $3)";

/// One remembered branch.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RememberedBranch {
    pub name: String,
    /// When the studio last committed there for the user.
    pub committed_at: Option<i64>,
}

impl Db {
    /// Records that the user works on `name` now; `committed`: the studio just committed there.
    pub async fn use_branch(
        &self,
        user_id: i64,
        project_id: i64,
        name: &str,
        committed: bool,
    ) -> Result<(), StoreError> {
        let committed_at = committed.then(super::now);
        on_pool!(self, pool => sqlx::query(USE)
            .bind(user_id)
            .bind(project_id)
            .bind(name)
            .bind(committed_at)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        on_pool!(self, pool => sqlx::query(FORGET_OLD)
            .bind(user_id)
            .bind(project_id)
            .bind(REMEMBERED_BRANCHES)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// The user's branches in the project, most recent first.
    pub async fn used_branches(
        &self,
        user_id: i64,
        project_id: i64,
    ) -> Result<Vec<RememberedBranch>, StoreError> {
        let sql = "SELECT name, committed_at FROM project_branches \
                   WHERE user_id = $1 AND project_id = $2 ORDER BY used_at DESC, name";
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, RememberedBranch>(sql)
            .bind(user_id)
            .bind(project_id)
            .fetch_all(pool)
            .await)?,
        )
    }

    /// Forgets a branch the provider no longer has.
    pub async fn forget_branch(
        &self,
        user_id: i64,
        project_id: i64,
        name: &str,
    ) -> Result<(), StoreError> {
        let sql =
            "DELETE FROM project_branches WHERE user_id = $1 AND project_id = $2 AND name = $3";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(user_id)
            .bind(project_id)
            .bind(name)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }
}
