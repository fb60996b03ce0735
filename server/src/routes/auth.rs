//! Studio accounts: sign up, sign in, sign out, who am I.
//!
//! Passwords are hashed with argon2id (the `argon2` crate's default parameters, OWASP's
//! minimum) on the blocking pool, so hashing does not stall other requests. Unknown email and
//! wrong password get the same answer, after the same work. Sign-in is rate-limited per
//! account: [`MAX_FAILURES`] failures per [`FAILURE_WINDOW_SECS`].

use api::{account, Credentials, Me};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use std::sync::LazyLock;
use tower_sessions::Session;

use super::AppState;
use crate::error::{AppError, AppResult};
use crate::random;
use crate::session::{self, CurrentUser};
use crate::store::{self, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(api::paths::SIGN_UP, post(sign_up))
        .route(api::paths::SIGN_IN, post(sign_in))
        .route(api::paths::SIGN_OUT, post(sign_out))
        .route(api::paths::ME, get(me))
}

/// A hash to verify against when the email is unknown, so that case costs the same time.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash("not a real password").expect("hashing works"));

fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Hashes running at once: one per core. Each argon2id hash takes 19 MiB and a core for tens
/// of milliseconds, so a burst of sign-ins queues here instead of growing memory and threads
/// with the burst (BENCHMARKS.md, figure 5).
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// Runs password hashing on the blocking pool, at most [`HASHING`] at a time.
async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let _permit = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)
}

/// Normalised email: trimmed, lower case, shaped like an address.
fn parse_email(raw: &str) -> AppResult<String> {
    let email = raw.trim().to_lowercase();
    let shaped = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !shaped {
        return Err(AppError::InvalidInput {
            field: "email",
            message: "Enter an email address such as name@example.com.".into(),
        });
    }
    Ok(email)
}

fn check_password_length(password: &str) -> AppResult<()> {
    let chars = password.chars().count();
    if chars < account::MIN_PASSWORD_CHARS {
        return Err(AppError::InvalidInput {
            field: "password",
            message: format!(
                "Use a password of at least {} characters.",
                account::MIN_PASSWORD_CHARS
            ),
        });
    }
    if chars > account::MAX_PASSWORD_CHARS {
        return Err(AppError::InvalidInput {
            field: "password",
            message: format!(
                "Use a password of at most {} characters.",
                account::MAX_PASSWORD_CHARS
            ),
        });
    }
    Ok(())
}

async fn sign_up(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<Credentials>,
) -> AppResult<(StatusCode, Json<Me>)> {
    let email = parse_email(&body.email)?;
    check_password_length(&body.password)?;
    let password = body.password;
    let password_hash = hashing(move || hash(&password))
        .await?
        .map_err(AppError::internal)?;
    let user = state
        .db
        .create_user(&email, &password_hash)
        .await
        .map_err(|error| match error {
            StoreError::UniqueViolation => AppError::Conflict {
                field: "email",
                message: "An account with this email exists already. Sign in instead.".into(),
            },
            other => other.into(),
        })?;
    session::sign_in(&session, user.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(Me {
            id: user.id,
            email: user.email,
        }),
    ))
}

/// Failed sign-ins allowed per account within [`FAILURE_WINDOW_SECS`]; the next attempt waits
/// until the oldest of them leaves the window. Counted per account (whatever the client's
/// address, which a load balancer hides and an attacker rotates), with unknown emails counted
/// alike so the limit reveals nothing about which accounts exist.
pub const MAX_FAILURES: i64 = 5;
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;

async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<Credentials>,
) -> AppResult<Json<Me>> {
    let email = body.email.trim().to_lowercase();
    let email_key = random::digest(&email);
    let window_start = store::now() - FAILURE_WINDOW_SECS;
    // Checked before the password, so a throttled attacker costs no argon2 time either.
    let (failures, oldest) = state
        .db
        .sign_in_failures_since(&email_key, window_start)
        .await?;
    if failures >= MAX_FAILURES {
        let retry_after = oldest.unwrap_or(window_start) + FAILURE_WINDOW_SECS - store::now();
        tracing::warn!("sign-in throttled after repeated failures");
        return Err(AppError::TooManyAttempts {
            retry_after: u64::try_from(retry_after.max(1)).unwrap_or(1),
        });
    }
    let user = if body.password.chars().count() > account::MAX_PASSWORD_CHARS {
        None
    } else {
        let user = state.db.user_by_email(&email).await?;
        let stored = user
            .as_ref()
            .map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
        let password = body.password;
        let matches = hashing(move || verify(&password, &stored)).await?;
        user.filter(|_| matches)
    };
    let Some(user) = user else {
        state
            .db
            .record_sign_in_failure(&email_key, window_start)
            .await?;
        return Err(AppError::InvalidCredentials);
    };
    state.db.clear_sign_in_failures(&email_key).await?;
    session::sign_in(&session, user.id).await?;
    Ok(Json(Me {
        id: user.id,
        email: user.email,
    }))
}

async fn sign_out(session: Session) -> AppResult<StatusCode> {
    session::sign_out(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Me>> {
    let row = state
        .db
        .user_by_id(user.id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    Ok(Json(Me {
        id: row.id,
        email: row.email,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            parse_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "ada@.com",
        ] {
            assert!(parse_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("wrong", &stored));
    }
}
