//! Studio accounts: sign up (with a mailed link), sign in, sign out, who am I.
//!
//! - [`sign_in`]: unknown email and wrong password get the same answer after the same work;
//!   failures are limited per account and attempts per client, each attempt reserved
//!   atomically before its hash.
//! - [`sign_up`]: the same answer for every address, the account created only from the
//!   mailed link (which never replaces a signed-in session unless asked to); limited per
//!   address and per client.
//! - [`passwords`]: argon2id on the blocking pool, one hash per core, through a bounded queue
//!   fair between clients.

mod passwords;
mod sign_in;
mod sign_up;

pub use passwords::{PasswordHashing, BUSY_RETRY_AFTER_SECS};

/// How long a refused sign-in or sign-up (429) waits before it is answered. Refusing costs
/// no hash and holds no slot, but a client that ignores `Retry-After` would get its refusals
/// as fast as it sends, and with a few dozen connections turn them into a flood that takes
/// the cores from everyone's sign-ins (BENCHMARKS.md, figure 8: about 16,000 refusals a
/// second). Paced, each of its connections gets four answers a second.
pub const REFUSAL_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);
pub use sign_in::{FAILURE_WINDOW_SECS, MAX_FAILURES};
pub use sign_up::{SIGN_UPS_PER_ADDRESS, SIGN_UP_WINDOW_SECS};

use api::{account, Me};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::AppState;
use crate::error::{AppError, AppResult};
use crate::session::{CurrentUser, Session};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(api::paths::SIGN_UP, post(sign_up::sign_up))
        .route(api::paths::SIGN_UP_INSPECT, post(sign_up::inspect))
        .route(api::paths::SIGN_UP_CONFIRM, post(sign_up::confirm))
        .route(api::paths::SIGN_IN, post(sign_in::sign_in))
        .route(api::paths::SIGN_OUT, post(sign_out))
        .route(api::paths::ME, get(me))
}

/// `answer`, after [`REFUSAL_PAUSE`] when it refuses an attempt (429).
async fn paced<T>(answer: AppResult<T>) -> AppResult<T> {
    if matches!(answer, Err(AppError::TooManyAttempts { .. })) {
        tokio::time::sleep(REFUSAL_PAUSE).await;
    }
    answer
}

/// Normalised email: trimmed, lower case, shaped like an address.
fn parse_email(raw: &str) -> AppResult<String> {
    let email = normalise_email(raw);
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

/// The form every address is compared and counted in, valid or not.
fn normalise_email(raw: &str) -> String {
    raw.trim().to_lowercase()
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

async fn sign_out(
    session: Session,
    _: crate::extract::Json<api::EmptyBody>,
) -> AppResult<StatusCode> {
    session.sign_out().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who is signed in: answered from the session (its user is read with it), so in the common
/// case without a database round trip.
async fn me(user: CurrentUser) -> Json<Me> {
    Json(Me {
        id: user.id,
        email: user.email,
    })
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
}
