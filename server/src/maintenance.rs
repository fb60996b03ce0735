//! Operator commands that run instead of the server (`server --reencrypt-tokens`).
//!
//! Key rotation: put a new key first in `TOKEN_ENCRYPTION_KEYS` (keep the old ones after it)
//! and restart the instances; new writes use the new key while old values still decrypt. Then
//! run `server --reencrypt-tokens` once, with the same keys: every stored token is rewritten
//! under the newest key, after which the old keys can be removed. Instances may keep serving
//! meanwhile: each row is replaced only if it is unchanged since it was read, so a refresh
//! running at the same time is never overwritten.

use crate::crypto::{CryptoError, TokenCipher};
use crate::providers::grants::token_context;
use crate::store::{Db, StoreError};

/// What a re-encryption did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reencrypted {
    /// Rows rewritten under the newest key.
    pub rewritten: usize,
    /// Rows already under the newest key.
    pub current: usize,
    /// Rows a refresh rewrote while the command ran (so already under the newest key).
    pub changed_meanwhile: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum MaintenanceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A token no configured key decrypts: re-encrypting would lose it.
    #[error("user {user_id}'s {column}: {source}")]
    Undecryptable {
        user_id: i64,
        column: &'static str,
        source: CryptoError,
    },
}

pub async fn reencrypt_tokens(
    db: &Db,
    cipher: &TokenCipher,
) -> Result<Reencrypted, MaintenanceError> {
    let mut report = Reencrypted::default();
    for (user_id, provider, access, refresh) in db.sealed_grant_tokens().await? {
        let current = |stored: &str| stored.is_empty() || cipher.is_current(stored);
        if current(&access) && current(&refresh) {
            report.current += 1;
            continue;
        }
        let reseal = |stored: &str, column: &'static str| -> Result<String, MaintenanceError> {
            if stored.is_empty() {
                return Ok(String::new());
            }
            let context = token_context(user_id, provider, column);
            let plain = cipher.decrypt(stored, &context).map_err(|source| {
                MaintenanceError::Undecryptable {
                    user_id,
                    column,
                    source,
                }
            })?;
            Ok(cipher.encrypt(&plain, &context))
        };
        let new_access = reseal(&access, "access_token")?;
        let new_refresh = reseal(&refresh, "refresh_token")?;
        if db
            .reseal_grant_tokens(
                user_id,
                provider,
                (&access, &refresh),
                (&new_access, &new_refresh),
            )
            .await?
        {
            report.rewritten += 1;
        } else {
            report.changed_meanwhile += 1;
        }
    }
    Ok(report)
}
