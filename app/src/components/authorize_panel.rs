//! A provider connection as the wizard shows it: connected (with "Continue"), not yet
//! authorized ("Authorize") or broken ("Reconnect").
//!
//! Both "Connect Bitbucket" and "Choose a repository" need it (the latter when the
//! connection was lost or the OAuth round trip failed), so it lives here once, for every
//! provider ([`Provider`]). Authorizing is a full-page navigation to the server's OAuth start
//! route of that provider, never a fetch: the server redirects the browser to the provider
//! and back to `return_to`, adding `?oauth_error=<code>` when it failed.

use api::wizard::StepId;
use api::{ConnectionStatus, GitProvider, OAuthFailure, ProviderAccount};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::step_indicator::StepAttention;
use crate::links;
use crate::providers::Provider;

/// What authorizing grants, for the panel: the provider's own explanation, else a neutral
/// one.
pub fn authorize_explanation(provider: &Provider) -> String {
    if provider.wording.authorize_explanation.is_empty() {
        format!(
            "Authorizing lets the studio act as you on {}, on the repositories your account can write to. You authorize once; every project you create reuses it, and you can disconnect or revoke it at any time.",
            provider.short_name()
        )
    } else {
        provider.wording.authorize_explanation.clone()
    }
}

/// What pressing Authorize does, in one sentence: where the user goes and that they come back.
pub fn authorize_journey(provider: &Provider) -> String {
    format!(
        "Authorize takes you to {} to grant the studio access, then brings you back here with everything you chose kept.",
        provider.short_name()
    )
}

/// The whole story of the grant, behind a disclosure: what authorizing grants, then each
/// permission in the provider's words. The decision itself needs only the sentence above it.
#[component]
pub fn WhatThisAllows(provider: Provider) -> impl IntoView {
    view! {
        <details class="what-this-allows">
            <summary>"What this allows"</summary>
            <p>{authorize_explanation(&provider)}</p>
            <GrantedPermissions provider />
        </details>
    }
}

/// The permissions the grant holds, each in the provider's words and with what the studio
/// does with it; nothing when the provider's explanation says it all.
#[component]
pub fn GrantedPermissions(provider: Provider) -> impl IntoView {
    let permissions = provider.wording.permissions;
    (!permissions.is_empty()).then(|| {
        view! {
            <dl class="granted-permissions">
                {permissions
                    .into_iter()
                    .map(|permission| {
                        view! {
                            <dt>{permission.label}</dt>
                            <dd>
                                <p>{permission.provider_says}</p>
                                <p>{permission.studio_does}</p>
                            </dd>
                        }
                    })
                    .collect_view()}
            </dl>
        }
    })
}

/// The sentence for an `oauth_error` code (and the scope the callback found missing, if
/// any), in the provider's words where it has them. Unknown codes and scopes get a generic
/// sentence: the parameters are attacker-controllable, so their text is never echoed.
pub fn oauth_error_message(provider: &Provider, code: &str, missing_scope: Option<&str>) -> String {
    match OAuthFailure::from_code(code) {
        Some(failure) => provider.wording.failure_message(failure, missing_scope),
        None => format!(
            "{} authorization did not complete. Choose Authorize to try again.",
            provider.short_name()
        ),
    }
}

/// The failure the OAuth callback of `provider` reported in this page's URL, as a sentence.
pub fn use_oauth_error(provider: Provider) -> Signal<Option<String>> {
    let query = use_query_map();
    Signal::derive(move || {
        let query = query.read();
        query.get_str(OAuthFailure::QUERY_PARAM).map(|code| {
            oauth_error_message(
                &provider,
                code,
                query.get_str(OAuthFailure::MISSING_SCOPE_PARAM),
            )
        })
    })
}

/// A failure the authorize panel answers better than a sentence: the provider is not
/// connected, or its authorization no longer works.
pub fn connection_problem(error: &api::ApiError) -> Option<ConnectionStatus> {
    match error.code {
        api::ErrorCode::ProviderNotConnected => Some(ConnectionStatus::NotConnected),
        api::ErrorCode::ProviderReconnectNeeded => Some(ConnectionStatus::ReconnectNeeded {
            reason: error.message.clone(),
            account: None,
        }),
        _ => None,
    }
}

