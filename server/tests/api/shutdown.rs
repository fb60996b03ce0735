//! Graceful shutdown of the real binary: on SIGTERM the server stops accepting connections and
//! lets the requests already in flight finish, then exits successfully.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::instance::{free_port, wait_until_serving};

#[tokio::test]
async fn sigterm_drains_requests_in_flight() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/studio.db", data.path().display()),
        )
        .env("TOKEN_KEY_FILE", data.path().join("token.key"))
        .env("LEPTOS_SITE_ROOT", data.path().join("site"))
        .env("SANDBOX", "true")
        .env("SANDBOX_CONTROL", "true")
        .env("RUST_LOG", "warn")
        .env_remove("BITBUCKET_CLIENT_ID")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    wait_until_serving(&url, &mut server).await;
    let http = reqwest::Client::new();

    // A request that takes a second: the mounted sandbox delays its API by the latency set.
    let sandbox = format!("{url}/_sandbox/bitbucket");
    let latency = http
        .post(format!("{sandbox}/_control/latency"))
        .json(&serde_json::json!({"ms": 1000}))
        .send()
        .await
        .unwrap();
    assert!(latency.status().is_success());
    let in_flight = tokio::spawn({
        let http = http.clone();
        async move { http.get(format!("{sandbox}/2.0/user")).send().await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let term = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());

    // The request in flight is answered (the sandbox's 401: no token was sent)...
    let answered = in_flight
        .await
        .unwrap()
        .expect("the in-flight request is answered");
    assert_eq!(answered.status(), 401);
    // ...new connections are refused, and the process exits cleanly.
    let fresh = reqwest::Client::new()
        .get(format!("{url}/healthz"))
        .send()
        .await;
    assert!(fresh.is_err(), "no new connections after SIGTERM");
    let exited = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(
            exited.elapsed() < Duration::from_secs(10),
            "the server exits"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
}
