//! The accept loop: HTTP/1.1 connections with a cap on how many are open, a header timeout
//! and an idle timeout, and a graceful end (issue 26, item 4: 300 connections that sent half
//! their headers were all still open after 35 s under `axum::serve`, which sets neither).
//!
//! - **Connection cap** ([`ConnectionSettings::max_connections`]): a connection is accepted
//!   only with a permit; while all are taken, new ones wait in the kernel's backlog until one
//!   closes, instead of each costing a task, buffers and a descriptor.
//! - **Header timeout**: once the first byte of a request has arrived, its whole head must
//!   arrive within [`ConnectionSettings::header_timeout`], or the connection is closed (a
//!   slow-headers client, "slowloris").
//! - **Idle timeout**: a connection on which no request is being handled and no byte has moved
//!   either way for [`ConnectionSettings::idle_timeout`] is closed: one opened and left silent,
//!   a kept-alive one between requests, one whose client stopped reading its answer. A handler
//!   still working (waiting on Bitbucket, say) keeps its connection, however long it is silent.
//! - **Body timeout** ([`ConnectionSettings::body_timeout`]): a request's body must have
//!   arrived whole within this time of its head. A handler reading a body counts as working, so
//!   without it a client trickling a byte now and then (a slow-body attack) would hold its
//!   connection, and a slot under the cap, for as long as it liked. Past it, the handler's read
//!   fails ([`BodyTimedOut`]: the extractors answer 408) and the connection is closed.
//!
//! hyper's own `header_read_timeout` is not used: hyper starts that clock as soon as a
//! connection is ready for a request, not at the request's first byte, so it would also end
//! kept-alive connections after the header timeout, and the two limits could not differ (a
//! reverse proxy reuses its connections for longer than a head may take). Here the head's
//! clock starts at its first byte, and the wait before it is the idle timeout's.
//!
//! Only HTTP/1.1 is served (browsers speak HTTP/2 only over TLS, which a proxy in front ends).
//! On shutdown the listener is closed at once, idle connections are closed, and requests in
//! flight finish before [`serve`] returns.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt;

/// How long a connection may stay silent once the server is shutting down.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Limits on connections; see the module's documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionSettings {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(75),
            body_timeout: Duration::from_secs(60),
            max_connections: 1024,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then lets the requests in flight
/// finish. Each request carries its peer's address as `ConnectInfo<SocketAddr>`
/// ([`crate::extract::ClientAddress`] reads it).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: ConnectionSettings,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let max = settings.max_connections.clamp(1, 1 << 20);
    let permits = Arc::new(Semaphore::new(max));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // The permit first: at the cap, nothing more is accepted until a connection closes.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    if !is_connection_error(&error) {
                        // Out of descriptors, say: waiting lets connections close meanwhile.
                        tracing::error!(%error, "could not accept a connection");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let stopping = stopping.clone();
        tokio::spawn(async move {
            connection(stream, peer, router, settings, stopping).await;
            drop(permit);
        });
    }
    // No new connections from here: the port refuses them.
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a permit until it ends: all of them back means all have ended.
    let _ = permits.acquire_many(max as u32).await;
    Ok(())
}

/// Errors of one connection that the listener itself survives.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    settings: ConnectionSettings,
    mut stopping: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        stream,
        activity: activity.clone(),
    });
    let service = hyper::service::service_fn({
        let activity = activity.clone();
        move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let handling = activity.handling();
            let router = router.clone();
            let body_timeout = settings.body_timeout;
            async move {
                let request = request.map(|body| Body::new(Deadlined::new(body, body_timeout)));
                let response = router.oneshot(request).await;
                drop(handling);
                response
            }
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, service)
        .with_upgrades();
    let mut connection = std::pin::pin!(connection);
    let mut shutting_down = false;
    // Also when the accept loop is gone without a word (its task aborted).
    let mut stop_asked = false;
    let mut limits = settings;
    loop {
        if !shutting_down && (stop_asked || *stopping.borrow()) {
            shutting_down = true;
            // hyper ends a kept-alive connection at once, but one still waiting for its first
            // request would wait out the idle timeout: on the way out, a second of silence is
            // enough.
            connection.as_mut().graceful_shutdown();
            limits.idle_timeout = limits.idle_timeout.min(SHUTDOWN_GRACE);
            limits.header_timeout = limits.header_timeout.min(SHUTDOWN_GRACE);
        }
        let deadline = activity.deadline(&limits);
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection ended with an error");
                }
                return;
            }
            () = tokio::time::sleep_until(deadline) => {
                if let Some(reason) = activity.expired_at(&limits, activity.now()) {
                    // Dropping the connection closes the socket; nothing is in flight on it.
                    tracing::debug!(%peer, reason, "closing a connection");
                    return;
                }
            }
            () = activity.head_starting.notified() => {}
            // The value sent is only ever `true`; an error means the sender is gone. Either way,
            // acted on at the top of the loop.
            _ = stopping.changed(), if !shutting_down => stop_asked = true,
        }
    }
}

