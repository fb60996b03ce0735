//! The sandbox's own clock.
//!
//! Expiry is the behaviour tests most want to see (a 7,200 s access token, a
//! 5-minute code, a refresh token that dies 10 minutes after rotation) and the
//! one they can least afford to wait for. Every expiry decision therefore reads
//! this clock, which runs with real time but can be pushed forward by
//! [`Clock::advance`] (`POST /_control/advance-clock`).

use std::time::{Duration, Instant};

use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub(crate) struct Clock {
    started: Instant,
    started_wall: OffsetDateTime,
    offset: Duration,
}

impl Clock {
    pub(crate) fn new() -> Clock {
        Clock {
            started: Instant::now(),
            started_wall: OffsetDateTime::now_utc(),
            offset: Duration::ZERO,
        }
    }

    /// Sandbox time since the clock started: monotonic, so a wall-clock jump
    /// on the host never revives an expired token.
    pub(crate) fn now(&self) -> Duration {
        self.started.elapsed() + self.offset
    }

    /// Wall-clock equivalent of [`Clock::now`], for timestamps the sandbox
    /// writes into new objects.
    pub(crate) fn wall_now(&self) -> OffsetDateTime {
        self.started_wall + self.now()
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        self.offset += by;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_both_readings() {
        let mut clock = Clock::new();
        let before = clock.now();
        let wall_before = clock.wall_now();
        clock.advance(Duration::from_secs(7201));
        assert!(clock.now() >= before + Duration::from_secs(7201));
        assert!(clock.wall_now() - wall_before >= time::Duration::seconds(7201));
    }
}
