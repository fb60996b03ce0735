//! This instance's memory of sessions it has seen: session → (user, ends), so that an
//! authenticated request costs no database round trip in the common case.
//!
//! What makes a cached session safe to trust is that its end reaches every instance:
//! - the instance that ends a session forgets it at once ([`SessionCache::forget`]);
//! - on PostgreSQL every other instance hears of it through `LISTEN/NOTIFY` (sent in the
//!   deleting transaction, see `listener.rs`). Hearing is not assumed, it is proved: the
//!   listener sends itself a heartbeat through PostgreSQL every 200 ms (`listener.rs`),
//!   and the cache is trusted only until [`TRUSTED_FOR`] after the *sending* of the newest
//!   heartbeat the listener has received ([`SessionCache::heard`]). PostgreSQL delivers
//!   notifications in commit order, and the listener handles them one after the other, so
//!   an ending committed before that heartbeat was sent has been forgotten already. Hence a
//!   session ended at `t` is never served from here after `t + TRUSTED_FOR`, however the
//!   listener fails: its task dies, its connection is cut and cannot be made again, or the
//!   connection hangs without closing (a silent partition, a failover) — in each, heartbeats
//!   stop arriving, and nothing has to notice the failure for the cache to stop;
//! - when the listener's connection is lost the cache is emptied, and refilled only once
//!   `LISTEN` is in place again ([`SessionCache::listening`]), since notifications sent
//!   meanwhile are lost;
//! - on SQLite there is one instance, so the first rule is all there is.
//!
//! A read that raced with an ending must not bring the session back: every forgetting bumps
//! an epoch, and an answer read from the database is kept only if no forgetting happened
//! since the read began ([`SessionCache::epoch`], [`SessionCache::keep`]). Every check and
//! every change happens under one lock, so no ending, heartbeat or loss of the listener can
//! fall between a check and what follows from it.
//!
//! Entries are also trusted for at most [`ENTRY_TTL`], and the map is bounded.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an entry is trusted without the database.
pub const ENTRY_TTL: Duration = Duration::from_secs(60);
/// Bound on memory: beyond it, expired entries go, and if that is not enough, all of them.
pub const MAX_ENTRIES: usize = 100_000;
/// How long after a heartbeat was sent the cache is trusted, once the listener has received
/// it: the most a session ending can go unheard here (SECURITY.md, "Sessions cached in
/// memory").
pub const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// The signed-in user a session belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionUser {
    pub id: i64,
    pub email: String,
}

/// What a session is known to be: its user and when it ends (Unix seconds): `expires_at`
/// slides with use, never past `absolute_end`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownSession {
    pub user: SessionUser,
    pub expires_at: i64,
    pub absolute_end: i64,
}

#[derive(Debug)]
struct Entry {
    session: KnownSession,
    kept_at: Instant,
}

/// Whether endings reach this cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hearing {
    /// One instance: every ending happens here.
    Everything,
    /// No `LISTEN` in place: nothing is kept, nothing served.
    Deaf,
    /// `LISTEN` is in place on a connection, so what is kept from now on hears its ending;
    /// served only before `until` (a heartbeat's sending plus [`TRUSTED_FOR`]), `None`
    /// before the first heartbeat.
    Listening { until: Option<Instant> },
}

#[derive(Debug)]
struct State {
    /// Keyed by the session id's hash, as the table is.
    entries: HashMap<String, Entry>,
    hearing: Hearing,
}

#[derive(Debug)]
pub struct SessionCache {
    state: Mutex<State>,
    /// Bumped (under the lock) by every forgetting; read without it by [`SessionCache::epoch`].
    epoch: AtomicU64,
}

impl SessionCache {
    fn with(hearing: Hearing) -> Self {
        Self {
            state: Mutex::new(State {
                entries: HashMap::new(),
                hearing,
            }),
            epoch: AtomicU64::new(0),
        }
    }

    /// A cache trusted from the start: one instance, nothing else ends its sessions.
    pub fn one_instance() -> Self {
        Self::with(Hearing::Everything)
    }

    /// A cache of one instance among several: trusted only while the listener proves it hears
    /// endings ([`SessionCache::listening`], [`SessionCache::heard`]).
    pub fn listened() -> Self {
        Self::with(Hearing::Deaf)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("session cache lock")
    }

