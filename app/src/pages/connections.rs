//! Settings → Connections: the user's Bitbucket connection (as whom, which permissions, since
//! when, last used), **Disconnect**, **Authorize** or **Reconnect**, the link to Bitbucket's
//! App authorizations page, and the audit trail.
//!
//! Disconnecting only makes the studio forget its tokens: Bitbucket has no revocation
//! endpoint, so the page then points to App authorizations, where the user can revoke the
//! studio's access on Bitbucket's side too.

use api::{ConnectionEvent, ConnectionStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::client;
use crate::components::authorize_panel::GrantedPermissions;
use crate::components::{
    use_oauth_error, AlertSlot, AuthorizePanel, ErrorMessage, Loading, PageHeading,
};
use crate::context::use_server_info;
use crate::links;
use crate::time::format_utc;

pub const DISCONNECTED_NOTICE: &str = "Disconnected. The studio no longer holds a token for your Bitbucket account; your projects keep their settings. To withdraw the studio's access on Bitbucket as well, revoke it under App authorizations.";
pub const NO_EVENTS: &str = "Nothing has happened to this connection yet.";

/// "Repositories: Write" for the scopes the studio asks for; other names as Bitbucket sent them.
pub fn scope_names(scopes: &[String]) -> String {
    scopes
        .iter()
        .map(|scope| api::oauth::scope_label(scope).unwrap_or(scope).to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let connection = LocalResource::new(client::bitbucket_connection);
    let events = LocalResource::new(client::bitbucket_connection_events);
    let oauth_error = use_oauth_error();
    let notice = RwSignal::new(None::<&'static str>);
    let reload = move || {
        connection.refetch();
        events.refetch();
    };
    view! {
        <section class="page-section">
            <PageHeading text="Connections" />
            <AlertSlot message=oauth_error />
            <h2>"Bitbucket Cloud"</h2>
            <p class="status-notice" role="status">
                {move || notice.get()}
            </p>
            {move || match connection.get() {
                None => view! { <Loading text="Checking your Bitbucket connection…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorMessage message=error.message /> }.into_any(),
                Some(Ok(status)) => {
                    view! {
                        <ConnectionPanel
                            status
                            on_disconnected=move || {
                                notice.set(Some(DISCONNECTED_NOTICE));
                                reload();
                            }
                        />
                    }
                        .into_any()
                }
            }}
            <AppAuthorizationsLink />
            <h2>"Activity"</h2>
            {move || match events.get() {
                None => view! { <Loading text="Loading the activity…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorMessage message=error.message /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="empty-state">{NO_EVENTS}</p> }.into_any()
                }
                Some(Ok(list)) => view! { <EventTable events=list /> }.into_any(),
            }}
        </section>
    }
}

/// The status with what the user can do: the shared panel (Authorize / Reconnect), the
/// details of a working connection, and Disconnect whenever tokens are stored.
#[component]
fn ConnectionPanel(
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
                    {scope_names(scopes)}
                    <GrantedPermissions />
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
    view! {
        <AuthorizePanel status return_to=links::CONNECTIONS />
        {details}
        {stored.then(|| view! { <DisconnectControl on_disconnected /> })}
    }
}

/// "Disconnect", confirmed in place (no modal to trap focus in).
#[component]
fn DisconnectControl(on_disconnected: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
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
        spawn_local(async move {
            let result = client::disconnect_bitbucket().await;
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
                        <p>
                            "Disconnect Bitbucket? The studio forgets its tokens; creating a project on a Bitbucket repository will ask you to authorize again."
                        </p>
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

#[component]
fn AppAuthorizationsLink() -> impl IntoView {
    let info = use_server_info();
    move || {
        info.get().and_then(Result::ok).map(|info| {
            view! {
                <p class="hint">
                    "To see or revoke the studio's access on Bitbucket's side, open "
                    <a href=info.bitbucket_app_authorizations_url target="_blank" rel="noopener noreferrer">
                        "App authorizations on Bitbucket"
                    </a> "."
                </p>
            }
        })
    }
}

#[component]
fn EventTable(events: Vec<ConnectionEvent>) -> impl IntoView {
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
            <caption class="visually-hidden">"Bitbucket connection activity, newest first"</caption>
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

    #[test]
    fn scopes_are_named_as_on_bitbucket() {
        let scopes = vec![
            "account".to_owned(),
            "repository:write".to_owned(),
            "pullrequest".to_owned(),
        ];
        assert_eq!(
            scope_names(&scopes),
            "Account: Read, Repositories: Write, pullrequest"
        );
    }
}
