//! Settings → Connections: for each configured Git provider, the user's connection (as whom,
//! which permissions, since when, last used), **Disconnect**, **Authorize** or
//! **Reconnect**, the link to the provider's page where access is revoked, and the audit
//! trail.
//!
//! One provider is shown at a time, chosen in a list of the configured providers (name and
//! host) when there is more than one: `?provider=` names it (Bitbucket Cloud, the default,
//! has the bare address), so the OAuth round trip comes back to the same provider, and every
//! provider's page has the same headings and buttons without two "Authorize" buttons on
//! one screen.
//!
//! Disconnecting makes the studio forget its tokens, and revokes its grant on the provider's
//! side where the provider lets it (`api::ProviderInfo::revokes_on_disconnect`: GitHub).
//! Bitbucket has no revocation endpoint, so there the page then points to the provider's own
//! page, where the user can revoke the studio's access on the provider's side too.

use crate::tasks::PageTasks;
use api::{ConnectionEvent, ConnectionStatus, GitProvider, ProviderInfo};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::client;
use crate::components::authorize_panel::GrantedPermissions;
use crate::components::{
    use_oauth_error, AlertSlot, AuthorizePanel, ErrorMessage, Loading, PageHeading,
};
use crate::context::use_server_info;
use crate::links;
use crate::providers::{self, Provider};
use crate::time::format_utc;

pub const NO_EVENTS: &str = "Nothing has happened to this connection yet.";

/// What the page says once the studio has forgotten the tokens.
pub fn disconnected_notice(provider: &Provider) -> String {
    let name = provider.short_name();
    if provider.revokes_on_disconnect {
        return format!(
            "Disconnected. The studio revoked its access on {name} and no longer holds a token for your {name} account; your projects keep their settings."
        );
    }
    format!(
        "Disconnected. The studio no longer holds a token for your {name} account; your projects keep their settings. To withdraw the studio's access on {name} as well, revoke it under {}.",
        provider.revoke_page()
    )
}

#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let info = use_server_info();
    let query = use_query_map();
    let asked = Memo::new(move |_| {
        query.with(|query| {
            query
                .get_str(links::query::PROVIDER)
                .and_then(GitProvider::from_slug)
        })
    });
    view! {
        <section class="page-section">
            <PageHeading text="Connections" />
            {move || match info.get() {
                None => view! { <Loading text="Loading your connections…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorMessage message=error.message /> }.into_any(),
                Some(Ok(info)) => {
                    match providers::choose(&info.providers, asked.get()) {
                        None => {
                            view! {
                                <p class="empty-state">"This studio has no Git provider configured."</p>
                            }
                                .into_any()
                        }
                        Some(shown) => {
                            let shown = Provider::from(shown);
                            let choices = (info.providers.len() > 1)
                                .then(|| {
                                    view! { <ProviderList providers=info.providers.clone() shown=shown.id /> }
                                });
                            view! {
                                {choices}
                                <ProviderConnection provider=shown />
                            }
                                .into_any()
                        }
                    }
                }
            }}
        </section>
    }
}

