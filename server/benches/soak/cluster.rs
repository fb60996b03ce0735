//! What the soak runs against: two release server processes on one PostgreSQL cluster of
//! the soak's own, the Bitbucket Cloud and Data Center sandboxes (in this process, with
//! latency and token rotation), and a round-robin
//! "load balancer" that alternates requests between the instances that are up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::helpers::own_postgres::OwnPostgres;
use crate::helpers::{spawn_app_with, Engine, Instance, Options, TestApp};

pub struct Cluster {
    /// The settings, the sandbox and the browser the instances were started from. Its own
    /// in-process server takes no soak traffic: its address is the OAuth callback's, which
    /// users send to an instance instead, as a load balancer in front would.
    pub app: TestApp,
    pub postgres: OwnPostgres,
    instances: Mutex<Vec<Instance>>,
    /// The instances in rotation.
    live: RwLock<Vec<String>>,
    turn: AtomicUsize,
}

impl Cluster {
    pub async fn start(latency: Duration) -> Arc<Cluster> {
        let postgres = tokio::task::spawn_blocking(OwnPostgres::start)
            .await
            .unwrap();
        let app = spawn_app_with(
            Engine::Postgres,
            Options {
                database_url: Some(postgres.url()),
                sign_up_limit_per_client: 1_000_000,
                sign_in_limit_per_client: 1_000_000,
                ..Options::default()
            },
        )
        .await;
        let sandbox = &app.sandbox.sandbox;
        sandbox.set_latency(latency);
        sandbox.set_rotation(true);
        // The soak injects its own 429s; Bitbucket's hourly budget would otherwise answer
        // most of a long run with 429.
        sandbox.set_rate_limit(10_000_000, Duration::from_secs(3600));
        let datacenter = &app.datacenter.sandbox;
        datacenter.set_latency(latency);
        datacenter.set_rotation(true);
        // GitHub always rotates its single-use refresh tokens.
        app.github.sandbox.set_latency(latency);
        let mut instances = Vec::new();
        for _ in 0..2 {
            instances.push(Instance::start(&app.settings, &app.browser).await);
        }
        let live = instances.iter().map(|i| i.url.clone()).collect();
        Arc::new(Cluster {
            app,
            postgres,
            instances: Mutex::new(instances),
            live: RwLock::new(live),
            turn: AtomicUsize::new(0),
        })
    }

    /// The instance the next request goes to.
    pub fn next_url(&self) -> String {
        let live = self.live.read().unwrap();
        let turn = self.turn.fetch_add(1, Ordering::Relaxed);
        live[turn % live.len()].clone()
    }

    /// The OAuth callback URL rewritten to the next instance (same path and query).
    pub fn to_instance(&self, callback: &str) -> String {
        callback.replacen(&self.app.url, &self.next_url(), 1)
    }

    pub fn is_callback(&self, url: &str) -> bool {
        url.starts_with(&self.app.url)
    }

    /// Kills instance `slot` without warning (SIGKILL, requests in flight cut), leaves it
    /// down for `down`, then starts a new process in its place. The load balancer keeps
    /// sending to it until it is found dead, as a health check would after a moment.
    pub async fn kill_and_restart(&self, slot: usize, down: Duration) {
        let old_url = {
            let mut instances = self.instances.lock().unwrap();
            instances[slot].kill();
            instances[slot].url.clone()
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.live.write().unwrap().retain(|url| *url != old_url);
        tokio::time::sleep(down).await;
        let fresh = Instance::start(&self.app.settings, &self.app.browser).await;
        let url = fresh.url.clone();
        self.instances.lock().unwrap()[slot] = fresh;
        self.live.write().unwrap().push(url);
    }

    /// Stops PostgreSQL (fast shutdown: connections cut), leaves it down for `down`, starts
    /// it again.
    pub async fn restart_postgres(self: &Arc<Self>, down: Duration) {
        let cluster = Arc::clone(self);
        tokio::task::spawn_blocking(move || cluster.postgres.stop())
            .await
            .unwrap();
        tokio::time::sleep(down).await;
        let cluster = Arc::clone(self);
        tokio::task::spawn_blocking(move || cluster.postgres.start_again())
            .await
            .unwrap();
    }

    /// Resident memory of each instance now, in bytes.
    pub fn rss(&self) -> Vec<u64> {
        self.instances
            .lock()
            .unwrap()
            .iter()
            .map(Instance::rss_bytes)
            .collect()
    }

    pub fn stop(&self) {
        for instance in self.instances.lock().unwrap().iter_mut() {
            instance.kill();
        }
    }
}
