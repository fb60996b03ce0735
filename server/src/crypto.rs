//! Encryption of OAuth tokens at rest (AES-256-GCM).
//!
//! A stored value reads `v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`. The key id travels
//! with every value so a new key can encrypt new writes while older keys still decrypt
//! (rotation). Each value is bound to its place by associated data (for example
//! `bitbucket_links/42/refresh_token`, written under the grants table's first name and kept
//! since, see `providers::grants::token_context`), so a ciphertext copied into another user's row or
//! column fails to decrypt instead of granting that user's access.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::path::Path;

const VERSION: &str = "v1";
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the token encryption key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("a stored token was encrypted with key {0}, which is not configured")]
    UnknownKey(String),
    #[error("a stored token is malformed or was tampered with")]
    Corrupt,
    #[error("cannot read or create the key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
}

pub struct TokenCipher {
    /// The first key encrypts; every key decrypts.
    keys: Vec<(String, Aes256Gcm)>,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("TokenCipher")
            .field("key_ids", &ids)
            .finish()
    }
}

impl TokenCipher {
    /// `keys`: base64 32-byte keys, newest first.
    pub fn new(keys: &[SecretString]) -> Result<Self, CryptoError> {
        let keys = keys
            .iter()
            .map(|key| {
                let bytes = STANDARD
                    .decode(key.expose_secret().trim())
                    .map_err(|_| CryptoError::BadKey)?;
                if bytes.len() != 32 {
                    return Err(CryptoError::BadKey);
                }
                let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| CryptoError::BadKey)?;
                Ok((key_id(&bytes), cipher))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(CryptoError::BadKey);
        }
        Ok(Self { keys })
    }

    /// Reads the key file, creating it (mode 0600) with a fresh random key when missing.
    /// Meant for sandbox mode and single-machine set-ups; several instances need the same key
    /// from configuration instead.
    pub fn from_key_file(path: &Path) -> Result<Self, CryptoError> {
        let io = |source| CryptoError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        if !path.exists() {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            let mut key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            write_private(path, STANDARD.encode(key).as_bytes()).map_err(io)?;
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        Self::new(&[SecretString::from(text)])
    }

    /// The cipher the settings describe: configured keys, or the sandbox's key file.
    pub fn from_settings(keys: &crate::config::TokenKeys) -> Result<Self, CryptoError> {
        match keys {
            crate::config::TokenKeys::Configured(keys) => Self::new(keys),
            crate::config::TokenKeys::KeyFile(path) => Self::from_key_file(path),
        }
    }

    /// Whether `stored` is encrypted under the newest key (nothing to re-encrypt).
    pub fn is_current(&self, stored: &str) -> bool {
        stored
            .strip_prefix(VERSION)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|rest| rest.strip_prefix(self.current_key_id()))
            .is_some_and(|rest| rest.starts_with('.'))
    }

    pub fn current_key_id(&self) -> &str {
        &self.keys[0].0
    }

    pub fn encrypt(&self, plaintext: &SecretString, context: &str) -> String {
        let (id, cipher) = &self.keys[0];
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext.expose_secret().as_bytes(),
            aad: context.as_bytes(),
        };
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .expect("AES-GCM encryption cannot fail for in-memory buffers");
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&sealed);
        format!("{VERSION}.{id}.{}", URL_SAFE_NO_PAD.encode(blob))
    }

    pub fn decrypt(&self, stored: &str, context: &str) -> Result<SecretString, CryptoError> {
        let mut parts = stored.splitn(3, '.');
        let (Some(VERSION), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(CryptoError::Corrupt);
        };
        let (_, cipher) = self
            .keys
            .iter()
            .find(|(key_id, _)| key_id == id)
            .ok_or_else(|| CryptoError::UnknownKey(id.to_owned()))?;
        let blob = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| CryptoError::Corrupt)?;
        if blob.len() < NONCE_LEN {
            return Err(CryptoError::Corrupt);
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let plain = cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Corrupt)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| CryptoError::Corrupt)
    }
}

/// First 8 hex digits of the key's SHA-256: names a key without revealing it.
fn key_id(key: &[u8]) -> String {
    hex::encode(&Sha256::digest(key)[..4])
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SecretString {
        SecretString::from(STANDARD.encode([byte; 32]))
    }

    #[test]
    fn round_trips_and_hides_the_plaintext() {
        let cipher = TokenCipher::new(&[key(1)]).unwrap();
        let secret = SecretString::from("access-token-value".to_owned());
        let stored = cipher.encrypt(&secret, "links/1/access");
        assert!(!stored.contains("access-token-value"));
        assert_ne!(
            stored,
            cipher.encrypt(&secret, "links/1/access"),
            "nonces must differ"
        );
        assert_eq!(
            cipher
                .decrypt(&stored, "links/1/access")
                .unwrap()
                .expose_secret(),
            "access-token-value"
        );
    }

    #[test]
    fn a_value_moved_to_another_row_does_not_decrypt() {
        let cipher = TokenCipher::new(&[key(1)]).unwrap();
        let stored = cipher.encrypt(&SecretString::from("t".to_owned()), "links/1/access");
        assert!(matches!(
            cipher.decrypt(&stored, "links/2/access"),
            Err(CryptoError::Corrupt)
        ));
    }

    #[test]
    fn old_keys_still_decrypt_after_rotation() {
        let old = TokenCipher::new(&[key(1)]).unwrap();
        let stored = old.encrypt(&SecretString::from("t".to_owned()), "c");
        let rotated = TokenCipher::new(&[key(2), key(1)]).unwrap();
        assert_eq!(rotated.decrypt(&stored, "c").unwrap().expose_secret(), "t");
        assert!(rotated
            .encrypt(&SecretString::from("t".to_owned()), "c")
            .contains(rotated.current_key_id()));
        let unrelated = TokenCipher::new(&[key(3)]).unwrap();
        assert!(matches!(
            unrelated.decrypt(&stored, "c"),
            Err(CryptoError::UnknownKey(_))
        ));
    }

    #[test]
    fn rejects_short_keys() {
        assert!(TokenCipher::new(&[SecretString::from(STANDARD.encode([0u8; 16]))]).is_err());
    }
}
