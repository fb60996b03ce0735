//! `POST /api/auth/sign-in`.
//!
//! Failed sign-ins are limited per account: [`MAX_FAILURES`] per [`FAILURE_WINDOW_SECS`],
//! counted per account (whatever the client's address, which a load balancer hides and an
//! attacker rotates), with unknown emails counted alike so the limit reveals nothing about
//! which accounts exist.
//!
//! Each attempt is **reserved before its password is hashed**: one atomic statement counts it
//! as a failure, or refuses it when the window is full ([`crate::store::Limit`]). A sign-in
//! that then succeeds clears the count. So attempts sent in parallel, to one instance or to
//! several, cannot all pass the check before any is counted: of 40 at once, 5 are hashed and
//! 35 refused with 429, whichever of them holds the right password.
//!
//! Sign-ins are also limited per client address (issue 26: unknown addresses are hashed too,
//! for equal timing, so a flood of made-up ones cost a hash each). In order, before any hash:
//! 1. a slot in the hashing queue ([`super::passwords::PasswordHashing`]), in memory, or 429
//!    at once when the client's share or the queue is full: a flood beyond its share costs
//!    not even a database statement, and is counted nowhere;
//! 2. the client's attempt, reserved like the account's (`SIGN_IN_LIMIT_PER_CLIENT` per
//!    [`FAILURE_WINDOW_SECS`], right or wrong);
//! 3. the account's, so load shed is never a failure of someone's account.

use api::{account, Credentials, Me};
use axum::extract::State;
use axum::Json;

use super::passwords::{verify, DUMMY_HASH};
use super::{normalise_email, AppState};
use crate::error::{AppError, AppResult, Throttled};
use crate::extract::{self, ClientAddress};
use crate::random;
use crate::session::{Session, SessionUser};
use crate::store::Limit;

pub const MAX_FAILURES: i64 = 5;
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;

const FAILURES: Limit = Limit {
    name: "sign-in",
    max: MAX_FAILURES,
    window_secs: FAILURE_WINDOW_SECS,
};

pub(super) async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddress,
    session: Session,
    extract::Json(body): extract::Json<Credentials>,
) -> AppResult<Json<Me>> {
    // Its slot is given back before a refusal's pause.
    super::paced(attempt(state, client, session, body).await).await
}

async fn attempt(
    state: AppState,
    client: ClientAddress,
    session: Session,
    body: Credentials,
) -> AppResult<Json<Me>> {
    let slot = state.hashing.slot(&client.0)?;
    let per_client = Limit {
        name: "sign-in-client",
        max: state.accounts.sign_in_limit_per_client,
        window_secs: FAILURE_WINDOW_SECS,
    };
    if let Err(refused) = state
        .db
        .reserve_attempt(per_client, &random::digest(&client.0))
        .await?
    {
        tracing::warn!("sign-in throttled for the client");
        return Err(AppError::TooManyAttempts {
            action: Throttled::SignInFromClient,
            retry_after: refused.retry_after,
        });
    }
    let email = normalise_email(&body.email);
    let account_key = random::digest(&email);
    if let Err(refused) = state.db.reserve_attempt(FAILURES, &account_key).await? {
        tracing::warn!("sign-in throttled after repeated failures");
        return Err(AppError::TooManyAttempts {
            action: Throttled::SignIn,
            retry_after: refused.retry_after,
        });
    }
    let user = if body.password.chars().count() > account::MAX_PASSWORD_CHARS {
        None
    } else {
        let user = state.db.user_by_email(&email).await?;
        let stored = user.as_ref().map(|u| u.password_hash.clone());
        let password = body.password;
        let matches = slot
            .hash(move || verify(&password, stored.as_deref().unwrap_or(DUMMY_HASH.as_str())))
            .await?;
        user.filter(|_| matches)
    };
    // A failure stays counted: it was reserved above.
    let user = user.ok_or(AppError::InvalidCredentials)?;
    state.db.clear_attempts(FAILURES, &account_key).await?;
    session
        .sign_in(SessionUser {
            id: user.id,
            email: user.email.clone(),
        })
        .await?;
    Ok(Json(Me {
        id: user.id,
        email: user.email,
    }))
}
