//! All SQL lives here. One [`Db`] serves SQLite (the embedded default) and PostgreSQL (several
//! instances behind a load balancer); routes never see which.
//!
//! Both engines run the same query text: placeholders are `$1, $2, …` (SQLite reads `$N` as
//! the N-th argument), times are Unix seconds in 64-bit integers, and `RETURNING` works on
//! both. The [`on_pool!`] macro expands one query for each engine, so each query is written
//! once and type-checked against both drivers. Schemas differ only in DDL, hence one
//! migrations folder per engine.

mod drafts;
mod events;
mod grants;
mod oauth_transactions;
mod outbox;
mod pipeline_drafts;
mod pipelines;
mod project_branches;
mod projects;
mod rate_limits;
mod sessions;
mod sign_ups;
mod users;

pub use api::ConnectionEventKind;
pub use events::EVENTS_SHOWN;
pub use grants::{now_ms, GrantStatus, NewGrant, StoredGrant, StoredTokens};
pub use oauth_transactions::{NewOAuthTransaction, OAuthTransaction};
pub use outbox::KeptMail;
pub use pipeline_drafts::DraftSlot;
pub use pipelines::{PipelineWrite, StudioPipelineRow};
pub use project_branches::{RememberedBranch, REMEMBERED_BRANCHES};
pub use projects::{NewProject, NewProjectRepository, ProjectRow};
pub use rate_limits::{Limit, Refused};
pub use sessions::{
    SessionWithUser, SESSION_ENDED_CHANNEL, SESSION_HEARTBEAT_CHANNEL_PREFIX, SESSION_LISTENER_NAME,
};
pub use sign_ups::PendingSignUp;
pub use users::UserRow;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// Runs `$body` with `$pool` bound to the concrete pool of either engine.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Each engine's migrations, embedded at build time: applied at start-up, and counted by
/// [`Db::ready`].
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database URL {0:?} is neither sqlite:// nor postgres://")]
    UnsupportedUrl(String),
    #[error("a row with the same unique key exists")]
    UniqueViolation,
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{applied} of {wanted} migrations applied")]
    NotMigrated { applied: i64, wanted: i64 },
}

impl StoreError {
    /// The database is unreachable or restarting: the request may succeed in a moment, and
    /// nothing was written (each write is one statement or one transaction).
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Sqlx(error) => match error {
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::WorkerCrashed => true,
                // SQLSTATE 08xxx: connection exceptions; 57P01-57P03: the server is shutting
                // down, crashed, or not yet accepting connections.
                sqlx::Error::Database(db) => db.code().is_some_and(|c| {
                    c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")
                }),
                _ => false,
            },
            StoreError::NotMigrated { .. } => true,
            _ => false,
        }
    }
}

/// Maps a unique-key violation to [`StoreError::UniqueViolation`] so callers can answer 409.
pub(crate) fn unique_violation(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::UniqueViolation,
        _ => StoreError::Sqlx(error),
    }
}

impl Db {
    /// Connects and applies this engine's migrations. A `sqlite://` file and its folder are
    /// created when missing, so a fresh checkout runs with no set-up.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        let db = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            if let Some(parent) = options.get_filename().parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
                }
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .connect_with(options)
                .await?;
            SQLITE_MIGRATIONS.run(&pool).await?;
            Db::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            // No ping before each use: it was one more round trip per query, on every request
            // (BENCHMARKS.md, figure 3). A connection that died while idle fails its query,
            // which answers 503 (`StoreError::is_unavailable`), and sqlx's ping when the
            // connection is released finds it broken and drops it.
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await?;
            POSTGRES_MIGRATIONS.run(&pool).await?;
            Db::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        Ok(db)
    }

    pub fn engine(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Ready to serve: the database answers and every migration this build knows is applied
    /// (an instance of an older build would see more, which is fine; fewer means a start-up
    /// that has not finished migrating, or a database from elsewhere).
    pub async fn ready(&self) -> Result<(), StoreError> {
        let wanted = match self {
            Db::Sqlite(_) => SQLITE_MIGRATIONS.iter().count(),
            Db::Postgres(_) => POSTGRES_MIGRATIONS.iter().count(),
        } as i64;
        let sql = "SELECT COUNT(*) FROM _sqlx_migrations WHERE success";
        let applied: i64 = on_pool!(self, pool => sqlx::query_scalar(sql).fetch_one(pool).await)?;
        if applied < wanted {
            return Err(StoreError::NotMigrated { applied, wanted });
        }
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// The pool's connections now, for `/metrics`.
    pub fn pool_use(&self) -> crate::telemetry::metrics::PoolUse {
        on_pool!(self, pool => crate::telemetry::metrics::PoolUse {
            size: pool.size(),
            idle: pool.num_idle() as u32,
            max: pool.options().get_max_connections(),
        })
    }
}

/// Current time in Unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