    /// The session, if it is kept, trusted now, and not over at `now` (Unix seconds).
    pub fn get(&self, id_hash: &str, now: i64) -> Option<KnownSession> {
        self.get_at(id_hash, now, Instant::now())
    }

    /// [`SessionCache::get`] as of `at`, which must not be earlier than the request began.
    fn get_at(&self, id_hash: &str, now: i64, at: Instant) -> Option<KnownSession> {
        let state = self.lock();
        let trusted = match state.hearing {
            Hearing::Everything => true,
            Hearing::Deaf => false,
            Hearing::Listening { until } => until.is_some_and(|until| at < until),
        };
        if !trusted {
            return None;
        }
        let entry = state.entries.get(id_hash)?;
        let session = &entry.session;
        (session.expires_at > now
            && session.absolute_end > now
            && at.saturating_duration_since(entry.kept_at) < ENTRY_TTL)
            .then(|| session.clone())
    }

    /// Read before asking the database; hand it to [`SessionCache::keep`] with the answer.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Keeps a session read from the database, unless a session was forgotten (or the cache
    /// emptied) since `epoch` was read: the answer may predate that ending. Nothing is kept
    /// while no `LISTEN` is in place. A session kept while the heartbeats are late is kept
    /// all the same: its ending will be heard before any later heartbeat is.
    pub fn keep(&self, id_hash: &str, session: KnownSession, epoch: u64) {
        let mut state = self.lock();
        // Checked under the lock that `forget` bumps the epoch under, so no ending can slip
        // between the check and the insert.
        if state.hearing == Hearing::Deaf || self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        let entries = &mut state.entries;
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
        let mut state = self.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        state.entries.remove(id_hash);
    }

