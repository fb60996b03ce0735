//! Password hashing: argon2id (the `argon2` crate's default parameters, OWASP's minimum) on
//! the blocking pool, at most one hash per core.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::LazyLock;

use crate::error::{AppError, AppResult};

/// A hash to verify against when the email is unknown, so that case costs the same time.
pub static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash("not a real password").expect("hashing works"));

pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Hashes running at once: one per core. Each argon2id hash takes 19 MiB and a core for tens
/// of milliseconds, so a burst of sign-ins queues here instead of growing memory and threads
/// with the burst (BENCHMARKS.md, figure 5).
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// Runs password hashing on the blocking pool, at most [`HASHING`] at a time.
pub async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let _permit = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("wrong", &stored));
    }
}
