//! Upgrading a database: the grants table's rename (migration 0012, `bitbucket_links` →
//! `provider_grants`) keeps every row of every provider, on both engines.

use std::borrow::Cow;
use std::str::FromStr;

use api::GitProvider;
use server::store::{Db, GrantStatus};

use crate::helpers::{fresh_postgres_database, Engine};

/// The migration that renames the table.
const RENAME: i64 = 12;

/// Every column of the table (as of migration 0011), each read as text so one query serves
/// both engines.
const COLUMNS: [&str; 19] = [
    "user_id",
    "provider",
    "account_id",
    "account_uuid",
    "nickname",
    "display_name",
    "avatar_url",
    "scopes",
    "access_token",
    "refresh_token",
    "access_expires_at",
    "status",
    "status_reason",
    "connected_at",
    "validated_at",
    "last_used_at",
    "updated_at",
    "preferred_workspace",
    "refresh_lease_until",
];

crate::both_engines!(the_grants_table_rename_keeps_every_row);

/// A database migrated to the version before the rename, with grants of both providers in
/// `bitbucket_links` (nullable columns both set and empty), is opened by this build: every
/// row is in `provider_grants`, column for column; the old table and the old names of its
/// constraints and indexes are gone; and the store reads the rows.
async fn the_grants_table_rename_keeps_every_row(engine: Engine) {
    let data = tempfile::tempdir().unwrap();
    let url = match engine {
        Engine::Sqlite => format!("sqlite://{}", data.path().join("studio.db").display()),
        Engine::Postgres => fresh_postgres_database().await.0,
    };
    let before = rows_before_the_rename(engine, &url).await;
    assert_eq!(before.len(), 3, "the rows written before the upgrade");

    let db = Db::connect(&url)
        .await
        .expect("this build migrates the database");
    let after = all_rows(&db, "provider_grants").await;
    assert_eq!(after, before, "every row, every column");
    assert!(
        !names_in_schema(&db)
            .await
            .iter()
            .any(|name| name.contains("bitbucket_links")),
        "{:?}",
        names_in_schema(&db).await
    );

    let cloud = db
        .stored_grant(1, GitProvider::BitbucketCloud)
        .await
        .unwrap()
        .expect("Cloud's grant");
    assert_eq!(cloud.account_uuid, "{ada-cloud}");
    assert_eq!(cloud.preferred_workspace.as_deref(), Some("acme-data"));
    assert_eq!(cloud.status(), GrantStatus::Connected);
    let datacenter = db
        .stored_grant(1, GitProvider::BitbucketDataCenter)
        .await
        .unwrap()
        .expect("Data Center's grant");
    assert_eq!(datacenter.account_uuid, "ada-dc");
    assert_eq!(datacenter.access_token, "v1.k1.ada-dc-access");
    let reconnect = db
        .stored_grant(2, GitProvider::BitbucketCloud)
        .await
        .unwrap()
        .expect("Grace's grant");
    assert_eq!(reconnect.status(), GrantStatus::ReconnectNeeded);
    assert_eq!(reconnect.status_reason.as_deref(), Some("refresh refused"));
    db.close().await;
}

/// Migrates a new database at `url` up to the version before [`RENAME`], writes two users'
/// grants into `bitbucket_links`, and returns them as read back.
async fn rows_before_the_rename(engine: Engine, url: &str) -> Vec<Vec<Option<String>>> {
    let mut migrator = match engine {
        Engine::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Engine::Postgres => sqlx::migrate!("./migrations/postgres"),
    };
    migrator.migrations = Cow::Owned(
        migrator
            .migrations
            .iter()
            .filter(|migration| migration.version < RENAME)
            .cloned()
            .collect(),
    );
    assert_eq!(
        migrator
            .migrations
            .last()
            .map(|migration| migration.version),
        Some(RENAME - 1)
    );
    let db = match engine {
        Engine::Sqlite => {
            let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
                .unwrap()
                .create_if_missing(true)
                .foreign_keys(true);
            Db::Sqlite(sqlx::SqlitePool::connect_with(options).await.unwrap())
        }
        Engine::Postgres => Db::Postgres(sqlx::PgPool::connect(url).await.unwrap()),
    };
    let statements = [
        "INSERT INTO users (id, email, password_hash, created_at) VALUES \
         (1, 'ada@example.com', 'hash-a', 1000), (2, 'grace@example.com', 'hash-g', 1001)",
        "INSERT INTO bitbucket_links (user_id, provider, account_id, account_uuid, nickname, \
         display_name, avatar_url, scopes, access_token, refresh_token, access_expires_at, \
         status, status_reason, connected_at, validated_at, last_used_at, updated_at, \
         preferred_workspace, refresh_lease_until) VALUES \
         (1, 'bitbucket', 'a-1', '{ada-cloud}', 'ada', 'Ada Lovelace', 'https://avatars.example/ada', \
          'account repository:write', 'v1.k1.ada-access', 'v1.k1.ada-refresh', 1700000000, \
          'connected', NULL, 1600000000, 1600000100, 1600000200, 1600000300, 'acme-data', NULL), \
         (1, 'bitbucket-dc', 'a-2', 'ada-dc', 'ada', 'Ada L.', NULL, 'REPO_WRITE', \
          'v1.k1.ada-dc-access', 'v1.k1.ada-dc-refresh', 1700000001, 'connected', NULL, \
          1600000001, 1600000101, NULL, 1600000301, NULL, 1600000400), \
         (2, 'bitbucket', 'g-1', '{grace-cloud}', 'grace', 'Grace Hopper', NULL, \
          'account repository:write', 'v1.k2.grace-access', 'v1.k2.grace-refresh', 1700000002, \
          'reconnect_needed', 'refresh refused', 1600000002, 1600000102, NULL, 1600000302, \
          NULL, NULL)",
    ];
    match &db {
        Db::Sqlite(pool) => {
            migrator.run(pool).await.unwrap();
            for sql in statements {
                sqlx::query(sql).execute(pool).await.unwrap();
            }
        }
        Db::Postgres(pool) => {
            migrator.run(pool).await.unwrap();
            for sql in statements {
                sqlx::query(sql).execute(pool).await.unwrap();
            }
        }
    }
    let rows = all_rows(&db, "bitbucket_links").await;
    db.close().await;
    rows
}

/// Every row of `table`, every column as text (NULL as `None`), in key order.
async fn all_rows(db: &Db, table: &str) -> Vec<Vec<Option<String>>> {
    use sqlx::Row;
    let columns = COLUMNS
        .iter()
        .map(|column| format!("CAST({column} AS TEXT)"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {columns} FROM {table} ORDER BY user_id, provider");
    macro_rules! read {
        ($pool:expr) => {
            sqlx::query(&sql)
                .fetch_all($pool)
                .await
                .unwrap()
                .iter()
                .map(|row| {
                    (0..COLUMNS.len())
                        .map(|i| row.get::<Option<String>, _>(i))
                        .collect()
                })
                .collect()
        };
    }
    match db {
        Db::Sqlite(pool) => read!(pool),
        Db::Postgres(pool) => read!(pool),
    }
}

/// The names of the schema's tables, indexes and constraints.
async fn names_in_schema(db: &Db) -> Vec<String> {
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar("SELECT name FROM sqlite_master")
            .fetch_all(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(
            "SELECT relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' \
             UNION ALL SELECT conname::text FROM pg_constraint c \
             JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    }
}
