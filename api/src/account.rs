//! Studio accounts (local users of the studio, not Bitbucket accounts).
//!
//! Sign-up proves the address before an account exists: `POST /api/auth/sign-up` answers
//! 202 with [`SignUpStarted`] whether or not the address has an account (so the answer tells
//! no one who uses the studio), and mails a link. For a new address the link's token
//! finishes the sign-up (`POST /api/auth/sign-up/confirm` with [`ConfirmSignUp`]); an
//! address that has an account gets a mail saying so instead.

use serde::{Deserialize, Serialize};

/// Body of sign-in.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// Body of sign-up: the credentials of the account to create, and where to continue once
/// the address is confirmed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignUp {
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 256))]
    pub password: String,
    /// A same-origin path ([`crate::return_to`]); anything else is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_to: Option<String>,
}

/// 202 answer of sign-up: the same for every address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignUpStarted {
    /// The address the link was sent to, normalised (trimmed, lower case).
    pub email: String,
    /// Hours the link works for.
    pub link_valid_hours: u32,
}

/// Body of the confirmation: the token from the mailed link.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmSignUp {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128))]
    pub token: String,
}

/// 201 answer of the confirmation: the new account is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedUp {
    pub me: Me,
    /// Where to continue: the `return_to` of the sign-up, or the projects page.
    pub return_to: String,
}

/// The signed-in studio user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: i64,
    pub email: String,
}

/// Passwords shorter than this are refused at sign-up.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Bounds the work argon2 does on attacker-chosen input.
pub const MAX_PASSWORD_CHARS: usize = 256;
/// How long a sign-up link works.
pub const SIGN_UP_LINK_HOURS: u32 = 24;
/// Longest token accepted in a confirmation (ours are 43 characters).
pub const MAX_TOKEN_CHARS: usize = 128;
