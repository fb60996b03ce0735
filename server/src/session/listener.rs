//! PostgreSQL only: hears every session ending announced on [`SESSION_ENDED_CHANNEL`] (by any
//! instance, from the deleting transaction) and drops it from this instance's cache, and
//! proves to the cache that it still hears.
//!
//! Notifications are not queued for a listener that is away: whatever is announced while its
//! connection is down is lost. And a listener cannot tell by itself that it is away: a
//! connection that hangs without closing (a silent partition, a failover) delivers nothing and
//! reports nothing, and a listener that is cut off is only noticed once its task runs. So the
//! listener sends itself a heartbeat every [`HEARTBEAT_EVERY`]: a `NOTIFY` on a channel of
//! this instance's own, from its own connection, carrying when it was sent. PostgreSQL
//! delivers notifications in commit order, so receiving that heartbeat means every ending
//! committed before it was sent has been received (and handled, in order) too; the cache is
//! trusted for [`super::cache::TRUSTED_FOR`] after that sending, and not at all once the
//! heartbeats stop, whatever the reason (see `cache.rs`).
//!
//! A connection that returns no heartbeat for [`SILENCE_BEFORE_RECONNECTING`] is given up and
//! a new one made, so a hung connection does not keep the cache off for good. Each connection
//! comes from a pool of its own: a hung one may hold its pool until the operating system gives
//! up on its socket, and must not hold up the next.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::postgres::PgListener;
use sqlx::PgPool;

use super::cache::SessionCache;
use crate::store::{Db, SESSION_ENDED_CHANNEL, SESSION_HEARTBEAT_CHANNEL_PREFIX};

const FIRST_RETRY: Duration = Duration::from_millis(100);
const LAST_RETRY: Duration = Duration::from_secs(5);
/// How often the listener sends itself a heartbeat. Several fit in
/// [`super::cache::TRUSTED_FOR`], so one late heartbeat does not stop the cache.
pub const HEARTBEAT_EVERY: Duration = Duration::from_millis(200);
/// How long a connection may return no heartbeat before it is given up.
pub const SILENCE_BEFORE_RECONNECTING: Duration = Duration::from_secs(5);

/// Listens for as long as the server runs, reconnecting with backoff.
pub fn spawn(db: Db, cache: Arc<SessionCache>) {
    // This instance's own heartbeat channel: no other instance listens to it, and nothing but
    // this listener writes to it.
    let heartbeats = Heartbeats {
        channel: format!(
            "{SESSION_HEARTBEAT_CHANNEL_PREFIX}{}",
            crate::random::token(16)
        ),
        origin: Instant::now(),
    };
    tokio::spawn(async move {
        let mut retry = FIRST_RETRY;
        let mut connection = 0_u64;
        loop {
            cache.deaf();
            let Some(pool) = db.session_listener_pool() else {
                return;
            };
            connection += 1;
            match listen(&pool, &cache, &heartbeats, connection).await {
                Ok(Stopped::Lost) => {
                    tracing::warn!("the session listener lost its connection; reconnecting");
                    retry = FIRST_RETRY;
                }
                Ok(Stopped::Silent) => {
                    tracing::warn!(
                        "the session listener's connection returned no heartbeat for {SILENCE_BEFORE_RECONNECTING:?}; reconnecting"
                    );
                    retry = FIRST_RETRY;
                }
                Err(error) => {
                    cache.deaf();
                    tracing::warn!(%error, "the session listener cannot connect; sessions are read from the database meanwhile");
                    tokio::time::sleep(retry).await;
                    retry = (retry * 2).min(LAST_RETRY);
                }
            }
        }
    });
}

/// Why [`listen`] stopped on a connection that had been made.
enum Stopped {
    /// The connection closed.
    Lost,
    /// No heartbeat came back for [`SILENCE_BEFORE_RECONNECTING`].
    Silent,
}

/// This instance's heartbeat channel, and the instant its payloads count from.
struct Heartbeats {
    channel: String,
    origin: Instant,
}

