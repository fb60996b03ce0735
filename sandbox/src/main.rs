//! Serves the Bitbucket sandbox on its own, for poking at it with a browser or
//! curl, or for running the studio against a sandbox on a fixed port:
//!
//! ```text
//! cargo run -p sandbox -- --port 3005 --control --consumer-key K \
//!     --consumer-secret S --callback-url http://127.0.0.1:3000/oauth/bitbucket/callback
//! ```
//!
//! `--port N` is short for `--addr 127.0.0.1:N`; `--control` turns on the
//! control API (`/_control/*`), which is off otherwise.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use clap::Parser;

#[derive(Debug, Parser)]
#[command(about = "A stand-in for Bitbucket Cloud (OAuth 2.0 pages and REST API 2.0 subset)")]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "SANDBOX_ADDR", default_value = "127.0.0.1:3005")]
    addr: SocketAddr,
    /// Listen on 127.0.0.1:PORT (instead of --addr).
    #[arg(long, env = "SANDBOX_PORT", conflicts_with = "addr")]
    port: Option<u16>,
    /// Serve the control API (`/_control/…`: reset, faults, latency, clock).
    #[arg(long, env = "SANDBOX_CONTROL")]
    control: bool,
    /// OAuth consumer key the studio is configured with.
    #[arg(long, env = "SANDBOX_CONSUMER_KEY", default_value = "sandbox-key")]
    consumer_key: String,
    /// OAuth consumer secret the studio is configured with.
    #[arg(
        long,
        env = "SANDBOX_CONSUMER_SECRET",
        default_value = "sandbox-secret"
    )]
    consumer_secret: String,
    /// The consumer's callback URL.
    #[arg(
        long,
        env = "SANDBOX_CALLBACK_URL",
        default_value = "http://127.0.0.1:3000/oauth/bitbucket/callback"
    )]
    callback_url: String,
    /// Name shown on the consent page.
    #[arg(long, default_value = "Pipeline Studio (dev)")]
    consumer_name: String,
    /// Consumer scopes, comma separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "account,repository:write"
    )]
    scopes: Vec<String>,
    /// Refuse authorize requests without a PKCE code_challenge.
    #[arg(long)]
    require_pkce: bool,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let consumer = sandbox::Consumer {
        key: args.consumer_key,
        secret: args.consumer_secret,
        name: args.consumer_name,
        callback_url: args.callback_url,
        scopes: args.scopes,
    };
    let addr = match args.port {
        Some(port) => SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
        None => args.addr,
    };
    let running = sandbox::spawn_at(addr, vec![consumer], args.require_pkce).await?;
    let sb = &running.sandbox;
    sb.enable_control(args.control);
    tracing::info!(base_url = %running.url, "Bitbucket sandbox listening");
    tracing::info!(url = %sb.authorize_url(), "authorize");
    tracing::info!(url = %sb.token_url(), "token");
    tracing::info!(url = %sb.api_url(), "REST API 2.0");
    tracing::info!(url = %sb.app_authorizations_url(), "App authorizations");
    if args.control {
        tracing::info!(url = %format!("{}/_control/stats", running.url), "control API");
    } else {
        tracing::info!("control API off (start with --control to enable it)");
    }
    tokio::signal::ctrl_c().await?;
    tracing::info!("shutting down");
    running.shutdown().await;
    Ok(())
}