/// "Connected to Bitbucket as Jane Doe (@jdoe)".
pub fn connected_as(provider: &Provider, account: &ProviderAccount) -> String {
    format!(
        "Connected to {} as {}",
        provider.short_name(),
        account.named()
    )
}

/// The connection to `provider` and what the user can do about it.
///
/// `return_to` is where the OAuth round trip comes back to; `continue_to`, when given, adds
/// a "Continue" button for a working connection, and `on_intent` hears the first sign that
/// the user is about to press it (the pointer over it, focus on it, a press).
#[component]
pub fn AuthorizePanel(
    provider: Provider,
    status: ConnectionStatus,
    #[prop(into)] return_to: String,
    #[prop(optional, into)] continue_to: Option<String>,
    #[prop(optional, into)] on_intent: Option<Callback<()>>,
) -> impl IntoView {
    flag_the_connect_step(&status);
    match status {
        ConnectionStatus::Connected { account, .. } => {
            let text = connected_as(&provider, &account);
            view! {
                <div class="panel panel-connected">
                    <p class="connected-account">
                        <Avatar url=account.avatar_url />
                        <span>{text}</span>
                    </p>
                    {continue_to.map(|to| view! { <ContinueButton to on_intent /> })}
                </div>
            }
            .into_any()
        }
        ConnectionStatus::NotConnected => view! {
            <div class="panel">
                <p>{authorize_journey(&provider)}</p>
                <WhatThisAllows provider=provider.clone() />
                <AuthorizeButton provider=provider.id label="Authorize" return_to />
            </div>
        }
        .into_any(),
        // Drawn like every panel with a main button; the accent says it needs attention.
        ConnectionStatus::ReconnectNeeded { reason, account } => view! {
            <div class="panel panel-attention">
                <p>{reason}</p>
                {account
                    .map(|account| {
                        view! {
                            <p class="previous-account">
                                {format!("Previously connected as {}.", account.named())}
                            </p>
                        }
                    })}
                <p>{authorize_journey(&provider)}</p>
                <AuthorizeButton provider=provider.id label="Reconnect" return_to />
            </div>
        }
        .into_any(),
    }
}

/// Inside the wizard, a connection that needs Authorize or Reconnect means the Connect step
/// is not done, whatever step this is; the flag goes when the panel does.
fn flag_the_connect_step(status: &ConnectionStatus) {
    let Some(attention) = use_context::<StepAttention>() else {
        return;
    };
    if matches!(status, ConnectionStatus::Connected { .. }) {
        return;
    }
    attention.flag(StepId::Connect);
    on_cleanup(move || attention.clear(StepId::Connect));
}

/// Decorative avatar (the name is in the text next to it). Hidden if it fails to load,
/// for example when the Content-Security-Policy does not allow the image's host.
#[component]
fn Avatar(url: Option<String>) -> impl IntoView {
    let broken = RwSignal::new(false);
    url.map(|url| {
        move || {
            (!broken.get()).then(|| {
                view! {
                    <img
                        class="avatar"
                        src=url.clone()
                        alt=""
                        width="32"
                        height="32"
                        referrerpolicy="no-referrer"
                        on:error=move |_| broken.set(true)
                    />
                }
            })
        }
    })
}

#[component]
fn ContinueButton(to: String, on_intent: Option<Callback<()>>) -> impl IntoView {
    let navigate = use_navigate();
    let intent = move || {
        if let Some(on_intent) = on_intent {
            on_intent.run(());
        }
    };
    view! {
        <button
            type="button"
            class="button button-primary"
            on:pointerenter=move |_| intent()
            on:focus=move |_| intent()
            on:pointerdown=move |_| intent()
            on:click=move |_| navigate(&to, NavigateOptions::default())
        >
            "Continue"
        </button>
    }
}

