//! `POST /api/auth/sign-up`, `POST /api/auth/sign-up/inspect` and
//! `POST /api/auth/sign-up/confirm`.
//!
//! Sign-up never tells whether an address has an account. Every well-formed request gets the
//! same 202 answer after the same work (an argon2id hash), and a mail goes to the address:
//! - a new address gets a link; the account is created when it is used (`confirm`), so nobody
//!   can create or probe an account for an address they cannot read;
//! - an address with an account gets a note saying so, with a link to sign in.
//!
//! Each sign-up sends a mail, so sign-ups are limited per address ([`SIGN_UPS_PER_ADDRESS`] an
//! hour: no one can flood a mailbox) and per client (`SIGN_UP_LIMIT_PER_CLIENT` an hour: no one
//! can send mail to the world through the studio), both reserved atomically before any work.
//!
//! A link signs in whoever uses it, in the browser it is used in. Anyone can sign up and send
//! their own link to someone else; if that person is signed in and confirms, their session
//! would silently become the sender's account, and whatever they connect next (their
//! Bitbucket) would be the sender's (issue 26, item 2). So `confirm` refuses to replace a
//! live session unless the body says to switch (`switch_account`), and `inspect` lets the
//! page name the link's address and the signed-in user before anyone chooses, without using
//! the link up.

use api::account::{MAX_TOKEN_CHARS, SIGN_UP_LINK_HOURS};
use api::{ConfirmSignUp, InspectSignUp, Me, SignUp, SignUpLink, SignUpStarted, SignedUp};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::passwords::hash;
use super::{check_password_length, parse_email, AppState};
use crate::error::{AppError, AppResult, Throttled};
use crate::extract::{self, ClientAddress};
use crate::mail::Mail;
use crate::random;
use crate::session::{Session, SessionUser};
use crate::store::{Limit, StoreError};

pub const SIGN_UPS_PER_ADDRESS: i64 = 3;
pub const SIGN_UP_WINDOW_SECS: i64 = 3600;
/// Where a confirmed sign-up continues when it named no (valid) place.
const DEFAULT_RETURN_TO: &str = "/projects";

pub(super) async fn sign_up(
    State(state): State<AppState>,
    client: ClientAddress,
    extract::Json(body): extract::Json<SignUp>,
) -> AppResult<(StatusCode, Json<SignUpStarted>)> {
    // Its slot is given back before a refusal's pause.
    super::paced(start(state, client, body).await).await
}

async fn start(
    state: AppState,
    client: ClientAddress,
    body: SignUp,
) -> AppResult<(StatusCode, Json<SignUpStarted>)> {
    if !state.mailer.is_available() {
        return Err(AppError::NotConfigured(
            "Sign-up is not available on this studio yet: it needs a mail server to send sign-up links. Ask the studio's administrator.",
        ));
    }
    let email = parse_email(&body.email)?;
    check_password_length(&body.password)?;
    // A slot in the hashing queue first: a sign-up shed for load spends nobody's allowance.
    let slot = state.hashing.slot(&client.0)?;
    let per_client = Limit {
        name: "sign-up-client",
        max: state.accounts.sign_up_limit_per_client,
        window_secs: SIGN_UP_WINDOW_SECS,
    };
    let per_address = Limit {
        name: "sign-up-address",
        max: SIGN_UPS_PER_ADDRESS,
        window_secs: SIGN_UP_WINDOW_SECS,
    };
    for (limit, key) in [
        (per_client, random::digest(&client.0)),
        (per_address, random::digest(&email)),
    ] {
        if let Err(refused) = state.db.reserve_attempt(limit, &key).await? {
            tracing::warn!(limit = limit.name, "sign-up throttled");
            return Err(AppError::TooManyAttempts {
                action: Throttled::SignUp,
                retry_after: refused.retry_after,
            });
        }
    }
    // Hashed whether or not the address has an account: both answers cost the same.
    let password = body.password;
    let password_hash = slot
        .hash(move || hash(&password))
        .await?
        .map_err(AppError::internal)?;
    let mail = match state.db.user_by_email(&email).await? {
        Some(_) => already_registered(&state.public_url, &email),
        None => {
            let token = random::token(32);
            let return_to =
                api::return_to::or_default(body.return_to.as_deref(), DEFAULT_RETURN_TO);
            let expires_at = crate::store::now() + i64::from(SIGN_UP_LINK_HOURS) * 3600;
            state
                .db
                .insert_sign_up(
                    &random::digest(&token),
                    &email,
                    &password_hash,
                    return_to,
                    expires_at,
                )
                .await?;
            confirmation(&state.public_url, &email, &token)
        }
    };
    state.mailer.send_later(mail);
    Ok((
        StatusCode::ACCEPTED,
        Json(SignUpStarted {
            email,
            link_valid_hours: SIGN_UP_LINK_HOURS,
        }),
    ))
}

