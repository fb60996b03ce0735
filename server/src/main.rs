//! `server`: run Pipeline Studio. `server --help` lists every setting and its environment variable.

use clap::Parser;
use server::{Application, Args};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    server::allocator::return_large_blocks();
    let args = Args::parse();
    server::telemetry::logs::init(args.log_format);
    let reencrypt = args.reencrypt_tokens;
    let settings = match args.into_settings() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("error: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    if reencrypt {
        return reencrypt_tokens(&settings).await;
    }
    let real_bitbucket = settings
        .providers
        .bitbucket_cloud
        .as_ref()
        .map(|b| (b.client_id.clone(), b.api_url.clone()));
    let database = settings
        .database_url
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(error) => {
            eprintln!("error: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match real_bitbucket {
        Some((client_id, api_url)) => {
            tracing::info!(%client_id, %api_url, "Bitbucket Cloud: using the configured OAuth consumer")
        }
        #[cfg(feature = "sandbox")]
        None if app.sandbox().is_some() => tracing::warn!(
            sandbox = %format!("{}{}", app.public_url(), server::sandboxes::SANDBOX_MOUNT),
            "no BITBUCKET_CLIENT_ID: Bitbucket is the built-in SANDBOX (simulated accounts and repositories)"
        ),
        None => {}
    }
    tracing::info!(url = %app.public_url(), database = %redact_password(&database), "Pipeline Studio is listening");
    if let Err(error) = app.run_until_stopped().await {
        eprintln!("error: {error}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

/// `server --reencrypt-tokens`: see [`server::maintenance`].
async fn reencrypt_tokens(settings: &server::Settings) -> std::process::ExitCode {
    let outcome = async {
        let cipher = server::crypto::TokenCipher::from_settings(&settings.token_keys)?;
        let db = server::store::Db::connect(&settings.database_url).await?;
        let report = server::maintenance::reencrypt_tokens(&db, &cipher).await?;
        db.close().await;
        Ok::<_, Box<dyn std::error::Error>>((report, cipher.current_key_id().to_owned()))
    };
    match outcome.await {
        Ok((report, key)) => {
            println!(
                "re-encrypted under key {key}: {} rewritten, {} already current, {} refreshed meanwhile",
                report.rewritten, report.current, report.changed_meanwhile
            );
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`
fn redact_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