/// Leaves the app for the server's OAuth start route of `provider`.
#[component]
fn AuthorizeButton(provider: GitProvider, label: &'static str, return_to: String) -> impl IntoView {
    let target = links::authorize(provider, &return_to);
    view! {
        <button
            type="button"
            class="button button-primary"
            on:click=move |_| {
                let _ = window().location().assign(&target);
            }
        >
            {label}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A provider as the server words it (its own words are tested with it, on the server).
    fn worded() -> Provider {
        Provider {
            name: "Acme Bitbucket".into(),
            wording: api::ProviderWording {
                authorize_explanation: "Acme lets the studio write.".into(),
                permissions: vec![api::PermissionWording {
                    scope: "account".into(),
                    label: "Account: Read".into(),
                    ..api::PermissionWording::default()
                }],
                failures: vec![api::FailureWording {
                    failure: OAuthFailure::AccessDenied,
                    message: "Deny was chosen on Acme Bitbucket's consent page.".into(),
                }],
                permission_missing: Some("Acme did not grant {permission}.".into()),
                ..api::ProviderWording::default()
            },
            ..Provider::of(GitProvider::BitbucketDataCenter, None)
        }
    }

    fn cloud() -> Provider {
        Provider {
            name: "Bitbucket Cloud".into(),
            wording: api::ProviderWording {
                short_name: "Bitbucket".into(),
                ..api::ProviderWording::default()
            },
            ..Provider::of(GitProvider::BitbucketCloud, None)
        }
    }

    fn acme() -> Provider {
        worded()
    }

    #[test]
    fn known_oauth_codes_get_the_providers_sentence() {
        let acme = worded();
        assert_eq!(
            oauth_error_message(&acme, "access_denied", None),
            "Deny was chosen on Acme Bitbucket's consent page."
        );
        assert_eq!(
            oauth_error_message(&acme, "state_invalid", None),
            OAuthFailure::StateInvalid.message()
        );
        assert_eq!(
            oauth_error_message(&acme, "scope_missing", Some("account")),
            "Acme did not grant Account: Read."
        );
        assert_eq!(
            oauth_error_message(&acme, "bitbucket_unavailable", None),
            OAuthFailure::ProviderUnavailable.message()
        );
        assert_eq!(authorize_explanation(&acme), "Acme lets the studio write.");
    }

    #[test]
    fn an_undescribed_provider_gets_neutral_sentences() {
        let unknown = Provider::of(GitProvider::BitbucketDataCenter, None);
        assert_eq!(
            oauth_error_message(&unknown, "access_denied", None),
            OAuthFailure::AccessDenied.message()
        );
        assert!(authorize_explanation(&unknown).contains("your Git provider"));
    }

    #[test]
    fn unknown_oauth_codes_are_not_echoed() {
        for provider in [cloud(), acme()] {
            let message =
                oauth_error_message(&provider, "<b>Your account is locked</b>", Some("<i>x</i>"));
            assert!(!message.contains("locked"));
            assert!(message.contains("Authorize"));
        }
    }

    #[test]
    fn broken_connections_offer_reconnect() {
        let revoked = api::ApiError::new(api::ErrorCode::ProviderReconnectNeeded, "Revoked.");
        assert!(matches!(
            connection_problem(&revoked),
            Some(ConnectionStatus::ReconnectNeeded { .. })
        ));
        let taken = api::ApiError::new(api::ErrorCode::Conflict, "Taken.");
        assert_eq!(connection_problem(&taken), None);
    }

    #[test]
    fn connected_account_is_named_with_nickname() {
        let mut account = ProviderAccount {
            account_id: Some("1".into()),
            nickname: Some("jdoe".into()),
            display_name: "Jane Doe".into(),
            avatar_url: None,
        };
        assert_eq!(
            connected_as(&cloud(), &account),
            "Connected to Bitbucket as Jane Doe (@jdoe)"
        );
        assert_eq!(
            connected_as(&acme(), &account),
            "Connected to Acme Bitbucket as Jane Doe (@jdoe)"
        );
        account.nickname = None;
        assert_eq!(
            connected_as(&cloud(), &account),
            "Connected to Bitbucket as Jane Doe"
        );
    }
}
