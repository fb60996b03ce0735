//! The browser side of each provider's OAuth flow (SECURITY.md, rules 1 to 11): `/oauth/{slug}/start` and
//! `/oauth/{slug}/callback`, one pair per provider (a callback accepts only a transaction its
//! own provider started: the mix-up defence).
//!
//! `state` is 256 random bits. The database keeps only its SHA-256, with the signed-in user,
//! a hash of this session's `oauth_binding`, the encrypted PKCE verifier and `return_to`; the
//! transaction expires after 10 minutes and is consumed atomically, once. The callback
//! accepts it only for the same user in the same browser session, compared in constant time.
//! Every failure returns the user to the wizard with `?oauth_error=<code>`, never to a raw
//! error page, and every outcome is a redirect with `Cache-Control: no-store`.

use api::oauth::CallbackQuery;
use api::OAuthFailure;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};

use super::{provider_routes, AppState};
use crate::error::{AppError, AppResult};
use crate::providers::oauth::TokenError;
use crate::providers::ProviderError;
use crate::random;
use crate::security::return_to::app_redirect;
use crate::session::Session;
use crate::store::{self, ConnectionEventKind, NewGrant, NewOAuthTransaction};
use api::return_to::{or_default, with_query_param};
use api::GitProvider;

/// How long a started authorization may take.
const TRANSACTION_TTL_SECS: i64 = 600;
/// The provider's first wizard step, where its flow resumes when nothing else is usable.
fn default_return_to(provider: GitProvider) -> String {
    api::wizard::provider_first_step(provider)
}

pub fn router() -> Router<AppState> {
    provider_routes(|provider| {
        Router::new()
            .route(&api::paths::oauth_start(provider), get(start))
            .route(&api::paths::oauth_callback(provider), get(callback))
            .route(&api::paths::oauth_installed(provider), get(installed))
    })
}

/// Back from installing the provider's app on an account (the install link carries the
/// app's page as `state`, which the provider passes back). Nothing here is trusted: the
/// `installation_id` beside it can be made up by anyone, so the studio ignores it, and the
/// page resumed reads the installations again with the user's own token. An unusable `state`
/// resumes the provider's first step.
async fn installed(
    State(state): State<AppState>,
    Extension(id): Extension<GitProvider>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    state.providers.get(id)?;
    let requested = api::query::single(query.as_deref().unwrap_or_default(), "state")
        .ok()
        .flatten();
    let default_to = default_return_to(id);
    Ok(to_app(id, or_default(requested.as_deref(), &default_to)))
}

async fn start(
    State(state): State<AppState>,
    Extension(id): Extension<GitProvider>,
    session: Session,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let provider = state.providers.get(id)?;
    let default_to = default_return_to(id);
    // A browser navigation, so no JSON error: an unusable `return_to` (missing, repeated or
    // not a same-origin path) resumes the wizard at its default step.
    let requested = api::query::single(query.as_deref().unwrap_or_default(), "return_to")
        .ok()
        .flatten();
    let return_to = or_default(requested.as_deref(), &default_to).to_owned();
    let Some(user_id) = session.user().await?.map(|user| user.id) else {
        // Sign in first, then come back here to start the flow.
        let here = with_query_param(&api::paths::oauth_start(id), "return_to", &return_to);
        return Ok(to_app(
            id,
            &with_query_param("/sign-in", "return_to", &here),
        ));
    };
    let binding = session
        .oauth_binding()
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let oauth_state = random::token(32);
    let request = provider.grants.oauth.authorization_request(&oauth_state);
    let state_hash = random::digest(&oauth_state);
    let verifier = request.pkce_verifier.as_ref().map(|verifier| {
        state
            .cipher
            .encrypt(verifier, &verifier_context(&state_hash))
    });
    state
        .db
        .insert_oauth_transaction(NewOAuthTransaction {
            state_hash: &state_hash,
            user_id,
            session_binding: &random::digest(&binding),
            provider: id.slug(),
            pkce_verifier: verifier.as_deref(),
            return_to: &return_to,
            expires_at: store::now() + TRANSACTION_TTL_SECS,
        })
        .await?;
    Ok(Redirect::to(request.url.as_str()).into_response())
}

