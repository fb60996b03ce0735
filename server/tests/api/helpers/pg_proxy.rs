//! A TCP proxy between an instance and PostgreSQL that can make the session listener's
//! connections hang without closing, as a silent network partition or a failover does:
//! bytes stop flowing both ways, and nothing is closed or reset. Every other connection (the
//! instance's pool) is forwarded throughout.
//!
//! The listener's connections are told apart by the `application_name` in their start-up
//! message, which is readable because the instance connects with `sslmode=disable`
//! ([`PgProxy::database_url`]).

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedRwLockWriteGuard, RwLock};
use tokio::task::JoinSet;

/// The request a client sends first when it would like TLS (PostgreSQL's protocol, "SSLRequest").
const SSL_REQUEST: u32 = 80_877_103;

pub struct PgProxy {
    port: u16,
    /// Held for reading while listener bytes are forwarded; held for writing while hung.
    gate: Arc<RwLock<()>>,
    hung: Mutex<Option<OwnedRwLockWriteGuard<()>>>,
    accepting: tokio::task::JoinHandle<()>,
}

impl PgProxy {
    /// Forwards connections on a free local port to the PostgreSQL server at `upstream`
    /// (`host:port`).
    pub async fn start(upstream: String) -> PgProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let gate = Arc::new(RwLock::new(()));
        let accepting = tokio::spawn(accept(listener, upstream, gate.clone()));
        PgProxy {
            port,
            gate,
            hung: Mutex::new(None),
            accepting,
        }
    }

    /// `database_url` (a `postgres://` URL) pointed at this proxy, without TLS.
    pub fn database_url(&self, database_url: &str) -> String {
        let mut url = url::Url::parse(database_url).unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(self.port)).unwrap();
        url.query_pairs_mut().append_pair("sslmode", "disable");
        url.to_string()
    }

    /// From when this returns, no byte passes on any session listener connection, open or
    /// opened later, and none is closed, until [`PgProxy::resume`].
    pub async fn hang_the_listeners(&self) {
        let hung = self.gate.clone().write_owned().await;
        *self.hung.lock().unwrap() = Some(hung);
    }

    /// Bytes flow again, where they stopped.
    pub fn resume(&self) {
        self.hung.lock().unwrap().take();
    }
}

impl Drop for PgProxy {
    fn drop(&mut self) {
        // Its connections are in a `JoinSet` of the accepting task: they go with it.
        self.accepting.abort();
    }
}

async fn accept(listener: TcpListener, upstream: String, gate: Arc<RwLock<()>>) {
    let mut connections = JoinSet::new();
    while let Ok((client, _)) = listener.accept().await {
        while connections.try_join_next().is_some() {}
        connections.spawn(forward(client, upstream.clone(), gate.clone()));
    }
}

async fn forward(mut client: TcpStream, upstream: String, gate: Arc<RwLock<()>>) {
    let Some(startup) = read_startup(&mut client).await else {
        return;
    };
    let listener_name = server::store::SESSION_LISTENER_NAME.as_bytes();
    let is_listener = startup
        .windows(listener_name.len())
        .any(|window| window == listener_name);
    let gate = is_listener.then_some(gate);
    let Ok(mut server) = TcpStream::connect(&upstream).await else {
        return;
    };
    {
        let _open = match &gate {
            Some(gate) => Some(gate.read().await),
            None => None,
        };
        if server.write_all(&startup).await.is_err() {
            return;
        }
    }
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    tokio::join!(
        pump(client_read, server_write, gate.clone()),
        pump(server_read, client_write, gate),
    );
}

/// The client's start-up message, after declining TLS if it asks for it.
async fn read_startup(client: &mut TcpStream) -> Option<Vec<u8>> {
    loop {
        let length = client.read_u32().await.ok()?;
        let mut message = vec![0; usize::try_from(length).ok()?.checked_sub(4)?];
        client.read_exact(&mut message).await.ok()?;
        if length == 8 && message[..] == SSL_REQUEST.to_be_bytes() {
            client.write_all(b"N").await.ok()?;
            continue;
        }
        let mut whole = length.to_be_bytes().to_vec();
        whole.extend(message);
        return Some(whole);
    }
}

/// Copies bytes until either side closes; with a gate, each chunk waits for it to be open.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, gate: Option<Arc<RwLock<()>>>) {
    let mut buffer = vec![0; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        let _open = match &gate {
            Some(gate) => Some(gate.read().await),
            None => None,
        };
        if to.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
