//! Slow clients cannot hold the server's connections (issue 26, item 4: 300 connections that
//! sent half their headers were all still open after 35 s). Each test sets short limits of
//! its own ([`ConnectionSettings`]) and talks raw TCP, so nothing but the server closes a
//! connection.

use std::time::Duration;

use server::config::ConnectionSettings;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{spawn_app_with, Browser, Engine, Options, TestApp};

/// The start of a request whose head never ends.
const HALF_A_HEAD: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow";

async fn app_with(engine: Engine, connections: ConnectionSettings) -> TestApp {
    spawn_app_with(
        engine,
        Options {
            connections,
            metrics_listener: true,
            ..Options::default()
        },
    )
    .await
}

fn host(url: &str) -> &str {
    url.trim_start_matches("http://")
}

/// Everything the server sends on `stream` until it closes it (end of stream or reset);
/// fails the test if it is still open after `within`.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> String {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the server did not close the connection within {within:?}"
    );
    String::from_utf8_lossy(&received).into_owned()
}

/// 300 connections send half a request's head and stop. Other clients are served all along,
/// and the server closes every one of the 300, unanswered, once the header timeout is past.
async fn half_open_connections_are_closed_after_the_header_timeout_and_others_served(
    engine: Engine,
) {
    let app = app_with(
        engine,
        ConnectionSettings {
            header_timeout: Duration::from_secs(3),
            idle_timeout: Duration::from_secs(600),
            max_connections: 1024,
            ..ConnectionSettings::default()
        },
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..300 {
        let mut stream = TcpStream::connect(host(&app.url)).await.unwrap();
        stream.write_all(HALF_A_HEAD).await.unwrap();
        held.push(stream);
    }
    // Served while the 300 are held: a whole sign-up and a request of a new client.
    app.sign_up("ada@example.com").await;
    assert_eq!(app.browser.get(api::paths::ME).await.status(), 200);
    assert_eq!(Browser::new(&app.url).get("/healthz").await.status(), 200);
    for stream in &mut held {
        let answer = until_closed(stream, Duration::from_secs(60)).await;
        assert_eq!(answer, "", "closed without an answer");
    }
}

/// Idle connections end after the idle timeout, on both listeners: one opened and left
/// silent, and one kept alive after its answer. A request whose handler is slower than the
/// idle timeout (a body sent in two halves, 2.5 s apart) is answered all the same.
async fn idle_connections_are_closed_but_a_request_in_progress_is_not(engine: Engine) {
    let app = app_with(
        engine,
        ConnectionSettings {
            header_timeout: Duration::from_secs(600),
            idle_timeout: Duration::from_secs(1),
            max_connections: 1024,
            ..ConnectionSettings::default()
        },
    )
    .await;
    let metrics_url = app.metrics_url.clone().expect("a metrics listener");
    for url in [&app.url, &metrics_url] {
        let mut silent = TcpStream::connect(host(url)).await.unwrap();
        assert_eq!(until_closed(&mut silent, Duration::from_secs(30)).await, "");
    }

    let mut kept_alive = TcpStream::connect(host(&app.url)).await.unwrap();
    kept_alive
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let answer = until_closed(&mut kept_alive, Duration::from_secs(30)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        !answer.to_ascii_lowercase().contains("connection: close"),
        "kept alive, then closed for idleness: {answer}"
    );

    let body = br#"{"email":"nobody@example.com","password":"not the password"}"#;
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nSec-Fetch-Site: same-origin\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        api::paths::SIGN_IN,
        host(&app.url),
        body.len()
    );
    let mut slow = TcpStream::connect(host(&app.url)).await.unwrap();
    slow.write_all(head.as_bytes()).await.unwrap();
    slow.write_all(&body[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    slow.write_all(&body[10..]).await.unwrap();
    let answer = until_closed(&mut slow, Duration::from_secs(30)).await;
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "the slow request is answered: {answer:?}"
    );
}

/// At the cap, a new connection waits (in the kernel's backlog, not accepted) until one of
/// the open ones closes, then it is served.
async fn connections_beyond_the_cap_wait_for_one_to_close(engine: Engine) {
    let app = app_with(
        engine,
        ConnectionSettings {
            header_timeout: Duration::from_secs(600),
            idle_timeout: Duration::from_secs(600),
            max_connections: 10,
            ..ConnectionSettings::default()
        },
    )
    .await;
    // Opened one after the other, before anything else: they are accepted first.
    let mut held = Vec::new();
    for _ in 0..10 {
        let mut stream = TcpStream::connect(host(&app.url)).await.unwrap();
        stream.write_all(HALF_A_HEAD).await.unwrap();
        held.push(stream);
    }
    let waiting = tokio::spawn({
        let url = app.url.clone();
        async move { Browser::new(&url).get("/healthz").await.status() }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !waiting.is_finished(),
        "an eleventh connection is not served"
    );

    // One held connection finishes its request and closes: its slot goes to the waiting one.
    let mut first = held.remove(0);
    first
        .write_all(b"\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = until_closed(&mut first, Duration::from_secs(30)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let status = tokio::time::timeout(Duration::from_secs(30), waiting)
        .await
        .expect("served once a slot is free")
        .unwrap();
    assert_eq!(status, 200);
}

/// A body that trickles in, a byte now and then, counts as a handler at work, so neither the
/// header nor the idle timeout ends it: its own deadline does. The request is refused (408)
/// and the connection closed, its slot under the cap free again.
async fn a_body_that_trickles_in_is_refused_at_its_deadline(engine: Engine) {
    let app = app_with(
        engine,
        ConnectionSettings {
            header_timeout: Duration::from_secs(600),
            idle_timeout: Duration::from_secs(600),
            body_timeout: Duration::from_secs(2),
            max_connections: 1024,
        },
    )
    .await;
    let body = br#"{"email":"nobody@example.com","password":"not the password"}"#;
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nSec-Fetch-Site: same-origin\r\nContent-Length: {}\r\n\r\n",
        api::paths::SIGN_IN,
        host(&app.url),
        body.len()
    );
    let mut slow = TcpStream::connect(host(&app.url)).await.unwrap();
    slow.write_all(head.as_bytes()).await.unwrap();
    // A byte every half second, which would take half a minute for the whole body; the
    // deadline is two seconds. (It stops writing before the deadline, so the answer is not
    // lost to a reset from writing into a closed connection.)
    for byte in &body[..3] {
        slow.write_all(&[*byte]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let answer = until_closed(&mut slow, Duration::from_secs(30)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
}

crate::both_engines!(
    half_open_connections_are_closed_after_the_header_timeout_and_others_served,
    a_body_that_trickles_in_is_refused_at_its_deadline,
    idle_connections_are_closed_but_a_request_in_progress_is_not,
    connections_beyond_the_cap_wait_for_one_to_close,
);
