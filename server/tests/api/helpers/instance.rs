//! More instances of the server under test, each a separate OS process running the real
//! binary (`target/debug/server`), as several machines behind a load balancer without sticky
//! sessions: the same database, Bitbucket (the test's sandbox), keys and public URL, each on
//! its own port. Only the database is shared: nothing passes between processes otherwise.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use server::config::TokenKeys;

use super::Browser;

pub struct Instance {
    pub url: String,
    /// The test's browser (same cookies) pointed at this instance.
    pub browser: Browser,
    process: Child,
}

impl Instance {
    /// Starts the binary with `settings` (on a free port) and waits until it answers.
    pub async fn start(settings: &server::Settings, browser: &Browser) -> Instance {
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("DATABASE_URL", &settings.database_url)
            .env("LEPTOS_SITE_ROOT", &settings.site_root)
            .stdout(Stdio::null());
        if settings.bench_bare_route {
            command.env("BENCH_BARE_ROUTE", "true");
        }
        if let Some(outbox) = settings.mail.outbox {
            command.env("MAIL_OUTBOX", outbox.to_string());
        }
        let accounts = &settings.accounts;
        let connections = &settings.connections;
        // Whole seconds on the command line; anything shorter rounds up to one.
        let secs = |d: Duration| d.as_secs().max(1).to_string();
        command
            .env(
                "SIGN_UP_LIMIT_PER_CLIENT",
                accounts.sign_up_limit_per_client.to_string(),
            )
            .env(
                "SIGN_IN_LIMIT_PER_CLIENT",
                accounts.sign_in_limit_per_client.to_string(),
            )
            .env(
                "PASSWORD_HASH_QUEUE",
                accounts.password_hash_queue.to_string(),
            )
            .env(
                "PASSWORD_HASH_QUEUE_PER_CLIENT",
                accounts.password_hash_queue_per_client.to_string(),
            )
            .env("HTTP_HEADER_TIMEOUT", secs(connections.header_timeout))
            .env("HTTP_IDLE_TIMEOUT", secs(connections.idle_timeout))
            .env("HTTP_BODY_TIMEOUT", secs(connections.body_timeout))
            .env("MAX_CONNECTIONS", connections.max_connections.to_string())
            .env(
                "SESSION_ABSOLUTE_LIFETIME_DAYS",
                settings.sessions.absolute_lifetime_days.to_string(),
            );
        if let Some(public_url) = &settings.public_url {
            command.env("PUBLIC_URL", public_url);
        }
        if let TokenKeys::Configured(keys) = &settings.token_keys {
            let keys: Vec<&str> = keys.iter().map(|k| k.expose_secret()).collect();
            command.env("TOKEN_ENCRYPTION_KEYS", keys.join(","));
        }
        if let Some(bitbucket) = &settings.providers.bitbucket_cloud {
            command
                .env("BITBUCKET_CLIENT_ID", &bitbucket.client_id)
                .env(
                    "BITBUCKET_CLIENT_SECRET",
                    bitbucket.client_secret.expose_secret(),
                )
                .env("BITBUCKET_AUTHORIZE_URL", &bitbucket.authorize_url)
                .env("BITBUCKET_TOKEN_URL", &bitbucket.token_url)
                .env("BITBUCKET_API_URL", &bitbucket.api_url)
                .env(
                    "BITBUCKET_APP_AUTHORIZATIONS_URL",
                    &bitbucket.app_authorizations_url,
                )
                .env("BITBUCKET_CALLBACK_URL", &bitbucket.callback_url)
                .env("BITBUCKET_PKCE", bitbucket.pkce.to_string());
        }
        if settings.providers.is_empty() {
            command.env("SANDBOX", "true");
        }
        if let Some(datacenter) = &settings.providers.bitbucket_datacenter {
            command
                .env("BITBUCKET_DC_URL", &datacenter.base_url)
                .env("BITBUCKET_DC_CLIENT_ID", &datacenter.client_id)
                .env(
                    "BITBUCKET_DC_CLIENT_SECRET",
                    datacenter.client_secret.expose_secret(),
                )
                .env("BITBUCKET_DC_NAME", &datacenter.name)
                .env("BITBUCKET_DC_CALLBACK_URL", &datacenter.callback_url)
                .env("BITBUCKET_DC_REVOKE_URL", &datacenter.revoke_url);
        }
        if let Some(github) = &settings.providers.github {
            command
                .env("GITHUB_APP_SLUG", &github.app_slug)
                .env("GITHUB_CLIENT_ID", &github.client_id)
                .env("GITHUB_CLIENT_SECRET", github.client_secret.expose_secret())
                .env("GITHUB_CALLBACK_URL", &github.callback_url)
                .env("GITHUB_URL", &github.web_url)
                .env("GITHUB_API_URL", &github.api_url);
            if let Some(id) = github.app_id {
                command.env("GITHUB_APP_ID", id.to_string());
            }
        }
        let mut instance = Instance {
            browser: browser.at(&url),
            url,
            process: command.spawn().expect("the server binary starts"),
        };
        wait_until_serving(&instance.url, &mut instance.process).await;
        instance
    }

    /// The process's resident memory in bytes, from `/proc/<pid>/status` (Linux).
    pub fn rss_bytes(&self) -> u64 {
        let pid = self.process.id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kib| kib * 1024)
            .expect("VmRSS in /proc/<pid>/status")
    }

    /// Ends the process with SIGKILL: no graceful shutdown, nothing flushed.
    pub fn kill(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A port nothing listens on right now (for a process that binds it itself).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until the server `process` started answers `/healthz` at `url`; fails the test if it
/// exits first or takes more than 30 s.
pub async fn wait_until_serving(url: &str, process: &mut Child) {
    let http = reqwest::Client::new();
    let started = Instant::now();
    while http.get(format!("{url}/healthz")).send().await.is_err() {
        if let Some(status) = process.try_wait().unwrap() {
            panic!("the server exited at start-up: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server starts"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}
