//! `spawn_app`: a server, a sandbox and a fresh database for one test, plus a small HTTP
//! client that keeps cookies the way a browser would for 127.0.0.1.

mod browser;
pub mod datacenter;
pub mod fake_smtp;
pub mod github;
mod html;
pub mod instance;
pub mod logs;
pub mod own_postgres;
pub mod pg_proxy;

pub use browser::Browser;
pub use html::form_with_button;
pub use instance::Instance;

use secrecy::SecretString;
use server::store::Db;
use server::Application;

pub const CLIENT_ID: &str = "studio-test-client";
pub const CLIENT_SECRET: &str = "studio-test-secret";
/// The studio's GitHub App on the GitHub sandbox.
pub const GITHUB_APP_SLUG: &str = "pipeline-studio-test";
/// The key test servers encrypt tokens with (base64 of 32 bytes).
pub const TOKEN_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/// The password of every user the helpers sign up.
pub const PASSWORD: &str = "correct horse battery";
/// The bearer token every test server's `/metrics` answers to.
pub const METRICS_TOKEN: &str = "studio-test-metrics-token";
/// Where the wizard asks to come back to after authorizing.
pub const REPOSITORY_STEP: &str = "/projects/new/advanced/bitbucket/repository";

#[derive(Clone, Copy, Debug)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Generates one `#[tokio::test]` per engine for an `async fn(Engine)`.
#[macro_export]
macro_rules! both_engines {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { super::$name($crate::helpers::Engine::Sqlite).await })+
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { super::$name($crate::helpers::Engine::Postgres).await })+
        }
    };
}

pub struct TestApp {
    pub url: String,
    /// What this instance was started with: [`TestApp::another_instance`] starts more.
    pub settings: server::Settings,
    /// The running server, stopped with the test.
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    pub db: Db,
    pub sandbox: sandbox::RunningSandbox,
    /// The Bitbucket Data Center sandbox, configured as the studio's second provider.
    pub datacenter: sandbox::datacenter::RunningDataCenter,
    /// The GitHub sandbox, configured as the studio's third provider.
    pub github: sandbox::github::RunningGitHub,
    pub browser: Browser,
    /// Holds the SQLite database (`studio.db` and its WAL files) of SQLite tests.
    pub data_dir: tempfile::TempDir,
    /// Dropped with the test (see `Drop`), so runs leave no databases behind.
    postgres_database: Option<String>,
    /// `http://addr` of the metrics listener, with [`Options::metrics_listener`].
    pub metrics_url: Option<String>,
    /// The server's password-hashing queue: a test takes its slots to fill it at will.
    pub hashing: server::routes::auth::PasswordHashing,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        if let Some(name) = self.postgres_database.take() {
            // Drop runs inside the test's runtime; a runtime cannot block on itself, so the
            // clean-up gets a thread and a small runtime of its own.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    use sqlx::Connection;
                    if let Ok(mut admin) = sqlx::PgConnection::connect(&postgres_admin_url()).await
                    {
                        // FORCE: the server under test still holds pooled connections.
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut admin)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

pub struct Options {
    pub scopes: Vec<&'static str>,
    pub pkce: bool,
    /// A database of the test's own instead of a fresh one on the shared server.
    pub database_url: Option<String>,
    /// A built front end to serve, instead of an empty folder.
    pub site_root: Option<std::path::PathBuf>,
    /// As under `site watch`: pages reload themselves when a new front end lands.
    pub live_reload: bool,
    /// Sign-ups per client address per hour; every test's users sign up from 127.0.0.1.
    pub sign_up_limit_per_client: i64,
    /// Keep mail in the studio's mailbox (`false` with no `smtp_url`: sign-up unavailable).
    pub mail_outbox: bool,
    /// Deliver mail to this SMTP server instead.
    pub smtp_url: Option<String>,
    /// The origin the server believes browsers use, instead of its own address.
    pub public_url: Option<String>,
    /// Serve `/metrics` on a listener of its own too (`METRICS_ADDR`).
    pub metrics_listener: bool,
    /// `CLIENT_IP_HEADER`, lower case: the server stands behind one proxy writing it.
    pub client_ip_header: Option<String>,
    /// `SESSION_ABSOLUTE_LIFETIME_DAYS`.
    pub session_absolute_lifetime_days: u32,
    /// Sign-ins per client address per 15 minutes; every test's users sign in from 127.0.0.1.
    pub sign_in_limit_per_client: i64,
    /// Slots in the password-hashing queue, in all and per client. Generous by default: tests
    /// sign up and in from one address, often in parallel.
    pub password_hash_queue: usize,
    pub password_hash_queue_per_client: usize,
    /// Timeouts and the connection cap.
    pub connections: server::config::ConnectionSettings,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            scopes: vec!["account", "repository:write"],
            pkce: true,
            database_url: None,
            site_root: None,
            live_reload: false,
            sign_up_limit_per_client: 1000,
            mail_outbox: true,
            smtp_url: None,
            public_url: None,
            metrics_listener: false,
            client_ip_header: None,
            session_absolute_lifetime_days: server::config::DEFAULT_SESSION_ABSOLUTE_LIFETIME_DAYS,
            sign_in_limit_per_client: 1000,
            password_hash_queue: 1000,
            password_hash_queue_per_client: 1000,
            connections: server::config::ConnectionSettings::default(),
        }
    }
}

pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_with(engine, Options::default()).await
}

pub async fn spawn_app_with(engine: Engine, options: Options) -> TestApp {
    logs::init();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let callback_url = format!("{url}{}", api::paths::BITBUCKET_OAUTH_CALLBACK);
    let sandbox = sandbox::spawn(
        vec![sandbox::Consumer {
            key: CLIENT_ID.into(),
            secret: CLIENT_SECRET.into(),
            name: "Pipeline Studio (test)".into(),
            callback_url: callback_url.clone(),
            scopes: options.scopes.iter().map(|s| s.to_string()).collect(),
        }],
        options.pkce,
    )
    .await
    .unwrap();
    let datacenter_callback = format!(
        "{url}{}",
        api::paths::oauth_callback(api::GitProvider::BitbucketDataCenter)
    );
    let datacenter = sandbox::datacenter::spawn(vec![sandbox::datacenter::DcClient {
        id: CLIENT_ID.into(),
        secret: CLIENT_SECRET.into(),
        name: "Pipeline Studio (test)".into(),
        redirect_uri: datacenter_callback.clone(),
    }])
    .await
    .unwrap();
    let github_callback = format!(
        "{url}{}",
        api::paths::oauth_callback(api::GitProvider::GitHub)
    );
    let github = sandbox::github::spawn(vec![sandbox::github::GitHubApp {
        app_id: 1,
        slug: GITHUB_APP_SLUG.into(),
        name: "Pipeline Studio (test)".into(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        callback_url: github_callback.clone(),
        setup_url: Some(format!(
            "{url}{}",
            api::paths::oauth_installed(api::GitProvider::GitHub)
        )),
    }])
    .await
    .unwrap();

    let data_dir = tempfile::tempdir().unwrap();
    let (database_url, postgres_database) = match (engine, options.database_url) {
        (_, Some(url)) => (url, None),
        (Engine::Sqlite, None) => (
            format!("sqlite://{}", data_dir.path().join("studio.db").display()),
            None,
        ),
        (Engine::Postgres, None) => {
            let (url, name) = fresh_postgres_database().await;
            (url, Some(name))
        }
    };
    let settings = server::Settings {
        addr: "127.0.0.1:0".parse().unwrap(),
        public_url: Some(options.public_url.unwrap_or_else(|| url.clone())),
        database_url,
        site_root: options
            .site_root
            .unwrap_or_else(|| data_dir.path().join("site")),
        site_pkg_dir: "pkg".into(),
        output_name: "studio".into(),
        live_reload: options.live_reload,
        providers: server::providers::registry::Settings {
            bitbucket_cloud: Some(server::providers::bitbucket_cloud::Settings {
                client_id: CLIENT_ID.into(),
                client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
                authorize_url: sandbox.sandbox.authorize_url(),
                token_url: sandbox.sandbox.token_url(),
                api_url: sandbox.sandbox.api_url(),
                app_authorizations_url: sandbox.sandbox.app_authorizations_url(),
                callback_url,
                pkce: options.pkce,
            }),
            bitbucket_datacenter: Some(server::providers::bitbucket_datacenter::Settings {
                base_url: datacenter.url.clone(),
                name: DATACENTER_NAME.into(),
                client_id: CLIENT_ID.into(),
                client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
                callback_url: datacenter_callback,
                revoke_url: format!("{}/account", datacenter.url),
            }),
            github: Some(server::providers::github::Settings {
                app_slug: GITHUB_APP_SLUG.into(),
                app_id: Some(1),
                client_id: CLIENT_ID.into(),
                client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
                callback_url: github_callback,
                web_url: github.sandbox.base_url().to_owned(),
                api_url: github.sandbox.api_url(),
                name: "GitHub".into(),
            }),
        },
        bitbucket_pkce: Some(options.pkce),
        sandbox_control: false,
        bench_bare_route: false,
        token_keys: server::config::TokenKeys::Configured(vec![SecretString::from(
            TOKEN_KEY.to_owned(),
        )]),
        // Sign-up links are read from the studio's own mailbox (`sign_up_on`).
        mail: server::config::MailSettings {
            outbox: Some(options.mail_outbox),
            smtp_url: options.smtp_url.map(SecretString::from),
            from: None,
        },
        accounts: server::config::AccountSettings {
            sign_up_limit_per_client: options.sign_up_limit_per_client,
            sign_in_limit_per_client: options.sign_in_limit_per_client,
            password_hash_queue: options.password_hash_queue,
            password_hash_queue_per_client: options.password_hash_queue_per_client,
            client_ip_header: options.client_ip_header,
            client_ip_trusted_hops: 1,
        },
        sessions: server::config::SessionSettings {
            absolute_lifetime_days: options.session_absolute_lifetime_days,
        },
        // Shared with the test (`app.settings.clock`), which moves it forward.
        clock: server::clock::Clock::default(),
        metrics: server::config::MetricsSettings {
            addr: options
                .metrics_listener
                .then(|| "127.0.0.1:0".parse().unwrap()),
            token: Some(SecretString::from(METRICS_TOKEN.to_owned())),
        },
        connections: options.connections,
    };
    let app = Application::with_listener(settings.clone(), listener)
        .await
        .expect("the server starts");
    let db = app.db();
    let hashing = app.password_hashing();
    let metrics_url = app.metrics_addr().map(|addr| format!("http://{addr}"));
    let server = tokio::spawn(app.run_until_stopped());
    TestApp {
        hashing,
        metrics_url,
        browser: Browser::new(&url),
        url,
        settings,
        server,
        db,
        sandbox,
        datacenter,
        github,
        data_dir,
        postgres_database,
    }
}

/// What the tests' Data Center instance is called.
pub const DATACENTER_NAME: &str = "Acme Bitbucket";

/// Signs up a fresh studio user in `browser` as a person would: the sign-up, then the link
/// mailed to the address (read from the studio's mailbox). The browser is then signed in as
/// that user.
pub async fn sign_up_on(browser: &Browser, email: &str) -> api::Me {
    let response = browser
        .post_json(
            api::paths::SIGN_UP,
            &serde_json::json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), 202, "sign-up");
    let token = sign_up_token(browser, email).await;
    confirm_sign_up_on(browser, &token).await.me
}

