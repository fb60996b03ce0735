//! Whether the signed-in user's Bitbucket authorization works.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ConnectionStatus {
    Connected {
        account: BitbucketAccount,
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
        account: Option<BitbucketAccount>,
    },
}

/// The Bitbucket account the user authorized as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BitbucketAccount {
    pub account_id: String,
    pub nickname: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_tagged_for_the_app() {
        let json = serde_json::to_value(ConnectionStatus::NotConnected).unwrap();
        assert_eq!(json, serde_json::json!({"status": "not_connected"}));
    }
}
