//! The Bitbucket connection as the wizard shows it: connected (with "Continue"), not yet
//! authorized ("Authorize") or broken ("Reconnect").
//!
//! Both "Connect Bitbucket" and "Choose a repository" need it (the latter when the
//! connection was lost or the OAuth round trip failed), so it lives here once.
//! Authorizing is a full-page navigation to the server's OAuth start route, never a fetch:
//! the server redirects the browser to Bitbucket and back to `return_to`, adding
//! `?oauth_error=<code>` when it failed.

use api::{BitbucketAccount, ConnectionStatus, OAuthFailure};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::links;

pub const AUTHORIZE_EXPLANATION: &str = "Authorizing gives the studio two Bitbucket permissions. You authorize once; every project you create reuses it, and you can disconnect or revoke it at any time.";

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
pub fn oauth_error_message(code: &str, missing_scope: Option<&str>) -> String {
    match OAuthFailure::from_code(code) {
        Some(failure) => api::oauth::failure_message(failure, missing_scope),
        None => {
            "Bitbucket authorization did not complete. Choose Authorize to try again.".to_owned()
        }
    }
}

/// The failure the OAuth callback reported in this page's URL, as a sentence.
pub fn use_oauth_error() -> Signal<Option<String>> {
    let query = use_query_map();
    Signal::derive(move || {
        let query = query.read();
        query
            .get_str(OAuthFailure::QUERY_PARAM)
            .map(|code| oauth_error_message(code, query.get_str(OAuthFailure::MISSING_SCOPE_PARAM)))
    })
}

/// A failure the authorize panel answers better than a sentence: Bitbucket not connected,
/// or its authorization no longer works.
pub fn connection_problem(error: &api::ApiError) -> Option<ConnectionStatus> {
    match error.code {
        api::ErrorCode::BitbucketNotConnected => Some(ConnectionStatus::NotConnected),
        api::ErrorCode::BitbucketReconnectNeeded => Some(ConnectionStatus::ReconnectNeeded {
            reason: error.message.clone(),
            account: None,
        }),
        _ => None,
    }
}

/// "Connected to Bitbucket as Jane Doe (@jdoe)".
pub fn connected_as(account: &BitbucketAccount) -> String {
    format!("Connected to Bitbucket as {}", account.named())
}

/// The connection and what the user can do about it.
///
/// `return_to` is where the OAuth round trip comes back to; `continue_to`, when given, adds
/// a "Continue" button for a working connection.
#[component]
pub fn AuthorizePanel(
    status: ConnectionStatus,
    #[prop(into)] return_to: String,
    #[prop(optional, into)] continue_to: Option<String>,
) -> impl IntoView {
    match status {
        ConnectionStatus::Connected { account, .. } => {
            let text = connected_as(&account);
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
                <p>{AUTHORIZE_EXPLANATION}</p>
                <GrantedPermissions />
                <AuthorizeButton label="Authorize" return_to />
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
                <AuthorizeButton label="Reconnect" return_to />
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

/// Leaves the app for the server's OAuth start route.
#[component]
fn AuthorizeButton(label: &'static str, return_to: String) -> impl IntoView {
    let target = links::bitbucket_authorize(&return_to);
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

    #[test]
    fn known_oauth_codes_get_their_sentence() {
        assert_eq!(
            oauth_error_message("access_denied", None),
            OAuthFailure::AccessDenied.message()
        );
        assert_eq!(
            oauth_error_message("scope_missing", None),
            OAuthFailure::ScopeMissing.message()
        );
        assert!(oauth_error_message("scope_missing", Some("account")).contains("Account: Read"));
    }

    #[test]
    fn unknown_oauth_codes_are_not_echoed() {
        let message = oauth_error_message("<b>Your account is locked</b>", Some("<i>x</i>"));
        assert!(!message.contains("locked"));
        assert!(message.contains("Authorize"));
    }

    #[test]
    fn broken_connections_offer_reconnect() {
        let revoked = api::ApiError::new(api::ErrorCode::BitbucketReconnectNeeded, "Revoked.");
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
            connected_as(&account),
            "Connected to Bitbucket as Jane Doe (@jdoe)"
        );
        account.nickname = None;
        assert_eq!(connected_as(&account), "Connected to Bitbucket as Jane Doe");
    }
}
