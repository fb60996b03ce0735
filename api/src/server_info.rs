//! What the server offers, for the app to render the right choices.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServerInfo {
    /// True when Bitbucket is the built-in sandbox, not bitbucket.org. The app shows a banner.
    pub sandbox: bool,
    /// Git providers the server has configured (no placeholders for ones it has not).
    pub providers: Vec<GitProvider>,
    /// Bitbucket's "App authorizations" page (Personal settings), where a user revokes the
    /// studio's access on Bitbucket's side: disconnecting in the studio cannot do that, as
    /// Bitbucket has no revocation endpoint.
    pub bitbucket_app_authorizations_url: String,
    /// Where this studio's mail can be read, when it keeps mail instead of sending it
    /// (sandbox mode): sign-up links arrive there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox_url: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GitProvider {
    Bitbucket,
}

impl GitProvider {
    pub fn label(self) -> &'static str {
        match self {
            GitProvider::Bitbucket => "Bitbucket Cloud",
        }
    }

    /// The path segment used in wizard routes.
    pub fn slug(self) -> &'static str {
        match self {
            GitProvider::Bitbucket => "bitbucket",
        }
    }
}