/// Uses the sign-up link's `token`; the answer must be 201.
pub async fn confirm_sign_up_on(browser: &Browser, token: &str) -> api::SignedUp {
    let confirmed = browser
        .post_json(
            api::paths::SIGN_UP_CONFIRM,
            &serde_json::json!({ "token": token }),
        )
        .await;
    assert_eq!(confirmed.status(), 201, "the sign-up link works");
    confirmed.json().await.unwrap()
}

/// The newest mail to `email` in the studio's mailbox, waiting up to 5 s for it (mail is
/// sent after the answer).
pub async fn newest_mail_on(browser: &Browser, email: &str) -> String {
    let page = format!(
        "{}?to={}",
        api::paths::SANDBOX_MAILBOX,
        api::paths::encode_query_value(email)
    );
    let started = std::time::Instant::now();
    loop {
        let html = browser.get(&page).await.text().await.unwrap();
        if let Some(start) = html.find("<article") {
            let end = html[start..]
                .find("</article>")
                .map_or(html.len(), |e| start + e);
            return html_escape::decode_html_entities(&html[start..end]).into_owned();
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "no mail to {email} arrived"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The token of the newest sign-up link mailed to `email`.
pub async fn sign_up_token(browser: &Browser, email: &str) -> String {
    let mail = newest_mail_on(browser, email).await;
    sign_up_token_in(&mail).unwrap_or_else(|| panic!("a sign-up link in:\n{mail}"))
}

/// The `token` of the first sign-up link in a mail's (decoded) text.
pub fn sign_up_token_in(mail: &str) -> Option<String> {
    let marker = "#token=";
    let start = mail.find(marker)? + marker.len();
    mail[start..]
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .next()
        .map(str::to_owned)
}

/// `TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`: a role that may
/// create databases.
fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A new database, so tests never share state. Returns its URL and name.
pub async fn fresh_postgres_database() -> (String, String) {
    use sqlx::Connection;
    let admin = postgres_admin_url();
    let name = format!("studio_test_{}", uuid::Uuid::new_v4().simple());
    let mut connection = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!("PostgreSQL must be reachable at {admin} (set TEST_POSTGRES_URL): {e}")
        });
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await
        .unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    (url.to_string(), name)
}

impl TestApp {
    /// Starts another instance of this server, as a separate process (see [`Instance`]).
    pub async fn another_instance(&self) -> Instance {
        Instance::start(&self.settings, &self.browser).await
    }

    /// Starts another instance with other settings (other keys, say) on this one's database.
    pub async fn instance_with(&self, settings: server::Settings) -> Instance {
        Instance::start(&settings, &self.browser).await
    }

    /// A server whose user ada@example.com is signed in and has not authorized Bitbucket yet.
    pub async fn signed_up(engine: Engine) -> TestApp {
        let app = spawn_app(engine).await;
        app.sign_up("ada@example.com").await;
        app
    }

    /// A server whose user ada@example.com has authorized Bitbucket as Alex Rivera (`alex`).
    pub async fn connected(engine: Engine) -> TestApp {
        let app = spawn_app(engine).await;
        app.sign_up("ada@example.com").await;
        app.authorize_as("Alex Rivera", "Grant access").await;
        app
    }

    /// Runs one statement against the server's database, to age rows the way time would.
    pub async fn sql(&self, sql: &str) {
        match &self.db {
            Db::Sqlite(pool) => {
                sqlx::query(sql).execute(pool).await.unwrap();
            }
            Db::Postgres(pool) => {
                sqlx::query(sql).execute(pool).await.unwrap();
            }
        }
    }

    /// The connection status, read through the API.
    pub async fn connection(&self) -> api::ConnectionStatus {
        let response = self.browser.get(api::paths::BITBUCKET_CONNECTION).await;
        assert_eq!(response.status(), 200, "the connection status");
        response.json().await.unwrap()
    }

    /// The kinds in the user's connection audit trail, newest first, read through the API.
    pub async fn event_kinds(&self) -> Vec<api::ConnectionEventKind> {
        let response = self
            .browser
            .get(api::paths::BITBUCKET_CONNECTION_EVENTS)
            .await;
        assert_eq!(response.status(), 200, "the audit trail");
        let events: Vec<api::ConnectionEvent> = response.json().await.unwrap();
        events.into_iter().map(|event| event.kind).collect()
    }

    /// Signs up a fresh studio user in this test's browser.
    pub async fn sign_up(&self, email: &str) -> api::Me {
        sign_up_on(&self.browser, email).await
    }

    /// Runs the whole consent flow as `account` (a seeded sandbox account's display name),
    /// choosing `button` ("Grant access" or "Cancel") on the consent page. Returns where the
    /// callback finally sent the browser.
    pub async fn authorize_as(&self, account: &str, button: &str) -> String {
        self.authorize_on(&self.browser, account, button).await
    }

    /// [`TestApp::authorize_as`] in another browser (another user's, say).
    pub async fn authorize_on(&self, browser: &Browser, account: &str, button: &str) -> String {
        let callback_url = self.consent_on(browser, account, button).await;
        let callback = browser.get(&callback_url).await;
        assert_eq!(callback.status(), 303, "the callback redirects");
        Browser::location(&callback)
    }

    /// Starts an authorization and goes through the sandbox's pages as a person would (sign
    /// in as `account`, then `button` on the consent page), stopping at the studio's callback
    /// URL, which is returned unvisited (it carries the `code` and `state`).
    pub async fn consent_as(&self, account: &str, button: &str) -> String {
        self.consent_on(&self.browser, account, button).await
    }

    /// [`TestApp::consent_as`], starting the authorization through `browser` (pointed at
    /// another instance, say).
    pub async fn consent_on(&self, browser: &Browser, account: &str, button: &str) -> String {
        self.consent_returning_to(browser, REPOSITORY_STEP, account, button)
            .await
    }

    /// [`TestApp::consent_on`] with the authorization started for `return_to` (sent
    /// percent-encoded, as the app's links do).
    pub async fn consent_returning_to(
        &self,
        browser: &Browser,
        return_to: &str,
        account: &str,
        button: &str,
    ) -> String {
        let start = format!(
            "{}?return_to={}",
            api::paths::BITBUCKET_OAUTH_START,
            api::paths::encode_query_value(return_to)
        );
        let to_bitbucket = browser.get(&start).await;
        assert_eq!(to_bitbucket.status(), 303);
        let mut location = Browser::location(&to_bitbucket);
        assert!(
            location.starts_with(&self.sandbox.sandbox.authorize_url()),
            "start redirects to Bitbucket: {location}"
        );
        for _ in 0..6 {
            if location.starts_with(&self.url) {
                return location;
            }
            let page = browser.get(&location).await;
            if page.status().is_redirection() {
                location = browser.absolute(&Browser::location(&page), &location);
                continue;
            }
            let html = page.text().await.unwrap();
            let wanted = format!("Sign in as {account}");
            let form = form_with_button(&html, &wanted)
                .or_else(|| form_with_button(&html, button))
                .unwrap_or_else(|| panic!("no form with {wanted:?} or {button:?} in:\n{html}"));
            location = browser.submit_to_next_page(&form, &location).await;
        }
        panic!("the consent flow did not return to the studio");
    }
}
