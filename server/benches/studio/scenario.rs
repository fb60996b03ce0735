//! What most figures start from: the Bitbucket sandbox and a database (held by an in-process
//! server, as the integration tests have them), and the server under measurement: the release
//! binary as a process of its own, serving the release front end, on the same database and
//! sandbox.

use crate::helpers::{sign_up_on, spawn_app_with, Browser, Engine, Instance, Options, TestApp};
use crate::Config;

pub struct Scenario {
    /// The sandbox, the database, and the server the OAuth callbacks land on.
    pub app: TestApp,
    /// The release binary being measured.
    pub server: Instance,
}

impl Scenario {
    /// `pkce: false` lets the harness exchange an authorization code itself (the naive
    /// baseline needs a token of its own).
    pub async fn start(config: &Config, engine: Engine, pkce: bool) -> Scenario {
        let app = spawn_app_with(
            engine,
            Options {
                pkce,
                ..Options::default()
            },
        )
        .await;
        // The figures measure speed, not Bitbucket's hourly allowance: the naive walks of
        // figure 1 alone make thousands of listing calls (figure 6 counts what a user spends).
        app.sandbox
            .sandbox
            .set_rate_limit(usize::MAX, std::time::Duration::from_secs(3600));
        let mut settings = app.settings.clone();
        settings.site_root = config.site.clone();
        settings.bench_bare_route = true;
        // One client here plays thousands of browsers (figure 5 signs in 9,000 sessions):
        // the per-client sign-in limit would measure the throttle, not the server.
        settings.accounts.sign_in_limit_per_client = i64::MAX;
        let server = app.instance_with(settings).await;
        Scenario { app, server }
    }

    /// A new studio user, signed up on the measured server and connected to Bitbucket as
    /// `account` (a sandbox display name). The authorization starts on the measured server;
    /// Bitbucket sends the callback to the first server, as a load balancer may. The browser
    /// returned talks to the measured server.
    pub async fn connected_user(&self, email: &str, account: &str) -> Browser {
        let browser = Browser::new(&self.server.url);
        sign_up_on(&browser, email).await;
        self.app
            .authorize_on(&browser, account, "Grant access")
            .await;
        browser
    }

    /// [`Scenario::connected_user`] on Data Center: connected as the sandbox user `user`.
    pub async fn connected_datacenter_user(&self, email: &str, user: &str) -> Browser {
        let browser = Browser::new(&self.server.url);
        sign_up_on(&browser, email).await;
        self.app.authorize_datacenter(&browser, user, "Allow").await;
        browser
    }
}

impl Scenario {
    /// [`Scenario::connected_user`] on GitHub: connected as the sandbox user `user`.
    pub async fn connected_github_user(&self, email: &str, user: &str) -> Browser {
        let browser = Browser::new(&self.server.url);
        sign_up_on(&browser, email).await;
        self.app
            .authorize_github(&browser, user, crate::helpers::github::Consent::Authorize)
            .await;
        browser
    }
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    assert!(!values.is_empty(), "a median of nothing");
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// The median of `f` over `items` (one figure of several runs).
pub fn median_by<T>(items: &[T], f: impl Fn(&T) -> f64) -> f64 {
    median(&items.iter().map(f).collect::<Vec<_>>())
}
