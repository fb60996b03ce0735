//! Captures every log line the servers under test write, as text and as JSON (all tests of
//! this binary share one global subscriber), so a test can prove that no secret reaches a
//! log in either format (SECURITY.md, rules 35 and 36).
//! `TEST_LOG=1` also prints them.
//!
//! The filter is deliberately more verbose than production's default (`trace` for the server,
//! `debug` for its libraries): a secret that would only show at a verbose level still fails.

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use tracing_subscriber::EnvFilter;

static CAPTURED: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture {
    echo: bool,
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .extend_from_slice(buf);
        if self.echo {
            std::io::stderr().write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capture: every line in both of the server's formats, text and JSON
/// (`LOG_FORMAT=json`), through the server's own layers.
pub fn init() {
    use server::telemetry::logs::layer;
    use server::telemetry::LogFormat;
    use tracing_subscriber::layer::SubscriberExt;
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let echo = std::env::var_os("TEST_LOG").is_some();
        let filter = EnvFilter::new("debug,server=trace,hyper=info,hyper_util=info,h2=info");
        let subscriber = tracing_subscriber::registry()
            .with(filter)
            .with(layer(LogFormat::Text, move || Capture { echo }, false))
            .with(layer(LogFormat::Json, || Capture { echo: false }, false));
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// Everything logged so far by every test in this process.
pub fn captured() -> String {
    let bytes = CAPTURED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    String::from_utf8_lossy(&bytes).into_owned()
}
