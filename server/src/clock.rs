//! The server's idea of now, for what lasts days (sessions): the system clock, which tests
//! move forward so "signed out after 7 days without use" is proved in a moment.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The system clock plus an offset that only tests move (clones share it).
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    /// Unix seconds.
    pub fn now(&self) -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
            + self.offset_seconds.load(Ordering::Relaxed)
    }

    /// Moves this clock (and its clones) forward.
    pub fn advance(&self, by: Duration) {
        let seconds = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.offset_seconds.fetch_add(seconds, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_move_together() {
        let clock = Clock::default();
        let seen_by_the_server = clock.clone();
        let before = seen_by_the_server.now();
        clock.advance(Duration::from_secs(86_400));
        let after = seen_by_the_server.now();
        assert!((86_400..86_400 + 5).contains(&(after - before)));
    }
}
