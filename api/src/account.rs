//! Studio accounts (local users of the studio, not Bitbucket accounts).

use serde::{Deserialize, Serialize};

/// Body of sign-up and sign-in.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// The signed-in studio user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: i64,
    pub email: String,
}

/// Passwords shorter than this are refused at sign-up.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Bounds the work argon2 does on attacker-chosen input.
pub const MAX_PASSWORD_CHARS: usize = 256;
