//! Sessions: the studio's own, behind an HttpOnly `__Host-` cookie (SECURITY.md, rule 12).
//!
//! A session is a signed-in browser: a random id in the cookie ([`cookie`]), a row keyed by
//! the id's hash holding the user and the session's end, and, on every instance, a cache of
//! the sessions it has seen ([`cache`]) so that an authenticated request needs no database
//! round trip in the common case. Endings reach every instance, and an instance whose
//! listener cannot prove it hears them stops using its cache within a second (see `cache.rs`
//! and `listener.rs`); a miss reads the session and its user in one query.
//!
//! Sessions slide: they end [`IDLE_SECONDS`] after their last use, which pushes the end out
//! at most once per [`RENEW_AFTER_SECONDS`] of use (one `UPDATE … WHERE id_hash = …`, never an
//! upsert, so a session ended meanwhile cannot come back from a cache). They never slide past
//! their absolute end, a configured lifetime after sign-in (`SESSION_ABSOLUTE_LIFETIME_DAYS`):
//! a stolen cookie that keeps being used still dies (SECURITY.md, "Sessions that never end").
//! That end is checked wherever a session is judged: the read, the renewal's `WHERE`, the
//! cache, and the cookie's `Max-Age`, which never reaches past it.
//!
//! Tokens never enter a session; OAuth transactions are bound to one by its id hash.
//!
//! Why not tower-sessions (used until issue 18): 0.14 pushes an `OnInactivity` expiry out only
//! when the session is modified (so sessions ended 7 days after sign-in however much they were
//! used), reads the store on every request that carries a cookie (static files too), and has
//! no place for a cache whose endings arrive by `NOTIFY` or for a clock a test can move.

pub mod cache;
pub mod cookie;
mod handle;
mod listener;

pub use cache::{KnownSession, SessionUser};
pub use cookie::COOKIE_NAME;
pub use handle::{CurrentUser, Session};

use std::sync::Arc;
use std::time::Duration;

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use axum::http::header::SET_COOKIE;
use axum::http::{Request, Response};
use tower::{Layer, Service};

use crate::clock::Clock;
use crate::config::SessionSettings;
use crate::store::{Db, StoreError};
use cache::SessionCache;
use cookie::SessionId;

/// Sessions end after a week without use.
pub const IDLE_SECONDS: i64 = 7 * 24 * 3600;
/// A used session's end is pushed out once this long has passed since it last was.
pub const RENEW_AFTER_SECONDS: i64 = 3600;

/// A live session, and whether this lookup pushed its end out.
#[derive(Debug)]
struct Found {
    session: KnownSession,
    renewed: bool,
}

/// The sessions of this instance: the table, the cache, and the clock they are judged by.
#[derive(Clone, Debug)]
pub struct Sessions {
    db: Db,
    cache: Arc<SessionCache>,
    clock: Clock,
    /// Seconds from sign-in to a session's absolute end.
    absolute_lifetime: i64,
}

impl Sessions {
    /// On PostgreSQL the cache is trusted only while the listener proves itself alive (see
    /// [`Sessions::start`] and `cache.rs`); on SQLite (one instance) always.
    pub fn new(db: Db, clock: Clock, settings: &SessionSettings) -> Self {
        let cache = match db {
            Db::Sqlite(_) => SessionCache::one_instance(),
            Db::Postgres(_) => SessionCache::listened(),
        };
        Self {
            db,
            cache: Arc::new(cache),
            clock,
            absolute_lifetime: i64::from(settings.absolute_lifetime_days) * 24 * 3600,
        }
    }

    /// Sessions created at or before this are past their absolute end at `now`.
    fn created_after(&self, now: i64) -> i64 {
        now - self.absolute_lifetime
    }