impl Heartbeats {
    /// `<connection>:<microseconds since origin>`: the connection it was sent on, and when.
    fn payload(&self, connection: u64, sent_at: Instant) -> String {
        let micros = sent_at.saturating_duration_since(self.origin).as_micros();
        format!("{connection}:{micros}")
    }

    /// When a heartbeat sent on `connection` was sent; `None` for any other payload (one sent
    /// on an earlier connection and delivered late proves nothing about this one).
    fn sent_at(&self, connection: u64, payload: &str) -> Option<Instant> {
        let (sent_on, micros) = payload.split_once(':')?;
        if sent_on.parse::<u64>().ok()? != connection {
            return None;
        }
        let micros = micros.parse::<u64>().ok()?;
        self.origin.checked_add(Duration::from_micros(micros))
    }
}

/// Connects, listens, tells the cache once `LISTEN` holds, and from then on forgets each
/// announced session and passes on each heartbeat that comes back, until the connection is
/// lost or falls silent (`Ok`) or cannot be made (`Err`).
async fn listen(
    pool: &PgPool,
    cache: &SessionCache,
    heartbeats: &Heartbeats,
    connection: u64,
) -> Result<Stopped, sqlx::Error> {
    let connecting = async {
        let mut listener = PgListener::connect_with(pool).await?;
        // Report a lost connection at once, rather than reconnect inside `try_recv` without
        // telling: the cache must be emptied when notifications may have gone unheard.
        listener.eager_reconnect(false);
        listener
            .listen_all([SESSION_ENDED_CHANNEL, heartbeats.channel.as_str()])
            .await?;
        Ok::<_, sqlx::Error>(listener)
    };
    // A connection can hang before `LISTEN` holds too.
    let Ok(listener) = tokio::time::timeout(SILENCE_BEFORE_RECONNECTING, connecting).await else {
        return Ok(Stopped::Silent);
    };
    let mut listener = listener?;
    cache.listening();
    tracing::debug!("the session listener is listening");
    let mut last_heard = Instant::now();
    let mut beat = tokio::time::interval(HEARTBEAT_EVERY);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let give_up_at = tokio::time::Instant::from_std(last_heard + SILENCE_BEFORE_RECONNECTING);
        // `try_recv` may be dropped when another branch wins: it keeps a message that is only
        // partly read for the next call (sqlx reads whole messages or nothing).
        tokio::select! {
            received = listener.try_recv() => {
                let Some(notification) = received? else {
                    return Ok(Stopped::Lost);
                };
                if notification.channel() == SESSION_ENDED_CHANNEL {
                    cache.forget(notification.payload());
                } else if let Some(sent_at) = heartbeats.sent_at(connection, notification.payload()) {
                    cache.heard(sent_at);
                    last_heard = Instant::now();
                }
            }
            _ = beat.tick() => {
                // Taken before the `NOTIFY` is sent: it commits after every ending committed
                // before this instant.
                let payload = heartbeats.payload(connection, Instant::now());
                // From the listener's own connection: what comes back proves that connection.
                // Notifications arriving meanwhile are buffered, in order, for `try_recv`.
                let sent = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(&heartbeats.channel)
                    .bind(payload)
                    .execute(&mut listener);
                match tokio::time::timeout_at(give_up_at, sent).await {
                    Ok(sent) => {
                        sent?;
                    }
                    Err(_) => return Ok(Stopped::Silent),
                }
            }
            _ = tokio::time::sleep_until(give_up_at) => return Ok(Stopped::Silent),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heartbeat_counts_only_on_the_connection_it_was_sent_on() {
        let heartbeats = Heartbeats {
            channel: "c".into(),
            origin: Instant::now(),
        };
        let sent_at = heartbeats.origin + Duration::from_millis(1234);
        let payload = heartbeats.payload(7, sent_at);
        assert_eq!(heartbeats.sent_at(7, &payload), Some(sent_at));
        assert_eq!(heartbeats.sent_at(8, &payload), None);
        for bad in ["", "7", "7:", "x:1", "7:-1", "7:1.5", "a session hash"] {
            assert_eq!(heartbeats.sent_at(7, bad), None, "{bad:?}");
        }
    }
}
