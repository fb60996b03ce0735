//! Bitbucket's request limits, as its support pages put them: each user may make 1,000
//! requests in a rolling hour on `/2.0/repositories/…` (the resources the studio lists and
//! edits); past that, 429 "Rate limit for this resource has been exceeded" until the oldest
//! request of the hour is an hour old. Counted per account, on the sandbox's clock, so tests
//! can set a low limit and advance time instead of waiting.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// Requests per window per user on `/2.0/repositories/…`.
pub(crate) const DEFAULT_LIMIT: usize = 1000;
pub(crate) const DEFAULT_WINDOW: Duration = Duration::from_secs(3600);

/// The limited resources: paths under this prefix (relative to the sandbox's base).
pub(crate) const LIMITED_PREFIX: &str = "/2.0/repositories/";

#[derive(Debug)]
pub(crate) struct RateLimits {
    pub limit: usize,
    pub window: Duration,
    /// Each account's requests in the current window, oldest first.
    hits: HashMap<String, VecDeque<Duration>>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            window: DEFAULT_WINDOW,
            hits: HashMap::new(),
        }
    }
}

/// A request over the limit: when the next one would be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limited {
    pub retry_after: Duration,
    pub limit: usize,
}

impl RateLimits {
    /// Counts a request by `account` at `now`, or refuses it when the window is full.
    pub(crate) fn admit(&mut self, account: &str, now: Duration) -> Result<usize, Limited> {
        let window = self.window;
        let hits = self.hits.entry(account.to_owned()).or_default();
        while hits.front().is_some_and(|at| *at + window <= now) {
            hits.pop_front();
        }
        if hits.len() >= self.limit {
            let oldest = *hits.front().expect("a full window has an oldest request");
            return Err(Limited {
                retry_after: (oldest + window).saturating_sub(now),
                limit: self.limit,
            });
        }
        hits.push_back(now);
        Ok(self.limit - hits.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_rolls() {
        let mut limits = RateLimits {
            limit: 2,
            window: Duration::from_secs(60),
            ..RateLimits::default()
        };
        let at = Duration::from_secs;
        assert_eq!(limits.admit("alex", at(0)), Ok(1));
        assert_eq!(limits.admit("alex", at(10)), Ok(0));
        assert_eq!(
            limits.admit("alex", at(20)),
            Err(Limited {
                retry_after: at(40),
                limit: 2
            })
        );
        assert_eq!(limits.admit("sam", at(20)), Ok(1), "per account");
        assert_eq!(
            limits.admit("alex", at(60)),
            Ok(0),
            "the oldest left the window"
        );
    }
}
