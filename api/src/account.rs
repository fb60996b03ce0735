//! Studio accounts (local users of the studio, not Bitbucket accounts).
//!
//! Sign-up proves the address before an account exists: `POST /api/auth/sign-up` answers
//! 202 with [`SignUpStarted`] whether or not the address has an account (so the answer tells
//! no one who uses the studio), and mails a link. For a new address the link's token
//! finishes the sign-up (`POST /api/auth/sign-up/confirm` with [`ConfirmSignUp`]); an
//! address that has an account gets a mail saying so instead.
//!
//! A link can be opened in a browser where someone else is signed in (an attacker's own link,
//! sent to a victim, would otherwise sign the victim into the attacker's account). So the page
//! first asks, without using the link up, which address it is for and who is signed in
//! (`POST /api/auth/sign-up/inspect` with [`InspectSignUp`], answered by [`SignUpLink`]), and
//! the confirmation replaces a live session only when it says so
//! ([`ConfirmSignUp::switch_account`]); otherwise it is refused with
//! [`crate::ErrorCode::SignedInAsSomeoneElse`].

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
    /// The user chose to end the session this browser has (someone else's account) for the
    /// new one. Without it, a confirmation in a signed-in browser is refused with
    /// [`crate::ErrorCode::SignedInAsSomeoneElse`] and nothing changes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub switch_account: bool,
}

/// Body of `POST /api/auth/sign-up/inspect`: the token of a mailed link, in a body rather
/// than a URL so it never reaches a log.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectSignUp {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128))]
    pub token: String,
}

/// 200 answer of the inspection: what confirming the link would do. The link stays unused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignUpLink {
    /// The address the account would be created for.
    pub email: String,
    /// Who this browser is signed in as, if anyone: confirming would end that session, and
    /// needs [`ConfirmSignUp::switch_account`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_in_as: Option<Me>,
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
