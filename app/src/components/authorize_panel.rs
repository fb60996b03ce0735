//! A provider connection as the wizard shows it: connected (with "Continue"), not yet
//! authorized ("Authorize") or broken ("Reconnect").
//!
//! Both "Connect Bitbucket" and "Choose a repository" need it (the latter when the
//! connection was lost or the OAuth round trip failed), so it lives here once, for every
//! provider ([`Provider`]). Authorizing is a full-page navigation to the server's OAuth start
//! route of that provider, never a fetch: the server redirects the browser to the provider
//! and back to `return_to`, adding `?oauth_error=<code>` when it failed.

use api::{BitbucketAccount, ConnectionStatus, GitProvider, OAuthFailure};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::links;
use crate::providers::Provider;

/// What authorizing Bitbucket Cloud grants (its permissions are listed after it).
pub const AUTHORIZE_EXPLANATION: &str = "Authorizing gives the studio two Bitbucket permissions. You authorize once; every project you create reuses it, and you can disconnect or revoke it at any time.";

/// What authorizing grants, for the panel. Bitbucket Cloud's permissions are spelled out
/// (in Atlassian's words) by [`GrantedPermissions`]; a Data Center instance is described in
/// a sentence.
pub fn authorize_explanation(provider: &Provider) -> String {
    match provider.id {
        GitProvider::BitbucketCloud => AUTHORIZE_EXPLANATION.to_owned(),
        GitProvider::BitbucketDataCenter => format!(
            "Authorizing lets the studio read which {name} account you are and write to the repositories your account can write to, as you. You authorize once; every project you create reuses it, and you can disconnect or revoke it at any time.",
            name = provider.short_name()
        ),
    }
}

/// The permissions the grant holds, each in Atlassian's words and with what the studio does
/// with it (`api::oauth::PERMISSIONS`).
#[component]
pub fn GrantedPermissions() -> impl IntoView {
    view! {
        <dl class="granted-permissions">
            {api::oauth::PERMISSIONS
                .iter()
                .map(|permission| {
                    view! {
                        <dt>{permission.label}</dt>
                        <dd>
                            <p>{permission.atlassian}</p>
                            <p>{permission.studio}</p>
                        </dd>
                    }
                })
                .collect_view()}
        </dl>
    }
}

/// The sentence for an `oauth_error` code (and the scope the callback found missing, if
/// any). Unknown codes and scopes get a generic sentence: the parameters are
/// attacker-controllable, so their text is never echoed.
pub fn oauth_error_message(provider: &Provider, code: &str, missing_scope: Option<&str>) -> String {
    let name = provider.short_name();
    let Some(failure) = OAuthFailure::from_code(code) else {
        return format!("{name} authorization did not complete. Choose Authorize to try again.");
    };
    if provider.id == GitProvider::BitbucketCloud {
        return api::oauth::failure_message(failure, missing_scope);
    }
    // The contract's sentences speak of Bitbucket Cloud's consent page and OAuth consumer;
    // a Data Center instance has its own consent page ("Deny") and an application link.
    match failure {
        OAuthFailure::AccessDenied => format!(
            "{name} access was not granted, because Deny was chosen on {name}'s consent page. Choose Authorize to try again."
        ),
        OAuthFailure::ExchangeFailed => format!(
            "{name} did not accept the authorization. Choose Authorize to try again; if it keeps failing, the studio's application link on {name} may be misconfigured."
        ),
        OAuthFailure::ScopeMissing => format!(
            "{name} granted fewer permissions than the studio needs (write access to repositories). An administrator must check the studio's application link on {name}."
        ),
        OAuthFailure::BitbucketUnavailable => format!(
            "{name} did not answer. Nothing was changed; try Authorize again in a moment."
        ),
        OAuthFailure::StateInvalid | OAuthFailure::NotSignedIn => failure.message().to_owned(),
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
pub fn connected_as(provider: &Provider, account: &BitbucketAccount) -> String {
    format!(
        "Connected to {} as {}",
        provider.short_name(),
        account.named()
    )
}

/// The connection to `provider` and what the user can do about it.
///
/// `return_to` is where the OAuth round trip comes back to; `continue_to`, when given, adds
/// a "Continue" button for a working connection.
#[component]
pub fn AuthorizePanel(
    provider: Provider,
    status: ConnectionStatus,
    #[prop(into)] return_to: String,
    #[prop(optional, into)] continue_to: Option<String>,
) -> impl IntoView {
    match status {
        ConnectionStatus::Connected { account, .. } => {
            let text = connected_as(&provider, &account);
            view! {
                <div class="panel panel-connected">
                    <p class="connected-account">
                        <Avatar url=account.avatar_url />
                        <span>{text}</span>
                    </p>
                    {continue_to.map(|to| view! { <ContinueButton to /> })}
                </div>
            }
            .into_any()
        }
        ConnectionStatus::NotConnected => view! {
            <div class="panel">
                <p>{authorize_explanation(&provider)}</p>
                {(provider.id == GitProvider::BitbucketCloud).then(|| view! { <GrantedPermissions /> })}
                <AuthorizeButton provider=provider.id label="Authorize" return_to />
            </div>
        }
        .into_any(),
        ConnectionStatus::ReconnectNeeded { reason, account } => view! {
            <div class="panel panel-warning">
                <p>{reason}</p>
                {account
                    .map(|account| {
                        view! {
                            <p class="previous-account">
                                {format!("Previously connected as {}.", account.named())}
                            </p>
                        }
                    })}
                <AuthorizeButton provider=provider.id label="Reconnect" return_to />
            </div>
        }
        .into_any(),
    }
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
fn ContinueButton(to: String) -> impl IntoView {
    let navigate = use_navigate();
    view! {
        <button
            type="button"
            class="button button-primary"
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

    fn cloud() -> Provider {
        Provider::of(GitProvider::BitbucketCloud, None)
    }

    fn acme() -> Provider {
        Provider {
            name: "Acme Bitbucket".into(),
            ..Provider::of(GitProvider::BitbucketDataCenter, None)
        }
    }

    #[test]
    fn known_oauth_codes_get_their_sentence() {
        assert_eq!(
            oauth_error_message(&cloud(), "access_denied", None),
            OAuthFailure::AccessDenied.message()
        );
        assert_eq!(
            oauth_error_message(&cloud(), "scope_missing", None),
            OAuthFailure::ScopeMissing.message()
        );
        assert!(
            oauth_error_message(&cloud(), "scope_missing", Some("account"))
                .contains("Account: Read")
        );
    }

    #[test]
    fn data_center_failures_name_the_instance() {
        let denied = oauth_error_message(&acme(), "access_denied", None);
        assert!(
            denied.contains("Deny was chosen on Acme Bitbucket"),
            "{denied}"
        );
        assert!(!denied.contains("Cancel"));
        assert_eq!(
            oauth_error_message(&acme(), "state_invalid", None),
            OAuthFailure::StateInvalid.message()
        );
        assert!(
            oauth_error_message(&acme(), "scope_missing", Some("account"))
                .contains("application link on Acme Bitbucket")
        );
        assert!(!authorize_explanation(&acme()).contains("two Bitbucket permissions"));
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
        let mut account = BitbucketAccount {
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
