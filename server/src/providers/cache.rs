//! A short cache of a provider's answers, per token (so per user), in this instance's memory,
//! shared by every provider: each keeps one [`ResponseCache`] and reads through
//! [`ResponseCache::read`].
//!
//! Providers limit how often a user may call them (Bitbucket Cloud: 1,000 calls an hour on
//! `/2.0/repositories/…`), and one screen of the wizard can ask for the same page twice (the
//! picker, then the branch step; a reload; a search typed again). Listing pages and repository
//! details are kept for [`LIST_TTL`], names (shown, never decided on) for [`NAME_TTL`]. The
//! user's own writes drop their entries (a new branch or commit changes what the lists say),
//! as does Refresh in the picker. Entries are keyed by a SHA-256 of the token and the exact
//! URL, so no user ever sees another's answer; the map is bounded ([`MAX_ENTRIES`]), and
//! losing it (a restart, another instance) only costs a call.
//!
//! A screen's opening read never comes from here (a grant revoked at the provider must show
//! at once), with one exception: an answer read during authorization with the brand-new token
//! is *handed over* to the first screen after it ([`ResponseCache::put_handed_over`] and
//! [`ResponseCache::take_handed_over`]), once, so connecting does not ask the same twice.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::ProviderError;

/// Whether a read may be answered from the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// The read that opens a screen: asks the provider whatever was kept, so a grant revoked
    /// there or an outage shows at once instead of hiding behind a copy of a moment ago.
    /// The only copy it takes is one handed over by [`Reading::HandOver`], once.
    Opening,
    /// A read during authorization, with the brand-new token: asks the provider, and hands
    /// the answer to the first screen's [`Reading::Opening`] read, which would ask the same.
    HandOver,
    /// Reuses an answer kept less than its time-to-live ago.
    Cached,
}

pub const LIST_TTL: Duration = Duration::from_secs(60);
pub const NAME_TTL: Duration = Duration::from_secs(3600);
/// Bounds on memory: at most this many answers, and this many bytes of them (a page of 100
/// repositories is about 100 KB of JSON, so a count alone would allow hundreds of MB).
pub const MAX_ENTRIES: usize = 4096;
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// An answer larger than this is not kept at all.
pub const MAX_ENTRY_BYTES: usize = 1024 * 1024;

type TokenKey = [u8; 32];

#[derive(Debug, Default)]
pub struct ResponseCache {
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<(TokenKey, String), Entry>,
    /// The sum of the kept bodies' lengths.
    bytes: usize,
}

impl Entries {
    fn retain(&mut self, mut keep: impl FnMut(&(TokenKey, String), &Entry) -> bool) {
        self.map.retain(|k, entry| keep(k, entry));
        self.bytes = self.map.values().map(|entry| entry.body.len()).sum();
    }
}

#[derive(Debug)]
struct Entry {
    expires: Instant,
    body: Bytes,
    /// Not yet taken by the opening read it was read for (see the module's notes).
    handed_over: bool,
}

fn key(token: &SecretString) -> TokenKey {
    Sha256::digest(token.expose_secret().as_bytes()).into()
}

impl ResponseCache {
    /// The answer to `url` as `reading` allows: from here, or from `ask` (the provider),
    /// then kept for `ttl`.
    pub async fn read<Ask>(
        &self,
        token: &SecretString,
        url: &str,
        ttl: Duration,
        reading: Reading,
        ask: Ask,
    ) -> Result<Bytes, ProviderError>
    where
        Ask: Future<Output = Result<Bytes, ProviderError>>,
    {
        let cached = match reading {
            Reading::Cached => self.get(token, url),
            Reading::Opening => self.take_handed_over(token, url),
            Reading::HandOver => None,
        };
        if let Some(body) = cached {
            return Ok(body);
        }
        let body = ask.await?;
        if reading == Reading::HandOver {
            self.put_handed_over(token, url, body.clone(), ttl);
        } else {
            self.put(token, url, body.clone(), ttl);
        }
        Ok(body)
    }

    /// A JSON answer to the GET `url` through [`ResponseCache::read`]: `send` is the
    /// provider's request, awaited only when the answer is not kept; the body is read within
    /// [`super::body`]'s bounds and kept as sent, then decoded as `T`.
    pub async fn read_json<T, Send>(
        &self,
        token: &SecretString,
        url: &str,
        what: &str,
        ttl: Duration,
        reading: Reading,
        send: Send,
    ) -> Result<T, ProviderError>
    where
        T: serde::de::DeserializeOwned,
        Send: Future<Output = Result<reqwest::Response, ProviderError>>,
    {
        let ask = async { Ok(Bytes::from(super::body::answer(send.await?, what).await?)) };
        let body = self.read(token, url, ttl, reading, ask).await?;
        serde_json::from_slice(&body).map_err(|e| ProviderError::Unexpected(e.to_string()))
    }

    pub fn get(&self, token: &SecretString, url: &str) -> Option<Bytes> {
        let entries = self.entries.lock().expect("cache lock");
        let entry = entries.map.get(&(key(token), url.to_owned()))?;
        (entry.expires > Instant::now()).then(|| entry.body.clone())
    }

    pub fn put(&self, token: &SecretString, url: &str, body: Bytes, ttl: Duration) {
        self.insert(token, url, body, ttl, false);
    }

