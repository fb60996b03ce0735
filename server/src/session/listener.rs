//! PostgreSQL only: hears every session ending announced on [`SESSION_ENDED_CHANNEL`] (by any
//! instance, from the deleting transaction) and drops it from this instance's cache.
//!
//! Notifications are not queued for a listener that is away: whatever is announced while its
//! connection is down is lost. So the cache is distrusted the moment the connection is lost,
//! and emptied when `LISTEN` is in place again (`SessionCache::trust_afresh`); until then
//! every request reads the database.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;

use super::cache::SessionCache;
use crate::store::SESSION_ENDED_CHANNEL;

const FIRST_RETRY: Duration = Duration::from_millis(100);
const LAST_RETRY: Duration = Duration::from_secs(5);

/// Listens for as long as the server runs, reconnecting with backoff.
pub fn spawn(pool: PgPool, cache: Arc<SessionCache>) {
    tokio::spawn(async move {
        let mut retry = FIRST_RETRY;
        loop {
            cache.distrust();
            match listen(&pool, &cache).await {
                Ok(()) => {
                    tracing::warn!("the session listener lost its connection; reconnecting");
                    retry = FIRST_RETRY;
                }
                Err(error) => {
                    tracing::warn!(%error, "the session listener cannot connect; sessions are read from the database meanwhile");
                    tokio::time::sleep(retry).await;
                    retry = (retry * 2).min(LAST_RETRY);
                }
            }
        }
    });
}

/// Connects, trusts the cache afresh once `LISTEN` holds, and forgets each announced session
/// until the connection is lost (`Ok`) or cannot be made (`Err`).
async fn listen(pool: &PgPool, cache: &SessionCache) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    // Report a lost connection at once, rather than reconnect inside `try_recv` without
    // telling: the cache must be distrusted for as long as notifications can go unheard.
    listener.eager_reconnect(false);
    listener.listen(SESSION_ENDED_CHANNEL).await?;
    cache.trust_afresh();
    tracing::debug!("the session listener is listening");
    while let Some(notification) = listener.try_recv().await? {
        cache.forget(notification.payload());
    }
    Ok(())
}