/// The answer for a token that names no unexpired, unused sign-up.
fn expired() -> AppError {
    AppError::InvalidInput {
        field: "token",
        message: "This sign-up link has expired or was used already. Sign up again to get a new one, or sign in if you finished signing up.".into(),
    }
}

/// The token's hash, for a token of a shape ours can have.
fn token_hash(token: &str) -> AppResult<String> {
    let token = token.trim();
    if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
        return Err(expired());
    }
    Ok(random::digest(token))
}

/// What confirming the link would do: the address it creates the account for, and who this
/// browser is signed in as. Reads the link without using it up.
pub(super) async fn inspect(
    State(state): State<AppState>,
    session: Session,
    extract::Json(body): extract::Json<InspectSignUp>,
) -> AppResult<Json<SignUpLink>> {
    let email = state
        .db
        .pending_sign_up_email(&token_hash(&body.token)?)
        .await?
        .ok_or_else(expired)?;
    let signed_in_as = session.user().await?.map(|user| Me {
        id: user.id,
        email: user.email,
    });
    Ok(Json(SignUpLink {
        email,
        signed_in_as,
    }))
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    session: Session,
    extract::Json(body): extract::Json<ConfirmSignUp>,
) -> AppResult<(StatusCode, Json<SignedUp>)> {
    let token_hash = token_hash(&body.token)?;
    // Checked before the link is used, so a refused confirmation leaves it working for the
    // choice the page then offers. The account does not exist yet, so any live session here
    // is someone else's.
    if !body.switch_account {
        if let Some(user) = session.user().await? {
            if state.db.pending_sign_up_email(&token_hash).await?.is_none() {
                return Err(expired());
            }
            tracing::info!(
                user_id = user.id,
                "sign-up link refused in a signed-in browser"
            );
            return Err(AppError::SignedInAsSomeoneElse { email: user.email });
        }
    }
    let pending = state
        .db
        .consume_sign_up(&token_hash)
        .await?
        .ok_or_else(expired)?;
    let user = state
        .db
        .create_user(&pending.email, &pending.password_hash)
        .await
        .map_err(|error| match error {
            // Another link for the same address was used first. Only the address's owner can
            // hold either link, so saying so reveals nothing to anyone else.
            StoreError::UniqueViolation => AppError::Conflict {
                field: "email",
                message: "Your account exists already: sign in with it.".into(),
            },
            other => other.into(),
        })?;
    state.db.forget_sign_ups(&pending.email).await?;
    session
        .sign_in(SessionUser {
            id: user.id,
            email: user.email.clone(),
        })
        .await?;
    tracing::info!(user_id = user.id, "account created");
    let return_to = api::return_to::or_default(Some(&pending.return_to), DEFAULT_RETURN_TO);
    Ok((
        StatusCode::CREATED,
        Json(SignedUp {
            me: Me {
                id: user.id,
                email: user.email,
            },
            return_to: return_to.to_owned(),
        }),
    ))
}

fn confirmation(public_url: &str, email: &str, token: &str) -> Mail {
    Mail {
        to: email.to_owned(),
        subject: "Finish creating your Pipeline Studio account".into(),
        body: format!(
            "Someone, probably you, asked to create a Pipeline Studio account for {email}.\n\n\
             To finish, open this link within {SIGN_UP_LINK_HOURS} hours:\n\n\
             {public_url}{page}#token={token}\n\n\
             If it was not you, ignore this mail: no account is created without the link.\n",
            page = api::paths::SIGN_UP_CONFIRM_PAGE,
        ),
    }
}

fn already_registered(public_url: &str, email: &str) -> Mail {
    Mail {
        to: email.to_owned(),
        subject: "You already have a Pipeline Studio account".into(),
        body: format!(
            "Someone, probably you, asked to create a Pipeline Studio account for {email}, \
             but this address has one already.\n\n\
             Sign in with it here:\n\n{public_url}/sign-in\n\n\
             If it was not you, ignore this mail: nothing was changed.\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_carries_its_token_in_the_fragment() {
        let mail = confirmation("https://studio.example", "a@b.c", "tok");
        assert!(
            mail.body
                .contains("https://studio.example/sign-up/confirm#token=tok"),
            "{}",
            mail.body
        );
        let note = already_registered("https://studio.example", "a@b.c");
        assert!(!note.body.contains("token"));
    }
}
