//! The whole mutable state of a sandbox, behind one mutex.
//!
//! One lock keeps cross-cutting rules simple and obviously atomic: a code
//! reused twice revokes tokens, a revoke kills codes and tokens, a reset wipes
//! everything, each in a single critical section. Requests are tiny, so one
//! lock is not a bottleneck even under benchmark load.

use crate::api::rate_limit::RateLimits;
use crate::clock::Clock;
use crate::controls::ControlState;
use crate::directory::Directory;
use crate::oauth::store::OAuthState;

pub(crate) struct World {
    pub clock: Clock,
    pub directory: Directory,
    pub oauth: OAuthState,
    pub control: ControlState<crate::Stats>,
    pub rate_limits: RateLimits,
}

impl World {
    pub(crate) fn seed() -> World {
        World {
            clock: Clock::new(),
            directory: crate::seed::directory(),
            oauth: OAuthState::default(),
            control: ControlState::default(),
            rate_limits: RateLimits::default(),
        }
    }
}