/// The configured providers, each a link to its connection; the one shown is current.
#[component]
fn ProviderList(providers: Vec<ProviderInfo>, shown: GitProvider) -> impl IntoView {
    let items = providers
        .iter()
        .map(|info| {
            let provider = Provider::from(info);
            let current = (provider.id == shown).then_some("page");
            view! {
                <li>
                    <a href=links::connections(provider.id) aria-current=current>
                        {provider.name_and_host()}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="provider-list" aria-label="Git providers">
            <ul>{items}</ul>
        </nav>
    }
}

/// One provider's connection: status, what can be done, the revoke link and the activity.
#[component]
fn ProviderConnection(provider: Provider) -> impl IntoView {
    let id = provider.id;
    let connection = LocalResource::new(move || client::connection(id));
    let events = LocalResource::new(move || client::connection_events(id));
    let oauth_error = use_oauth_error(provider.clone());
    let notice = RwSignal::new(None::<String>);
    let reload = move || {
        connection.refetch();
        events.refetch();
    };
    let checking = format!("Checking your {} connection…", provider.short_name());
    let host = (!provider.host.is_empty()).then(|| {
        view! { <p class="provider-host">{provider.host.clone()}</p> }
    });
    let provider = StoredValue::new(provider);
    view! {
        <AlertSlot message=oauth_error />
        <h2>{provider.with_value(|p| p.name.clone())}</h2>
        {host}
        <p class="status-notice" role="status">
            {move || notice.get()}
        </p>
        {move || match connection.get() {
            None => view! { <Loading text=checking.clone() /> }.into_any(),
            Some(Err(error)) => view! { <ErrorMessage message=error.message /> }.into_any(),
            Some(Ok(status)) => {
                view! {
                    <ConnectionPanel
                        provider=provider.get_value()
                        status
                        on_disconnected=move || {
                            notice.set(Some(provider.with_value(disconnected_notice)));
                            reload();
                        }
                    />
                }
                    .into_any()
            }
        }}
        <RevokeLink provider=provider.get_value() />
        <h2>"Activity"</h2>
        {move || match events.get() {
            None => view! { <Loading text="Loading the activity…" /> }.into_any(),
            Some(Err(error)) => view! { <ErrorMessage message=error.message /> }.into_any(),
            Some(Ok(list)) if list.is_empty() => {
                view! { <p class="empty-state">{NO_EVENTS}</p> }.into_any()
            }
            Some(Ok(list)) => {
                let caption = format!(
                    "{} connection activity, newest first",
                    provider.with_value(|p| p.short_name().to_owned())
                );
                view! { <EventTable caption events=list /> }.into_any()
            }
        }}
    }
}

/// The status with what the user can do: the shared panel (Authorize / Reconnect), the
/// details of a working connection, and Disconnect whenever tokens are stored.
#[component]
fn ConnectionPanel(
    provider: Provider,
    status: ConnectionStatus,
    on_disconnected: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let details = match &status {
        ConnectionStatus::Connected {
            scopes,
            connected_at,
            last_used_at,
            ..
        } => Some(view! {
            <dl class="connection-details">
                <dt>"Permissions"</dt>
                <dd>
                    {provider.scope_names(scopes)}
                    <GrantedPermissions provider=provider.clone() />
                </dd>
                <dt>"Connected since"</dt>
                <dd>{format_utc(*connected_at)}</dd>
                <dt>"Last used"</dt>
                <dd>{last_used_at.map_or_else(|| "Not yet".to_owned(), format_utc)}</dd>
            </dl>
        }),
        _ => None,
    };
    let stored = !matches!(status, ConnectionStatus::NotConnected);
    let return_to = links::connections(provider.id);
    let disconnect =
        stored.then(|| view! { <DisconnectControl provider=provider.clone() on_disconnected /> });
    view! {
        <AuthorizePanel provider status return_to />
        {details}
        {disconnect}
    }
}

/// "Disconnect", confirmed in place (no modal to trap focus in).
#[component]
fn DisconnectControl(
    provider: Provider,
    on_disconnected: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let tasks = PageTasks::new();
    let id = provider.id;
    let name = provider.short_name().to_owned();
    let forgets = if provider.revokes_on_disconnect {
        format!("The studio revokes its access on {name} and forgets its tokens")
    } else {
        "The studio forgets its tokens".to_owned()
    };
    let question = format!(
        "Disconnect {name}? {forgets}; creating a project on a {name} repository will ask you to authorize again."
    );
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    // The button pressed disappears with the question, so focus moves to the answer that
    // does something rather than falling back to the page.
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = confirm_button.get() {
            let _ = button.focus();
        }
    });
    let error = RwSignal::new(None::<String>);
    let disconnect = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        tasks.spawn(async move {
            let result = client::disconnect(id).await;
            busy.try_set(false);
            match result {
                Ok(()) => on_disconnected(),
                Err(failure) => {
                    error.try_set(Some(failure.message));
                }
            }
        });
    };
    view! {
        <div class="disconnect">
            {move || {
                if confirming.get() {
                    view! {
                        <p>{question.clone()}</p>
                        <button
                            type="button"
                            class="button button-danger"
                            node_ref=confirm_button
                            on:click=disconnect
                            disabled=move || busy.get()
                        >
                            "Yes, disconnect"
                        </button>
                        <button
                            type="button"
                            class="button button-secondary"
                            on:click=move |_| confirming.set(false)
                        >
                            "Keep the connection"
                        </button>
                    }
                        .into_any()
                } else {
                    view! {
                        <button
                            type="button"
                            class="button button-secondary"
                            on:click=move |_| confirming.set(true)
                        >
                            "Disconnect"
                        </button>
                    }
                        .into_any()
                }
            }}
            <AlertSlot message=Signal::derive(move || error.get()) />
        </div>
    }
}