    /// Starts the background work: the PostgreSQL listener, and the hourly deletion of
    /// sessions that are over (a failed sweep is retried at the next one).
    pub fn start(&self) {
        if matches!(self.db, Db::Postgres(_)) {
            listener::spawn(self.db.clone(), self.cache.clone());
        }
        let sessions = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            loop {
                tick.tick().await;
                let now = sessions.clock.now();
                let created_after = sessions.created_after(now);
                if let Err(error) = sessions
                    .db
                    .delete_expired_sessions(now, created_after)
                    .await
                {
                    tracing::warn!(%error, "could not delete expired sessions");
                }
            }
        });
    }

    /// The live session with this id, from the cache or else (with its user) the database,
    /// its end pushed out if it is due; `None` when there is none (unknown, over, or ended
    /// meanwhile).
    async fn find(&self, id: &SessionId) -> Result<Option<Found>, StoreError> {
        let id_hash = id.hash();
        let now = self.clock.now();
        let known = match self.cache.get(&id_hash, now) {
            Some(known) => known,
            None => {
                let epoch = self.cache.epoch();
                let row = self
                    .db
                    .session_with_user(&id_hash, now, self.created_after(now))
                    .await?;
                let Some(row) = row else {
                    // Kept here from before, and over or ended unheard: gone for good, so this
                    // instance never serves it again (whatever its cache would trust later).
                    self.cache.forget_if_kept(&id_hash);
                    return Ok(None);
                };
                let absolute_end = row.created_at + self.absolute_lifetime;
                let known = KnownSession {
                    user: SessionUser {
                        id: row.user_id,
                        email: row.email,
                    },
                    // A row from before a shorter lifetime was configured may end later.
                    expires_at: row.expires_at.min(absolute_end),
                    absolute_end,
                };
                self.cache.keep(&id_hash, known.clone(), epoch);
                known
            }
        };
        let expires_at = (now + IDLE_SECONDS).min(known.absolute_end);
        // Not due yet, or it cannot go further: no write (near its absolute end, a session
        // would otherwise be "renewed" on every request).
        if known.expires_at - now > IDLE_SECONDS - RENEW_AFTER_SECONDS
            || expires_at <= known.expires_at
        {
            return Ok(Some(Found {
                session: known,
                renewed: false,
            }));
        }
        // Read before the write: a sign-out landing between the renewal and the keeping must
        // not be undone by it.
        let epoch = self.cache.epoch();
        let renewed = self
            .db
            .renew_session(&id_hash, now, expires_at, self.created_after(now))
            .await?;
        if !renewed {
            self.cache.forget(&id_hash);
            return Ok(None);
        }
        let renewed = KnownSession {
            expires_at,
            ..known
        };
        self.cache.keep(&id_hash, renewed.clone(), epoch);
        Ok(Some(Found {
            session: renewed,
            renewed: true,
        }))
    }

    /// A new session for `user`, under an id no other session has.
    async fn create(&self, user: SessionUser) -> Result<(SessionId, KnownSession), StoreError> {
        let now = self.clock.now();
        let absolute_end = now + self.absolute_lifetime;
        let expires_at = (now + IDLE_SECONDS).min(absolute_end);
        loop {
            let id = SessionId::generate();
            let id_hash = id.hash();
            // A collision of 128 random bits does not happen; if it ever did, another id is
            // drawn rather than taking over someone's session.
            if self
                .db
                .insert_session(&id_hash, user.id, now, expires_at)
                .await?
            {
                let known = KnownSession {
                    user,
                    expires_at,
                    absolute_end,
                };
                self.cache.keep_current(&id_hash, known.clone());
                return Ok((id, known));
            }
        }
    }

    /// Ends a session everywhere: deleted (and, on PostgreSQL, announced to every instance in
    /// the same transaction), then forgotten here, so a read racing with the deletion cannot
    /// bring it back into this instance's cache.
    async fn end(&self, id: &SessionId) -> Result<(), StoreError> {
        let id_hash = id.hash();
        self.db.delete_session(&id_hash).await?;
        self.cache.forget(&id_hash);
        Ok(())
    }

    /// The cookie's `Max-Age` for `session`: until its end, which is never past its absolute
    /// end, so the browser drops the cookie no later than the server stops honouring it.
    fn cookie_max_age(&self, session: &KnownSession) -> i64 {
        session.expires_at.min(session.absolute_end) - self.clock.now()
    }
}

/// Gives each request its [`Session`] and writes the cookie the request's outcome calls for:
/// a new id at sign-in, a renewed end, or removal (signed out, or an id that is no longer a
/// session). A tower layer of its own rather than an axum `from_fn`, which would box a future
/// and clone the inner service on every request.
#[derive(Clone, Debug)]
pub struct SessionLayer {
    sessions: Sessions,
}

impl SessionLayer {
    pub fn new(sessions: Sessions) -> Self {
        Self { sessions }
    }
}

impl<S> Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionService {
            inner,
            sessions: self.sessions.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SessionService<S> {
    inner: S,
    sessions: Sessions,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for SessionService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = WithSessionCookie<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let presented = cookie::presented(request.headers());
        let session = Session::new(self.sessions.clone(), presented);
        request.extensions_mut().insert(session.clone());
        WithSessionCookie {
            inner: self.inner.call(request),
            session,
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner service's response, with the cookie the session's outcome calls for.
    pub struct WithSessionCookie<F> {
        #[pin]
        inner: F,
        session: Session,
    }
}

impl<F, ResBody, E> Future for WithSessionCookie<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        if let Some(set_cookie) = this.session.cookie_to_send() {
            response.headers_mut().append(SET_COOKIE, set_cookie);
        }
        Poll::Ready(Ok(response))
    }
}
