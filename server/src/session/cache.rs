//! This instance's memory of sessions it has seen: session → (user, expiry), so that an
//! authenticated request costs no database round trip in the common case.
//!
//! What makes a cached session safe to trust is that its end reaches every instance:
//! - the instance that ends a session forgets it at once ([`SessionCache::forget`]);
//! - on PostgreSQL every other instance hears of it through `LISTEN/NOTIFY` (sent in the
//!   deleting transaction, see `listener.rs`). While that listener is away the cache is not
//!   trusted at all, and it is emptied when the listener is back, since notifications sent
//!   meanwhile are lost;
//! - on SQLite there is one instance, so the first rule is all there is.
//!
//! A read that raced with an ending must not bring the session back: every forgetting bumps
//! an epoch, and an answer read from the database is kept only if no forgetting happened
//! since the read began ([`SessionCache::epoch`], [`SessionCache::keep`]).
//!
//! Entries are also trusted for at most [`ENTRY_TTL`], a bound on what a listener that is
//! silently cut off (no reset from the network) could hide, and the map is bounded.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an entry is trusted without the database.
pub const ENTRY_TTL: Duration = Duration::from_secs(60);
/// Bound on memory: beyond it, expired entries go, and if that is not enough, all of them.
pub const MAX_ENTRIES: usize = 100_000;

/// The signed-in user a session belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionUser {
    pub id: i64,
    pub email: String,
}

/// What a session is known to be: its user and when it ends (Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownSession {
    pub user: SessionUser,
    pub expires_at: i64,
}

#[derive(Debug)]
struct Entry {
    session: KnownSession,
    kept_at: Instant,
}

#[derive(Debug)]
pub struct SessionCache {
    /// Keyed by the session id's hash, as the table is.
    entries: Mutex<HashMap<String, Entry>>,
    epoch: AtomicU64,
    trusted: AtomicBool,
}

impl SessionCache {
    /// A cache trusted from the start (one instance: nothing else ends its sessions), or
    /// not until [`SessionCache::trust_afresh`] (several instances, once the listener runs).
    pub fn new(trusted: bool) -> Self {
        Self {
            entries: Mutex::default(),
            epoch: AtomicU64::new(0),
            trusted: AtomicBool::new(trusted),
        }
    }

    /// The session, if it is kept, trusted, and not over at `now`.
    pub fn get(&self, id_hash: &str, now: i64) -> Option<KnownSession> {
        if !self.trusted.load(Ordering::Acquire) {
            return None;
        }
        let entries = self.entries.lock().expect("session cache lock");
        let entry = entries.get(id_hash)?;
        (entry.session.expires_at > now && entry.kept_at.elapsed() < ENTRY_TTL)
            .then(|| entry.session.clone())
    }

    /// Read before asking the database; hand it to [`SessionCache::keep`] with the answer.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Keeps a session read from the database, unless a session was forgotten (or the cache
    /// emptied) since `epoch` was read: the answer may predate that ending.
    pub fn keep(&self, id_hash: &str, session: KnownSession, epoch: u64) {
        let mut entries = self.entries.lock().expect("session cache lock");
        // Checked under the lock that `forget` bumps the epoch under, so no ending can slip
        // between the check and the insert.
        if !self.trusted.load(Ordering::Acquire) || self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, entry| entry.kept_at.elapsed() < ENTRY_TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        let entry = Entry {
            session,
            kept_at: Instant::now(),
        };
        entries.insert(id_hash.to_owned(), entry);
    }

    /// A session this instance just created or renewed: it is known to be current.
    pub fn keep_current(&self, id_hash: &str, session: KnownSession) {
        let epoch = self.epoch();
        self.keep(id_hash, session, epoch);
    }

    /// The session ended (signed out, replaced at sign-in, deleted elsewhere).
    pub fn forget(&self, id_hash: &str) {
        let mut entries = self.entries.lock().expect("session cache lock");
        self.epoch.fetch_add(1, Ordering::AcqRel);
        entries.remove(id_hash);
    }

    /// Stops trusting (and empties) the cache: endings may be going unheard.
    pub fn distrust(&self) {
        let mut entries = self.entries.lock().expect("session cache lock");
        self.trusted.store(false, Ordering::Release);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }

    /// Empties the cache and trusts it again: endings are heard from now on, and whatever
    /// was kept before may have ended unheard.
    pub fn trust_afresh(&self) {
        let mut entries = self.entries.lock().expect("session cache lock");
        self.epoch.fetch_add(1, Ordering::AcqRel);
        entries.clear();
        self.trusted.store(true, Ordering::Release);
    }

    pub fn is_trusted(&self) -> bool {
        self.trusted.load(Ordering::Acquire)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada(expires_at: i64) -> KnownSession {
        KnownSession {
            user: SessionUser {
                id: 1,
                email: "ada@example.com".into(),
            },
            expires_at,
        }
    }

    #[test]
    fn a_kept_session_is_served_until_it_ends() {
        let cache = SessionCache::new(true);
        cache.keep("h", ada(100), cache.epoch());
        assert_eq!(cache.get("h", 99), Some(ada(100)));
        assert_eq!(cache.get("h", 100), None, "over at its expiry");
        assert_eq!(cache.get("other", 0), None);
    }

    #[test]
    fn a_read_that_raced_with_an_ending_is_not_kept() {
        let cache = SessionCache::new(true);
        let before_the_read = cache.epoch();
        // Meanwhile, the session is signed out (here, or heard of from another instance).
        cache.forget("h");
        cache.keep("h", ada(100), before_the_read);
        assert_eq!(
            cache.get("h", 0),
            None,
            "the stale read must not bring it back"
        );
        cache.keep("h", ada(100), cache.epoch());
        assert_eq!(cache.get("h", 0), Some(ada(100)));
        cache.forget("h");
        assert_eq!(cache.get("h", 0), None);
    }

    #[test]
    fn an_untrusted_cache_serves_and_keeps_nothing() {
        let cache = SessionCache::new(false);
        cache.keep_current("h", ada(100));
        assert_eq!(cache.get("h", 0), None);
        cache.trust_afresh();
        cache.keep_current("h", ada(100));
        assert_eq!(cache.get("h", 0), Some(ada(100)));
        let during_the_outage = cache.epoch();
        cache.distrust();
        assert_eq!(cache.get("h", 0), None);
        cache.trust_afresh();
        assert_eq!(cache.get("h", 0), None, "emptied when the listener is back");
        cache.keep("h", ada(100), during_the_outage);
        assert_eq!(
            cache.get("h", 0),
            None,
            "a read from before the outage is not kept"
        );
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = SessionCache::new(true);
        for i in 0..MAX_ENTRIES + 10 {
            cache.keep_current(&i.to_string(), ada(100));
        }
        assert!(cache.len() <= MAX_ENTRIES);
    }
}