/// Where the user revokes the studio's access on the provider's side ("App authorizations"
/// on Bitbucket Cloud).
#[component]
fn RevokeLink(provider: Provider) -> impl IntoView {
    (!provider.revoke_url.is_empty()).then(|| {
        let name = provider.short_name();
        view! {
            <p class="hint">
                {format!("To see or revoke the studio's access on {name}'s side, open ")}
                <a href=provider.revoke_url.clone() target="_blank" rel="noopener noreferrer">
                    {format!("{} on {name}", provider.revoke_page())}
                </a> "."
            </p>
        }
    })
}

#[component]
fn EventTable(caption: String, events: Vec<ConnectionEvent>) -> impl IntoView {
    let rows = events
        .into_iter()
        .map(|event| {
            view! {
                <tr>
                    <td>{format_utc(event.at)}</td>
                    <td>{event.kind.label()}</td>
                    <td>{event.detail.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="event-table">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"Event"</th>
                    <th scope="col">"Detail"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cloud() -> Provider {
        let permission = |scope: &str, label: &str| api::PermissionWording {
            scope: scope.into(),
            label: label.into(),
            ..api::PermissionWording::default()
        };
        Provider {
            wording: api::ProviderWording {
                short_name: "Bitbucket".into(),
                revoke_page: "App authorizations".into(),
                permissions: vec![
                    permission("account", "Account: Read"),
                    permission("repository:write", "Repositories: Write"),
                ],
                ..api::ProviderWording::default()
            },
            ..Provider::of(GitProvider::BitbucketCloud, None)
        }
    }

    #[test]
    fn scopes_are_named_as_the_provider_labels_them() {
        let scopes = vec![
            "account".to_owned(),
            "repository:write".to_owned(),
            "pullrequest".to_owned(),
        ];
        assert_eq!(
            cloud().scope_names(&scopes),
            "Account: Read, Repositories: Write, pullrequest"
        );
    }

    #[test]
    fn the_disconnect_notice_points_to_the_providers_revoke_page() {
        assert_eq!(
            disconnected_notice(&cloud()),
            "Disconnected. The studio no longer holds a token for your Bitbucket account; your projects keep their settings. To withdraw the studio's access on Bitbucket as well, revoke it under App authorizations."
        );
        let dc = Provider {
            name: "Acme Bitbucket".into(),
            ..Provider::of(GitProvider::BitbucketDataCenter, None)
        };
        assert!(disconnected_notice(&dc).contains("your Acme Bitbucket account"));
        let github = Provider {
            wording: api::ProviderWording {
                short_name: "GitHub".into(),
                ..Default::default()
            },
            revokes_on_disconnect: true,
            ..Provider::of(GitProvider::GitHub, None)
        };
        assert_eq!(
            disconnected_notice(&github),
            "Disconnected. The studio revoked its access on GitHub and no longer holds a token for your GitHub account; your projects keep their settings."
        );
    }
}
