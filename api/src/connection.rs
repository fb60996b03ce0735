//! Whether the signed-in user's Bitbucket authorization works, and what happened to it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ConnectionStatus {
    Connected {
        account: ProviderAccount,
        /// Scopes Bitbucket granted, as it reported them.
        scopes: Vec<String>,
        /// Unix seconds.
        connected_at: i64,
        /// Unix seconds of the last Bitbucket call made with this authorization.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_used_at: Option<i64>,
    },
    NotConnected,
    ReconnectNeeded {
        /// A sentence the user can act on.
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<ProviderAccount>,
    },
}

/// The Bitbucket account the user authorized as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderAccount {
    /// Bitbucket's `account_id` and `nickname`, when its account answer carried them (the
    /// document's `account` schema defines neither; Bitbucket sends both today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

impl ProviderAccount {
    /// "Jane Doe (@jdoe)", or "Jane Doe" when the nickname is unknown.
    pub fn named(&self) -> String {
        match &self.nickname {
            Some(nickname) if *nickname != self.display_name => {
                format!("{} (@{nickname})", self.display_name)
            }
            _ => self.display_name.clone(),
        }
    }
}

/// One entry of a user's connection audit trail (`GET /api/connections/bitbucket/events`,
/// newest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionEvent {
    pub kind: ConnectionEventKind,
    /// The account connected, or why a refresh failed or a reconnect is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Unix seconds.
    pub at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionEventKind {
    Connected,
    Refreshed,
    RefreshFailed,
    ReconnectNeeded,
    Disconnected,
}

impl ConnectionEventKind {
    pub const ALL: [ConnectionEventKind; 5] = [
        ConnectionEventKind::Connected,
        ConnectionEventKind::Refreshed,
        ConnectionEventKind::RefreshFailed,
        ConnectionEventKind::ReconnectNeeded,
        ConnectionEventKind::Disconnected,
    ];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionEventKind::Connected => "connected",
            ConnectionEventKind::Refreshed => "refreshed",
            ConnectionEventKind::RefreshFailed => "refresh_failed",
            ConnectionEventKind::ReconnectNeeded => "reconnect_needed",
            ConnectionEventKind::Disconnected => "disconnected",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// For people: "Token refreshed".
    pub fn label(self) -> &'static str {
        match self {
            ConnectionEventKind::Connected => "Connected",
            ConnectionEventKind::Refreshed => "Token refreshed",
            ConnectionEventKind::RefreshFailed => "Refresh failed",
            ConnectionEventKind::ReconnectNeeded => "Reconnect needed",
            ConnectionEventKind::Disconnected => "Disconnected",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_tagged_for_the_app() {
        let json = serde_json::to_value(ConnectionStatus::NotConnected).unwrap();
        assert_eq!(json, serde_json::json!({"status": "not_connected"}));
    }

    #[test]
    fn event_kind_names_match_their_serde_names() {
        for kind in ConnectionEventKind::ALL {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, serde_json::json!(kind.as_str()));
            assert_eq!(ConnectionEventKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(ConnectionEventKind::from_name("deleted"), None);
    }
}
