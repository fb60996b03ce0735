//! Starting the real binary: a server that would serve the built-in sandboxes to the world
//! refuses to start instead, naming what to set (SECURITY.md, rule 22).

use std::process::{Command, Stdio};

use crate::helpers::instance::free_port;

/// A deployed server (an https `PUBLIC_URL`) with no provider configured used to come up as
/// the sandbox: fake Bitbucket accounts, and the mailbox showing every sign-up link to anyone.
#[tokio::test]
async fn a_deployed_server_without_a_provider_refuses_to_start() {
    let data = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_server"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("PUBLIC_URL", "https://studio.example.com")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/studio.db", data.path().display()),
        )
        .env("TOKEN_KEY_FILE", data.path().join("token.key"))
        .stdin(Stdio::null())
        .output()
        .expect("the server runs, and exits");
    assert_eq!(output.status.code(), Some(2), "a configuration error");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("BITBUCKET_CLIENT_ID") && stderr.contains("SANDBOX=true"),
        "{stderr}"
    );
    assert!(
        !data.path().join("studio.db").exists(),
        "nothing was started or created"
    );
}