    /// The database no longer has this session: forgotten if it was kept. (A session that was
    /// not kept needs no new epoch; an unknown id costs no reader its keeping.)
    pub fn forget_if_kept(&self, id_hash: &str) {
        let mut state = self.lock();
        if state.entries.remove(id_hash).is_some() {
            self.epoch.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// The listener's connection is lost (or not made yet): endings go unheard from now on, so
    /// nothing is served or kept, and whatever was kept may end unheard: it goes.
    pub fn deaf(&self) {
        let mut state = self.lock();
        state.hearing = Hearing::Deaf;
        self.epoch.fetch_add(1, Ordering::AcqRel);
        state.entries.clear();
    }

    /// `LISTEN` is in place on a new connection: endings are heard from now on, and whatever
    /// was kept before may have ended unheard, so the cache starts empty. It is served again
    /// once the first heartbeat on this connection comes back.
    pub fn listening(&self) {
        let mut state = self.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        state.entries.clear();
        state.hearing = Hearing::Listening { until: None };
    }

    /// The listener received a heartbeat it sent at `sent_at` on its current connection, after
    /// every notification committed before it: endings up to then are all forgotten, so the
    /// cache may be served until `sent_at + TRUSTED_FOR`. A heartbeat "sent" later than now
    /// counts as sent now.
    pub fn heard(&self, sent_at: Instant) {
        let sent_at = sent_at.min(Instant::now());
        let mut state = self.lock();
        if let Hearing::Listening { until } = &mut state.hearing {
            let heard_until = sent_at + TRUSTED_FOR;
            *until = Some(until.map_or(heard_until, |until| until.max(heard_until)));
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().entries.len()
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
            absolute_end: 1_000,
        }
    }

    /// A listened cache whose listener has just heard a heartbeat.
    fn hearing() -> SessionCache {
        let cache = SessionCache::listened();
        cache.listening();
        cache.heard(Instant::now());
        cache
    }

    #[test]
    fn a_kept_session_is_served_until_it_ends() {
        let cache = SessionCache::one_instance();
        cache.keep("h", ada(100), cache.epoch());
        assert_eq!(cache.get("h", 99), Some(ada(100)));
        assert_eq!(cache.get("h", 100), None, "over at its expiry");
        assert_eq!(cache.get("other", 0), None);
    }

    #[test]
    fn a_session_is_not_served_past_its_absolute_end() {
        let cache = SessionCache::one_instance();
        let session = KnownSession {
            absolute_end: 50,
            ..ada(100)
        };
        cache.keep("h", session.clone(), cache.epoch());
        assert_eq!(cache.get("h", 49), Some(session));
        assert_eq!(cache.get("h", 50), None, "over at its absolute end");
    }

    #[test]
    fn a_read_that_raced_with_an_ending_is_not_kept() {
        let cache = SessionCache::one_instance();
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
    fn a_session_found_missing_is_forgotten_and_an_unknown_one_costs_no_epoch() {
        let cache = SessionCache::one_instance();
        let epoch = cache.epoch();
        cache.forget_if_kept("never-kept");
        assert_eq!(cache.epoch(), epoch);
        cache.keep("h", ada(100), epoch);
        cache.forget_if_kept("h");
        assert_eq!(cache.get("h", 0), None);
        assert_ne!(cache.epoch(), epoch, "a read racing with it is not kept");
    }

    #[test]
    fn a_cache_without_listen_in_place_serves_and_keeps_nothing() {
        let cache = SessionCache::listened();
        cache.keep_current("h", ada(100));
        assert_eq!(cache.get("h", 0), None);
        cache.listening();
        cache.heard(Instant::now());
        cache.keep_current("h", ada(100));
        assert_eq!(cache.get("h", 0), Some(ada(100)));
        let during_the_outage = cache.epoch();
        cache.deaf();
        assert_eq!(cache.get("h", 0), None);
        cache.listening();
        cache.heard(Instant::now());
        assert_eq!(cache.get("h", 0), None, "emptied when the listener is back");
        cache.keep("h", ada(100), during_the_outage);
        assert_eq!(
            cache.get("h", 0),
            None,
            "a read from before the outage is not kept"
        );
    }

    #[test]
    fn a_new_connection_is_not_trusted_before_its_first_heartbeat() {
        let cache = SessionCache::listened();
        cache.listening();
        cache.keep_current("h", ada(100));
        assert_eq!(cache.get("h", 0), None, "LISTEN alone proves nothing yet");
        cache.heard(Instant::now());
        assert_eq!(
            cache.get("h", 0),
            Some(ada(100)),
            "kept meanwhile, served now"
        );
    }

    /// What a killed listener task, refused reconnections and a hung connection have in
    /// common: heartbeats stop arriving. Nothing else has to happen for the cache to stop.
    #[test]
    fn the_cache_is_trusted_only_until_a_second_after_the_newest_heartbeat_was_sent() {
        let cache = SessionCache::listened();
        cache.listening();
        let sent = Instant::now();
        cache.heard(sent);
        cache.keep_current("h", ada(100));
        let last_moment = sent + TRUSTED_FOR - Duration::from_millis(1);
        assert_eq!(cache.get_at("h", 0, last_moment), Some(ada(100)));
        assert_eq!(
            cache.get_at("h", 0, sent + TRUSTED_FOR),
            None,
            "no heartbeat since: not trusted"
        );
        // An older heartbeat arriving late extends nothing.
        cache.heard(sent - Duration::from_millis(500));
        assert_eq!(cache.get_at("h", 0, sent + TRUSTED_FOR), None);
        // A newer one does, and the entry was kept all along.
        let next = sent + Duration::from_millis(200);
        cache.heard(next);
        assert_eq!(cache.get_at("h", 0, sent + TRUSTED_FOR), Some(ada(100)));
        assert_eq!(cache.get_at("h", 0, next + TRUSTED_FOR), None);
    }

    #[test]
    fn a_heartbeat_from_the_future_is_taken_as_sent_now() {
        let cache = SessionCache::listened();
        cache.listening();
        cache.keep_current("h", ada(100));
        cache.heard(Instant::now() + Duration::from_secs(3600));
        let after_a_second = Instant::now() + TRUSTED_FOR;
        assert_eq!(cache.get_at("h", 0, after_a_second), None);
    }

    #[test]
    fn a_heartbeat_heard_while_deaf_trusts_nothing() {
        let cache = SessionCache::listened();
        cache.heard(Instant::now());
        cache.keep_current("h", ada(100));
        assert_eq!(cache.get("h", 0), None);
        let cache = hearing();
        cache.deaf();
        cache.heard(Instant::now());
        assert_eq!(cache.get("h", 0), None);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = hearing();
        for i in 0..MAX_ENTRIES + 10 {
            cache.keep_current(&i.to_string(), ada(100));
        }
        assert!(cache.len() <= MAX_ENTRIES);
    }
}