    /// Keeps an answer for the reads that follow, and for one opening read.
    pub fn put_handed_over(&self, token: &SecretString, url: &str, body: Bytes, ttl: Duration) {
        self.insert(token, url, body, ttl, true);
    }

    /// The answer handed over for an opening read, once: a second opening read (a reload)
    /// finds nothing and asks the provider.
    pub fn take_handed_over(&self, token: &SecretString, url: &str) -> Option<Bytes> {
        let mut entries = self.entries.lock().expect("cache lock");
        let entry = entries.map.get_mut(&(key(token), url.to_owned()))?;
        let taken = entry.handed_over && entry.expires > Instant::now();
        entry.handed_over = false;
        taken.then(|| entry.body.clone())
    }

    fn insert(
        &self,
        token: &SecretString,
        url: &str,
        body: Bytes,
        ttl: Duration,
        handed_over: bool,
    ) {
        if body.len() > MAX_ENTRY_BYTES {
            return;
        }
        let now = Instant::now();
        let mut entries = self.entries.lock().expect("cache lock");
        let full = |entries: &Entries| {
            entries.map.len() >= MAX_ENTRIES || entries.bytes + body.len() > MAX_BYTES
        };
        if full(&entries) {
            entries.retain(|_, entry| entry.expires > now);
            if full(&entries) {
                // Still full of live entries: start over rather than grow.
                entries.map.clear();
                entries.bytes = 0;
            }
        }
        entries.bytes += body.len();
        let entry = Entry {
            expires: now + ttl,
            body,
            handed_over,
        };
        if let Some(replaced) = entries.map.insert((key(token), url.to_owned()), entry) {
            entries.bytes -= replaced.body.len();
        }
    }

    /// Forgets everything cached for this token: after the user's own write, or Refresh.
    pub fn forget(&self, token: &SecretString) {
        let token = key(token);
        self.entries
            .lock()
            .expect("cache lock")
            .retain(|(owner, _), _| *owner != token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_per_token_expire_and_can_be_forgotten() {
        let cache = ResponseCache::default();
        let (ada, bob) = (
            SecretString::from("ada-token"),
            SecretString::from("bob-token"),
        );
        cache.put(&ada, "u", Bytes::from_static(b"ada's"), LIST_TTL);
        assert_eq!(cache.get(&ada, "u").as_deref(), Some(&b"ada's"[..]));
        assert_eq!(cache.get(&bob, "u"), None, "never another user's answer");
        cache.put(&ada, "old", Bytes::new(), Duration::ZERO);
        assert_eq!(cache.get(&ada, "old"), None, "expired");
        cache.forget(&ada);
        assert_eq!(cache.get(&ada, "u"), None);
    }

    #[test]
    fn a_handed_over_answer_serves_one_opening_read() {
        let cache = ResponseCache::default();
        let token = SecretString::from("new-token");
        cache.put(&token, "plain", Bytes::from_static(b"kept"), LIST_TTL);
        assert_eq!(
            cache.take_handed_over(&token, "plain"),
            None,
            "never handed over"
        );
        cache.put_handed_over(
            &token,
            "u",
            Bytes::from_static(b"read at sign-in"),
            LIST_TTL,
        );
        assert_eq!(
            cache.take_handed_over(&token, "u").as_deref(),
            Some(&b"read at sign-in"[..])
        );
        assert_eq!(cache.take_handed_over(&token, "u"), None, "once only");
        assert!(
            cache.get(&token, "u").is_some(),
            "still there for follow-up reads"
        );
        let other = SecretString::from("other");
        cache.put_handed_over(&token, "v", Bytes::new(), LIST_TTL);
        assert_eq!(cache.take_handed_over(&other, "v"), None, "per token");
        cache.put_handed_over(&token, "w", Bytes::new(), Duration::ZERO);
        assert_eq!(cache.take_handed_over(&token, "w"), None, "expired");
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = ResponseCache::default();
        let token = SecretString::from("t");
        for i in 0..MAX_ENTRIES + 10 {
            cache.put(&token, &i.to_string(), Bytes::new(), LIST_TTL);
        }
        assert!(cache.entries.lock().unwrap().map.len() <= MAX_ENTRIES);
    }

    #[test]
    fn the_cache_stays_bounded_in_bytes() {
        let cache = ResponseCache::default();
        let token = SecretString::from("t");
        let page = Bytes::from(vec![b'x'; 100_000]);
        for i in 0..1000 {
            cache.put(&token, &i.to_string(), page.clone(), LIST_TTL);
            let entries = cache.entries.lock().unwrap();
            assert!(entries.bytes <= MAX_BYTES, "{} bytes", entries.bytes);
            assert_eq!(entries.bytes, entries.map.len() * page.len());
        }
        cache.put(
            &token,
            "huge",
            Bytes::from(vec![0; MAX_ENTRY_BYTES + 1]),
            LIST_TTL,
        );
        assert_eq!(cache.get(&token, "huge"), None, "too large to keep");
        cache.put(&token, "999", page.clone(), LIST_TTL);
        let entries = cache.entries.lock().unwrap();
        assert_eq!(
            entries.bytes,
            entries.map.len() * page.len(),
            "a replaced entry's bytes are given back"
        );
    }
}
