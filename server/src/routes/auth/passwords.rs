//! Password hashing: argon2id (the `argon2` crate's default parameters, OWASP's minimum) on
//! the blocking pool, at most one hash per core, through a bounded queue fair between clients
//! ([`PasswordHashing`]).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use crate::error::{AppError, AppResult, Throttled};
use crate::telemetry::metrics::HashOutcome;
use crate::telemetry::Metrics;

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

/// The queue every password hash goes through: sign-ins and sign-ups alike.
///
/// Hashes run one per core: each argon2id hash takes 19 MiB and a core for tens of
/// milliseconds, so a burst queues instead of growing memory and threads with the burst
/// (BENCHMARKS.md, figure 5). The queue itself is bounded, and fair between clients (issue 26:
/// one client's 64 parallel sign-ins, unbounded, made a real user's sign-in wait 2.2 s):
/// a hash holds a slot from before it waits until it is done, at most
/// `PASSWORD_HASH_QUEUE` slots in all and `PASSWORD_HASH_QUEUE_PER_CLIENT` per client address.
/// A request that finds no slot is refused at once with 429 and `Retry-After` instead of
/// waiting, so a flooding client fills only its own slots and everyone else waits behind at
/// most that many hashes of its own.
#[derive(Clone)]
pub struct PasswordHashing(Arc<Queue>);

struct Queue {
    cores: tokio::sync::Semaphore,
    max_slots: usize,
    max_per_client: usize,
    slots: Mutex<Slots>,
    metrics: Arc<Metrics>,
}

/// Slots taken, in all and per client (a client with none has no entry, so the map holds at
/// most `max_slots` entries).
#[derive(Default)]
struct Slots {
    total: usize,
    by_client: HashMap<String, usize>,
}

/// What a refused request is told to wait: a slot frees within a hash or two.
pub const BUSY_RETRY_AFTER_SECS: u64 = 1;

impl PasswordHashing {
    pub fn new(max_slots: usize, max_per_client: usize, metrics: Arc<Metrics>) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self(Arc::new(Queue {
            cores: tokio::sync::Semaphore::new(cores),
            max_slots: max_slots.max(1),
            max_per_client: max_per_client.max(1),
            slots: Mutex::default(),
            metrics,
        }))
    }

    /// A slot for `client` (its address), or 429 at once when the queue or the client's
    /// share of it is full.
    pub fn slot(&self, client: &str) -> AppResult<Slot> {
        let queue = &self.0;
        let mut slots = queue.slots.lock().unwrap_or_else(|e| e.into_inner());
        let taken = slots.by_client.get(client).copied().unwrap_or(0);
        if slots.total >= queue.max_slots || taken >= queue.max_per_client {
            drop(slots);
            queue.metrics.count_password_hash(HashOutcome::Shed);
            tracing::warn!("password hashing busy: request shed");
            return Err(AppError::TooManyAttempts {
                action: Throttled::Busy,
                retry_after: BUSY_RETRY_AFTER_SECS,
            });
        }
        slots.total += 1;
        *slots.by_client.entry(client.to_owned()).or_default() += 1;
        Ok(Slot {
            queue: self.0.clone(),
            client: client.to_owned(),
        })
    }
}

/// A place in the queue, given back when dropped.
pub struct Slot {
    queue: Arc<Queue>,
    client: String,
}

impl Slot {
    /// Runs password hashing on the blocking pool once a core is free (first come, first
    /// served: Tokio's semaphore is fair).
    pub async fn hash<T: Send + 'static>(
        self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let _core = self
            .queue
            .cores
            .acquire()
            .await
            .map_err(AppError::internal)?;
        let done = tokio::task::spawn_blocking(work)
            .await
            .map_err(AppError::internal)?;
        self.queue.metrics.count_password_hash(HashOutcome::Hashed);
        Ok(done)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut slots = self.queue.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.total -= 1;
        if let Some(taken) = slots.by_client.get_mut(&self.client) {
            *taken -= 1;
            if *taken == 0 {
                slots.by_client.remove(&self.client);
            }
        }
    }
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

    #[tokio::test]
    async fn the_queue_is_bounded_in_all_and_per_client() {
        let queue = PasswordHashing::new(3, 2, Metrics::new());
        let a1 = queue.slot("a").unwrap();
        let _a2 = queue.slot("a").unwrap();
        let busy = queue.slot("a").err().expect("a's share is full");
        assert!(matches!(
            busy,
            AppError::TooManyAttempts {
                action: Throttled::Busy,
                retry_after: BUSY_RETRY_AFTER_SECS
            }
        ));
        let _b1 = queue.slot("b").unwrap();
        assert!(queue.slot("c").is_err(), "the queue is full");
        drop(a1);
        let c1 = queue.slot("c").unwrap();
        assert_eq!(c1.hash(|| 7).await.unwrap(), 7);
        // Given back when done: c may queue again, and nobody's count leaks.
        let _c = queue.slot("c").unwrap();
        assert_eq!(queue.0.slots.lock().unwrap().by_client.len(), 3);
    }
}
