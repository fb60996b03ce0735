//! Studio accounts.

use super::{on_pool, unique_violation, Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
}

impl Db {
    /// Fails with [`StoreError::UniqueViolation`] when the email is taken.
    pub async fn create_user(
        &self,
        email: &str,
        password_hash: &str,
    ) -> Result<UserRow, StoreError> {
        let sql = "INSERT INTO users (email, password_hash, created_at) VALUES ($1, $2, $3) \
                   RETURNING id, email, password_hash";
        on_pool!(self, pool => sqlx::query_as::<_, UserRow>(sql)
            .bind(email)
            .bind(password_hash)
            .bind(super::now())
            .fetch_one(pool)
            .await
            .map_err(unique_violation))
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = "SELECT id, email, password_hash FROM users WHERE email = $1";
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, UserRow>(sql).bind(email).fetch_optional(pool).await)?,
        )
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRow>, StoreError> {
        let sql = "SELECT id, email, password_hash FROM users WHERE id = $1";
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, UserRow>(sql).bind(id).fetch_optional(pool).await)?,
        )
    }
}