async fn callback(
    State(state): State<AppState>,
    Extension(id): Extension<GitProvider>,
    session: Session,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let provider = state.providers.get(id)?;
    let default_to = default_return_to(id);
    let default_to = default_to.as_str();
    let query = CallbackQuery::parse(query.as_deref().unwrap_or_default());
    // The failure code must reach the app even when `to` cannot carry it (a target near
    // the length limit): then the wizard's own step gets it.
    let fail = |to: &str, failure: OAuthFailure| {
        let add = |to: &str| with_query_param(to, OAuthFailure::QUERY_PARAM, failure.code());
        let target = Some(add(to))
            .filter(|target| api::return_to::is_safe(target))
            .unwrap_or_else(|| add(default_to));
        Ok(to_app(id, &target))
    };

    let Some(user_id) = session.user().await?.map(|user| user.id) else {
        return fail(default_to, OAuthFailure::NotSignedIn);
    };
    let Some(oauth_state) = query.state.as_deref().filter(|_| !query.repeated) else {
        tracing::warn!(user_id, "OAuth callback without a usable state");
        return fail(default_to, OAuthFailure::StateInvalid);
    };
    let state_hash = random::digest(oauth_state);
    let Some(transaction) = state
        .db
        .consume_oauth_transaction(&state_hash, id.slug())
        .await?
    else {
        tracing::warn!(
            user_id,
            "OAuth callback with an unknown, expired or used state"
        );
        return fail(default_to, OAuthFailure::StateInvalid);
    };
    let binding = session
        .oauth_binding()
        .await?
        .map(|b| random::digest(&b))
        .unwrap_or_default();
    if transaction.user_id != user_id
        || !random::constant_time_eq(&binding, &transaction.session_binding)
    {
        tracing::warn!(user_id, "OAuth callback from another user or session");
        return fail(default_to, OAuthFailure::StateInvalid);
    }
    // Checked when the flow started, and again now: a row written by an older build (or by
    // anyone with the database) cannot choose where the browser goes.
    let return_to = or_default(Some(&transaction.return_to), default_to);

    if let Some(error) = query.error.as_deref() {
        tracing::info!(
            user_id,
            error,
            description = query.error_description.as_deref().unwrap_or(""),
            "the provider returned an error"
        );
        let failure = if error == "access_denied" {
            OAuthFailure::AccessDenied
        } else {
            OAuthFailure::ExchangeFailed
        };
        return fail(return_to, failure);
    }
    let Some(code) = query.code.as_deref() else {
        return fail(return_to, OAuthFailure::ExchangeFailed);
    };
    let verifier = match transaction.pkce_verifier.as_deref() {
        Some(sealed) => Some(
            state
                .cipher
                .decrypt(sealed, &verifier_context(&state_hash))
                .map_err(crate::error::AppError::internal)?,
        ),
        None => None,
    };

    let tokens = match provider.grants.oauth.exchange_code(code, verifier).await {
        Ok(tokens) => tokens,
        Err(TokenError::Refused { code, description }) => {
            tracing::warn!(user_id, %code, %description, "Bitbucket refused the authorization code");
            return fail(return_to, OAuthFailure::ExchangeFailed);
        }
        Err(TokenError::Transient { reason, .. }) => {
            tracing::warn!(user_id, %reason, "the token endpoint was unavailable");
            return fail(return_to, OAuthFailure::ProviderUnavailable);
        }
    };
    if let Some(missing) = provider.grants.oauth.missing_scope(&tokens.scopes) {
        tracing::error!(user_id, missing, granted = ?tokens.scopes, "the OAuth client lacks a required permission");
        let to = with_query_param(return_to, OAuthFailure::MISSING_SCOPE_PARAM, missing);
        return fail(&to, OAuthFailure::ScopeMissing);
    }
    let account = match provider.host.identify(&tokens.access_token).await {
        Ok(account) => account,
        Err(error @ (ProviderError::Unavailable(_) | ProviderError::RateLimited { .. })) => {
            tracing::warn!(user_id, %error, "could not read the account");
            return fail(return_to, OAuthFailure::ProviderUnavailable);
        }
        Err(error) => {
            tracing::warn!(user_id, %error, "the provider refused the new access token");
            return fail(return_to, OAuthFailure::ExchangeFailed);
        }
    };

    let sealed = provider.grants.seal(user_id, &tokens, None);
    let scopes = tokens.scopes.join(" ");
    let shown = api::ProviderAccount {
        account_id: account.account_id.clone(),
        nickname: account.nickname.clone(),
        display_name: account.display_name.clone(),
        avatar_url: None,
    }
    .named();
    state
        .db
        .upsert_grant(NewGrant {
            user_id,
            provider: id,
            // Empty when Bitbucket's answer had none (its `account` schema defines neither).
            account_id: account.account_id.as_deref().unwrap_or_default(),
            account_uuid: &account.uuid,
            nickname: account.nickname.as_deref().unwrap_or_default(),
            display_name: &account.display_name,
            avatar_url: account.avatar_url.as_deref(),
            scopes: &scopes,
            tokens: sealed.as_stored(),
            preferred_workspace: account.first_group.as_deref(),
        })
        .await?;
    state
        .db
        .record_connection_event(
            user_id,
            id.slug(),
            ConnectionEventKind::Connected,
            Some(&format!("as {shown}")),
        )
        .await?;
    tracing::info!(user_id, provider = id.slug(), account = %shown, "connected");
    Ok(to_app(id, return_to))
}

fn verifier_context(state_hash: &str) -> String {
    format!("oauth_transactions/{state_hash}/pkce_verifier")
}

/// Back into the app, success or failure. The stored `return_to` was checked when the flow
/// started, and is checked again here on the final target: a row written by an older build,
/// or a parameter added since, can never make the callback redirect off the studio.
fn to_app(id: GitProvider, to: &str) -> Response {
    app_redirect(to, &default_return_to(id))
}
