//! What every sandbox (Cloud, Data Center, GitHub) keeps and how each is served on a local
//! port, written once: [`Core`], the state each holds beside its own config (its base path,
//! its world behind one mutex, the control API's switch, the signal that releases held
//! requests), the methods over it ([`built_on_core!`]), and [`Running`], a sandbox that
//! [`serve`] put on a port.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use axum::Router;
use tokio::sync::watch;

use crate::controls::{self, Serving};

/// The state every sandbox shares between its clones, for a world of type `W`.
pub(crate) struct Core<W> {
    /// The path part of `base_url` (`""` at the root, else `/prefix`): used for cookie paths
    /// and same-site redirects, which must not depend on the host name the browser happened
    /// to use.
    base_path: String,
    world: Mutex<W>,
    control_enabled: AtomicBool,
    /// Bumped by `reset` and shutdown: wakes requests held by `hang` faults.
    cancel: watch::Sender<u64>,
}

impl<W> Core<W> {
    /// Holds `world`, with the control API off; drops the trailing `/` of `base_url` and
    /// keeps its path.
    pub(crate) fn new(base_url: &mut String, world: W) -> Core<W> {
        Core {
            base_path: controls::base_path(base_url),
            world: Mutex::new(world),
            control_enabled: AtomicBool::new(false),
            cancel: watch::Sender::new(0),
        }
    }

    pub(crate) fn base_path(&self) -> &str {
        &self.base_path
    }

    /// Locks the world. A panic in another handler must not brick the sandbox for the rest
    /// of a test run, so poisoning is ignored: every mutation is small and leaves the world
    /// consistent.
    pub(crate) fn world(&self) -> MutexGuard<'_, W> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn enable_control(&self, on: bool) {
        self.control_enabled.store(on, Ordering::Relaxed);
    }

    pub(crate) fn control_enabled(&self) -> bool {
        self.control_enabled.load(Ordering::Relaxed)
    }

    /// Ends every request a `hang` fault holds (they answer 504).
    pub(crate) fn release_hangs(&self) {
        self.cancel.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Changes at each [`Core::release_hangs`].
    pub(crate) fn cancel_signal(&self) -> watch::Receiver<u64> {
        self.cancel.subscribe()
    }
}

/// For a sandbox type `$sandbox` (a handle whose `inner` holds `config.base_url` and a
/// `core: Core<$world>`): its methods over the core, under the names every module calls, its
/// `Debug` (the base URL) and [`Served`], so that [`serve`] can put it on a port; `$server`
/// is what the log calls its server, `$running` what `Debug` calls it served.
macro_rules! built_on_core {
    ($sandbox:ident, $world:ty, $server:literal, $running:literal) => {
        impl $sandbox {
            /// Turns the HTTP control API (`/_control/*`) on or off. The Rust methods
            /// (`set_latency`, `inject`, `reset`…) work either way.
            pub fn enable_control(&self, on: bool) {
                self.inner.core.enable_control(on);
            }

            pub fn control_enabled(&self) -> bool {
                self.inner.core.control_enabled()
            }

            fn release_hangs(&self) {
                self.inner.core.release_hangs();
            }

            pub(crate) fn cancel_signal(&self) -> ::tokio::sync::watch::Receiver<u64> {
                self.inner.core.cancel_signal()
            }

            pub(crate) fn base_path(&self) -> &str {
                self.inner.core.base_path()
            }

            /// Locks the world, ignoring poisoning (see `Core::world`).
            pub(crate) fn world(&self) -> ::std::sync::MutexGuard<'_, $world> {
                self.inner.core.world()
            }
        }

        impl ::std::fmt::Debug for $sandbox {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($sandbox))
                    .field("base_url", &self.inner.config.base_url)
                    .finish_non_exhaustive()
            }
        }

        impl $crate::served::Served for $sandbox {
            const SERVER: &'static str = $server;
            const RUNNING: &'static str = $running;
            fn router(&self) -> ::axum::Router {
                <$sandbox>::router(self)
            }
            fn enable_control(&self, on: bool) {
                <$sandbox>::enable_control(self, on)
            }
            fn release_hangs(&self) {
                <$sandbox>::release_hangs(self)
            }
        }
    };
}
pub(crate) use built_on_core;

/// A sandbox [`serve`] can put on a port (implemented by [`built_on_core!`]).
pub trait Served: Clone + Send + Sync + 'static {
    /// What the log calls its server.
    const SERVER: &'static str;
    /// What `Debug` calls it served (its `Running…` alias).
    const RUNNING: &'static str;
    /// Every route, relative to the base URL.
    fn router(&self) -> Router;
    fn enable_control(&self, on: bool);
    fn release_hangs(&self);
}

/// A sandbox `S` served on a local port (see [`crate::RunningSandbox`],
/// [`crate::datacenter::RunningDataCenter`], [`crate::github::RunningGitHub`]).
pub struct Running<S> {
    pub sandbox: S,
    /// Where a browser reaches it: `http://127.0.0.1:{port}`, the sandbox's base URL.
    pub url: String,
    pub addr: SocketAddr,
    serving: Serving,
}

impl<S: Served> Running<S> {
    /// Releases held requests, stops accepting connections, gives open ones a moment to
    /// finish, then drops them.
    pub async fn shutdown(self) {
        self.sandbox.release_hangs();
        self.serving.stop().await;
    }
}

impl<S: Served> std::fmt::Debug for Running<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(S::RUNNING)
            .field("url", &self.url)
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// `127.0.0.1:0`: loopback, any free port.
pub(crate) const LOOPBACK: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// Binds `addr`, builds the sandbox `new` makes for the URL a browser reaches it at, turns its
/// control API on (tests drive it over HTTP) and serves it. Returns as soon as the port is
/// bound.
pub(crate) async fn serve<S: Served>(
    addr: SocketAddr,
    new: impl FnOnce(String) -> S,
) -> std::io::Result<Running<S>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let url = controls::public_url(addr);
    let sandbox = new(url.clone());
    sandbox.enable_control(true);
    let serving = Serving::start(listener, sandbox.router(), S::SERVER);
    Ok(Running {
        sandbox,
        url,
        addr,
        serving,
    })
}
