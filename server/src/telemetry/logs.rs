//! Logs on stderr, as text for people (the default) or as one JSON object per line for a log
//! pipeline (`LOG_FORMAT=json`). `RUST_LOG` overrides the default level.
//!
//! Every line logged while a request is handled carries that request's id: the request span
//! ([`crate::startup`]) holds it, and the JSON lines put the current span's fields beside the
//! event's own.

use tracing::Subscriber;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{EnvFilter, Layer};

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `fields` (the message and
    /// the event's fields), `span` (the request's `request_id`, `method`, `route`, `path`).
    Json,
}

/// What is logged unless `RUST_LOG` says otherwise.
pub const DEFAULT_FILTER: &str = "info,tower_http=warn,sqlx=warn";

/// Installs the process-wide subscriber (once; later calls do nothing).
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let subscriber =
        tracing_subscriber::registry()
            .with(filter)
            .with(layer(format, std::io::stderr, ansi));
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// The formatting layer [`init`] installs, writing to `writer`: tests capture the very
/// formats production writes.
pub fn layer<S, W>(format: LogFormat, writer: W, ansi: bool) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let layer = tracing_subscriber::fmt::layer().with_writer(writer);
    match format {
        LogFormat::Text => layer.with_ansi(ansi).boxed(),
        LogFormat::Json => layer
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
    }
}
