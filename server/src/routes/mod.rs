//! HTTP routes. Each module owns a `router()`; [`crate::startup`] merges them and adds the
//! layers (sessions, CSRF gate, security headers).

pub mod auth;
pub mod branches;
pub mod connections;
pub mod drafts;
pub mod health;
pub mod info;
pub mod mailbox;
pub mod oauth;
pub mod openapi;
pub mod pipeline_drafts;
pub mod pipelines;
pub mod projects;
pub mod repositories;
pub mod spa;

use std::sync::Arc;

use axum::{Extension, Router};

use crate::config::AccountSettings;
use crate::crypto::TokenCipher;
use crate::mail::Mailer;
use crate::providers::Providers;
use crate::store::Db;

/// What every handler can reach. One `Arc`: the router clones the state into every request's
/// handler, so a clone is one reference count, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The fields of [`AppState`].
pub struct Shared {
    pub db: Db,
    pub cipher: Arc<TokenCipher>,
    pub providers: Arc<Providers>,
    /// True when the providers are the built-in sandboxes.
    pub sandbox: bool,
    pub mailer: Mailer,
    /// The origin browsers use (`PUBLIC_URL`), for links in mail.
    pub public_url: Arc<str>,
    pub accounts: Arc<AccountSettings>,
    /// The queue every password hash goes through.
    pub hashing: auth::PasswordHashing,
}

/// The same routes for every provider, each set told which provider it serves by an
/// [`Extension`] (handlers take `Extension<api::GitProvider>`). Routes of a provider this
/// server has not configured answer 404 ([`Providers::get`]).
pub fn provider_routes(routes: impl Fn(api::GitProvider) -> Router<AppState>) -> Router<AppState> {
    api::GitProvider::ALL
        .into_iter()
        .fold(Router::new(), |all, provider| {
            all.merge(routes(provider).route_layer(Extension(provider)))
        })
}