/// What has happened on one connection, shared by its socket, its requests and its watchdog.
/// Times are milliseconds since `started` (passed in, so the rules are tested without a clock).
struct Activity {
    started: Instant,
    /// Requests whose handler is running.
    handling: AtomicUsize,
    /// When a byte last moved, or a handler last finished.
    last: AtomicU64,
    /// When the first byte of the next request's head arrived, plus one; 0: none yet.
    head_started: AtomicU64,
    /// Wakes the watchdog when a head starts: its deadline moves closer.
    head_starting: Notify,
}

impl Activity {
    fn new() -> Self {
        Self {
            started: Instant::now(),
            handling: AtomicUsize::new(0),
            last: AtomicU64::new(0),
            head_started: AtomicU64::new(0),
            head_starting: Notify::new(),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A request's head is complete (hyper calls the service only then): its handler runs
    /// until the guard drops.
    fn handling(self: &Arc<Self>) -> Handling {
        self.begin();
        Handling(self.clone())
    }

    fn begin(&self) {
        self.handling.fetch_add(1, Ordering::SeqCst);
        self.head_started.store(0, Ordering::SeqCst);
    }

    fn end_at(&self, now: u64) {
        self.last.store(now, Ordering::SeqCst);
        self.handling.fetch_sub(1, Ordering::SeqCst);
    }

    fn moved_at(&self, read: bool, now: u64) {
        self.last.store(now, Ordering::SeqCst);
        if read && self.handling.load(Ordering::SeqCst) == 0 {
            // Bytes while no handler runs start the next request's head; later bytes of the
            // same head do not restart its clock.
            let started =
                self.head_started
                    .compare_exchange(0, now + 1, Ordering::SeqCst, Ordering::SeqCst);
            if started.is_ok() {
                self.head_starting.notify_one();
            }
        }
    }

    /// When the connection outstays a limit if nothing happens meanwhile; `None` while a
    /// handler runs (a handler's own time is not limited here).
    fn deadline_at(&self, settings: &ConnectionSettings) -> Option<u64> {
        if self.handling.load(Ordering::SeqCst) > 0 {
            return None;
        }
        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let idle = self
            .last
            .load(Ordering::SeqCst)
            .saturating_add(millis(settings.idle_timeout));
        Some(match self.head_started.load(Ordering::SeqCst) {
            0 => idle,
            started => idle.min((started - 1).saturating_add(millis(settings.header_timeout))),
        })
    }

    /// The deadline as an instant; while a handler runs, one idle timeout from now, to look
    /// again then.
    fn deadline(&self, settings: &ConnectionSettings) -> Instant {
        match self.deadline_at(settings) {
            Some(millis) => self.started + Duration::from_millis(millis),
            None => Instant::now() + settings.idle_timeout,
        }
    }

    /// Which limit the connection has outstayed at `now`, if any.
    fn expired_at(&self, settings: &ConnectionSettings, now: u64) -> Option<&'static str> {
        let deadline = self.deadline_at(settings)?;
        if now < deadline {
            return None;
        }
        let head_started = self.head_started.load(Ordering::SeqCst);
        let header = u64::try_from(settings.header_timeout.as_millis()).unwrap_or(u64::MAX);
        Some(
            if head_started > 0 && now >= (head_started - 1).saturating_add(header) {
                "header timeout"
            } else {
                "idle timeout"
            },
        )
    }
}

/// A running handler (see [`Activity::handling`]).
struct Handling(Arc<Activity>);

impl Drop for Handling {
    fn drop(&mut self) {
        self.0.end_at(self.0.now());
    }
}

/// The connection's socket, noting every byte that moves.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.moved_at(true, self.activity.now());
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.moved_at(false, self.activity.now());
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.moved_at(false, self.activity.now());
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The error a request body gives once [`ConnectionSettings::body_timeout`] is past.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTimedOut;

pin_project_lite::pin_project! {
    /// A request body that fails with [`BodyTimedOut`] when it has not arrived whole by its
    /// deadline, counted from the end of the head (when it is made), not between frames: a
    /// byte now and then must not keep it going.
    struct Deadlined<B> {
        #[pin]
        inner: B,
        #[pin]
        deadline: tokio::time::Sleep,
        timed_out: bool,
    }
}

impl<B> Deadlined<B> {
    fn new(inner: B, timeout: Duration) -> Self {
        Self {
            inner,
            deadline: tokio::time::sleep(timeout),
            timed_out: false,
        }
    }
}

impl<B> http_body::Body for Deadlined<B>
where
    B: http_body::Body,
    B::Error: Into<axum::BoxError>,
{
    type Data = B::Data;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        if *this.timed_out {
            return Poll::Ready(None);
        }
        // What has arrived is read first: a body complete by its deadline never fails.
        if let Poll::Ready(frame) = this.inner.poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        match this.deadline.poll(cx) {
            Poll::Ready(()) => {
                *this.timed_out = true;
                Poll::Ready(Some(Err(BodyTimedOut.into())))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.timed_out || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: ConnectionSettings = ConnectionSettings {
        header_timeout: Duration::from_secs(2),
        idle_timeout: Duration::from_secs(10),
        body_timeout: Duration::from_secs(60),
        max_connections: 1,
    };

    /// A body whose first half is there and whose second half never comes.
    struct HalfABody(bool);

    impl http_body::Body for HalfABody {
        type Data = axum::body::Bytes;
        type Error = std::io::Error;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
            if std::mem::replace(&mut self.0, true) {
                return Poll::Pending;
            }
            let half = axum::body::Bytes::from_static(b"{\"half\":");
            Poll::Ready(Some(Ok(http_body::Frame::data(half))))
        }
    }

    async fn read_whole<B>(mut body: Pin<&mut Deadlined<B>>) -> Result<Vec<u8>, axum::BoxError>
    where
        B: http_body::Body<Data = axum::body::Bytes>,
        B::Error: Into<axum::BoxError>,
    {
        use http_body::Body as _;
        let mut bytes = Vec::new();
        while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
            if let Ok(data) = frame?.into_data() {
                bytes.extend_from_slice(&data);
            }
        }
        Ok(bytes)
    }

    #[tokio::test]
    async fn a_body_must_arrive_whole_by_its_deadline() {
        let started = Instant::now();
        let deadline = Duration::from_millis(200);
        let body = std::pin::pin!(Deadlined::new(HalfABody(false), deadline));
        let error = read_whole(body).await.unwrap_err();
        assert!(error.is::<BodyTimedOut>(), "{error}");
        assert!(started.elapsed() >= deadline, "not before");
    }

    /// What has arrived is read even when the reading starts after the deadline.
    #[tokio::test]
    async fn a_body_there_in_time_is_read_whole() {
        let body = std::pin::pin!(Deadlined::new(
            axum::body::Body::from("{}"),
            Duration::from_millis(1)
        ));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(read_whole(body).await.unwrap(), b"{}");
    }

    #[test]
    fn a_silent_connection_outstays_the_idle_timeout_only() {
        let activity = Activity::new();
        assert_eq!(activity.expired_at(&SETTINGS, 9_999), None);
        assert_eq!(activity.expired_at(&SETTINGS, 10_000), Some("idle timeout"));
    }

    #[test]
    fn a_head_started_must_end_within_the_header_timeout() {
        let activity = Activity::new();
        activity.moved_at(true, 5_000);
        activity.moved_at(true, 6_500);
        assert_eq!(activity.expired_at(&SETTINGS, 6_999), None);
        assert_eq!(
            activity.expired_at(&SETTINGS, 7_000),
            Some("header timeout")
        );
    }

    #[test]
    fn a_running_handler_keeps_its_connection_and_its_answer_restarts_the_idle_clock() {
        let activity = Activity::new();
        activity.moved_at(true, 100);
        activity.begin();
        // Reading its body, or waiting on Bitbucket: no limit here.
        activity.moved_at(true, 200);
        assert_eq!(activity.expired_at(&SETTINGS, 60_000), None);
        activity.end_at(60_000);
        activity.moved_at(false, 60_001);
        assert_eq!(activity.expired_at(&SETTINGS, 70_000), None);
        assert_eq!(activity.expired_at(&SETTINGS, 70_001), Some("idle timeout"));
        // The next request's first byte starts its head's clock.
        activity.moved_at(true, 65_000);
        assert_eq!(
            activity.expired_at(&SETTINGS, 67_000),
            Some("header timeout")
        );
    }
}
