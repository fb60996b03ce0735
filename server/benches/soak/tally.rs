//! What the soak saw: every request by route and outcome with its latency, every answer a
//! user should not have seen, requests still waiting after 30 s, and the ledger of
//! acknowledged pipeline saves checked at the end.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::place::Place;

/// How one request ended, as the report groups them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// 2xx or 3xx.
    Ok,
    /// A 4xx the flow expects at times (409 changed elsewhere, 401 reconnect needed, 404).
    Refused(u16),
    /// 429, 502 or 503 with `Retry-After` and the error code that names it: an outage (or a
    /// branch too busy to commit on) shown as one.
    Outage(u16, String),
    /// Any other 5xx: a failure a user would see.
    ServerError(u16),
    /// No answer: the connection was refused or reset (an instance was killed).
    NoAnswer,
    /// No answer within the client's timeout.
    TimedOut,
}

impl Outcome {
    pub fn label(&self) -> String {
        match self {
            Outcome::Ok => "ok".into(),
            Outcome::Refused(s) => format!("{s}"),
            Outcome::Outage(s, code) => format!("{s} {code}, Retry-After"),
            Outcome::ServerError(s) => format!("{s} SERVER ERROR"),
            Outcome::NoAnswer => "no answer (instance down)".into(),
            Outcome::TimedOut => "timed out".into(),
        }
    }
}

/// A 5xx a user saw, for the report's list.
#[derive(Clone, Debug)]
pub struct SeenFailure {
    pub at: Duration,
    pub route: &'static str,
    pub status: u16,
    pub code: String,
    pub retry_after: bool,
}

/// What one pipeline file holds, as far as its user knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Known {
    /// Acknowledged with this content (a save, or a commit pushed from elsewhere).
    Content(String),
    /// Acknowledged deleted (or never written).
    Deleted,
    /// A write was not answered (a timeout, an outage, a lost answer): the file holds one of
    /// these, the last acknowledged state or what an unanswered write would have made.
    Unsettled(Vec<Known>),
}

impl Known {
    /// Whether `found` (read back) is a state the file may be in.
    pub fn accepts(&self, found: &Known) -> bool {
        match self {
            Known::Unsettled(options) => options.contains(found),
            settled => settled == found,
        }
    }

    /// After a write that was not answered: either it landed or it did not.
    pub fn unsettle(self, attempted: Known) -> Known {
        match self {
            Known::Unsettled(mut options) => {
                options.push(attempted);
                Known::Unsettled(options)
            }
            settled => Known::Unsettled(vec![settled, attempted]),
        }
    }
}

#[derive(Default)]
pub struct Tally {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    latencies: BTreeMap<(&'static str, Outcome), Vec<Duration>>,
    failures: Vec<SeenFailure>,
    waited_over_30s: Vec<(&'static str, Duration)>,
    /// When (since the start) a request got no answer at all.
    no_answers: Vec<Duration>,
    /// By provider (its label) and path.
    ledger: BTreeMap<(&'static str, String), (Place, String, Known)>,
    acknowledged_saves: u64,
    harness_errors: Vec<String>,
}

impl Tally {
    pub fn record(&self, route: &'static str, outcome: Outcome, elapsed: Duration) {
        let mut inner = self.inner.lock().unwrap();
        if elapsed > Duration::from_secs(30) {
            inner.waited_over_30s.push((route, elapsed));
        }
        inner
            .latencies
            .entry((route, outcome))
            .or_default()
            .push(elapsed);
    }

    pub fn failure(&self, failure: SeenFailure) {
        self.inner.lock().unwrap().failures.push(failure);
    }

    /// One save the studio (or Bitbucket, for a colleague's commit) acknowledged.
    pub fn acknowledged(&self) {
        self.inner.lock().unwrap().acknowledged_saves += 1;
    }

    /// A file's state at the end, for the check against its sandbox's repository.
    pub fn final_state(&self, place: Place, branch: &str, path: &str, known: Known) {
        self.inner.lock().unwrap().ledger.insert(
            (place.label(), path.to_owned()),
            (place, branch.to_owned(), known),
        );
    }

    pub fn no_answer(&self, at: Duration) {
        self.inner.lock().unwrap().no_answers.push(at);
    }

    pub fn no_answers(&self) -> Vec<Duration> {
        self.inner.lock().unwrap().no_answers.clone()
    }

    pub fn harness_error(&self, message: String) {
        self.inner.lock().unwrap().harness_errors.push(message);
    }

    /// Every file written, with where it lives (place, branch, path) and its last
    /// acknowledged state.
    pub fn ledger(&self) -> Vec<(Place, String, String, Known)> {
        let inner = self.inner.lock().unwrap();
        inner
            .ledger
            .iter()
            .map(|((_, path), (place, branch, known))| {
                (*place, branch.clone(), path.clone(), known.clone())
            })
            .collect()
    }

    pub fn acknowledged_saves(&self) -> u64 {
        self.inner.lock().unwrap().acknowledged_saves
    }

    pub fn failures(&self) -> Vec<SeenFailure> {
        self.inner.lock().unwrap().failures.clone()
    }

    pub fn waited_over_30s(&self) -> Vec<(&'static str, Duration)> {
        self.inner.lock().unwrap().waited_over_30s.clone()
    }

    pub fn harness_errors(&self) -> Vec<String> {
        self.inner.lock().unwrap().harness_errors.clone()
    }

    /// `(route, outcome, count, p50, p99)` rows, by route then outcome.
    pub fn rows(&self) -> Vec<(&'static str, String, usize, Duration, Duration)> {
        let inner = self.inner.lock().unwrap();
        inner
            .latencies
            .iter()
            .map(|((route, outcome), times)| {
                let mut times = times.clone();
                times.sort();
                (
                    *route,
                    outcome.label(),
                    times.len(),
                    percentile(&times, 50),
                    percentile(&times, 99),
                )
            })
            .collect()
    }

    pub fn total(&self) -> usize {
        let inner = self.inner.lock().unwrap();
        inner.latencies.values().map(Vec::len).sum()
    }
}

/// The `p`-th percentile of sorted `times` (nearest rank).
pub fn percentile(times: &[Duration], p: usize) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * times.len()).div_ceil(100).max(1);
    times[rank - 1]
}
