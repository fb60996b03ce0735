//! Serving the single-page app: the built bundles from the site root (`site build`), and the
//! HTML shell for every client-side route (so deep links and reloads answer 200).
//!
//! The shell is rendered here. Its only script is the external `/boot.js`, because the
//! Content-Security-Policy allows no inline script. Under `site watch` (scripts/dev.sh),
//! `/live-reload.js` reloads the page when a new front end lands.
//!
//! Bundles are served as they lie on disk, with their `.br`/`.gz` copies when the browser
//! accepts them (a release build writes those; see [`assets`] for names and caching).

mod assets;

pub use assets::{Bundles, MANIFEST};

use std::path::PathBuf;

use axum::http::header;
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use tower_http::services::ServeDir;

use super::AppState;
use crate::config::Settings;

/// The built front end, read once at start-up: where its bundles are served from, and their
/// names (a release build's `assets.json`, else the plain names).
pub struct Site {
    /// The bundles' URL path, `/pkg`.
    pkg: String,
    pkg_dir: PathBuf,
    bundles: Bundles,
    cache_policy: assets::CachePolicy,
}

impl Site {
    pub fn find(settings: &Settings) -> Self {
        let pkg = settings.site_pkg_dir.trim_matches('/');
        let pkg_dir = settings.site_root.join(pkg);
        let (bundles, cache_policy) = Bundles::find(&pkg_dir, &settings.output_name);
        Self {
            pkg: format!("/{pkg}"),
            pkg_dir,
            bundles,
            cache_policy,
        }
    }

    /// The href of the app's stylesheet, for the few pages the server draws itself (the
    /// studio's mailbox), so they look like the rest of the studio.
    pub fn stylesheet_href(&self) -> String {
        format!("{}/{}", self.pkg, self.bundles.css)
    }
}

pub fn router(settings: &Settings, site: Site) -> Router<AppState> {
    let Site {
        pkg,
        pkg_dir,
        bundles,
        cache_policy,
    } = site;
    let shell = Html(shell_html(&pkg, &bundles, settings.live_reload));
    let boot = boot_js(&pkg, &bundles);
    let reload = settings
        .live_reload
        .then(|| live_reload_js(&format!("{pkg}/{}", bundles.js)));

    let shell_for_fallback = shell.clone();
    let mut router = Router::new()
        .route(
            "/boot.js",
            get(move || async move { javascript(boot.clone()) }),
        )
        // Unknown API paths are errors, not the app's shell.
        .route("/api/{*rest}", any(api_not_found))
        .nest_service(
            &pkg,
            tower::ServiceBuilder::new()
                .layer(middleware::from_fn(move |request, next| {
                    cache_policy.clone().apply(request, next)
                }))
                .service(
                    ServeDir::new(pkg_dir)
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
        );
    if let Some(reload) = reload {
        router = router.route(
            "/live-reload.js",
            get(move || async move { javascript(reload.clone()) }),
        );
    }
    router.fallback_service(
        ServeDir::new(&settings.site_root)
            .append_index_html_on_directories(false)
            .fallback(get(move || async move { shell_for_fallback.clone() })),
    )
}

async fn api_not_found() -> Response {
    crate::error::AppError::NotFound("That API route".into()).into_response()
}

fn javascript(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// The HTML shell. The wasm is preloaded beside the JS so both download at once, instead of
/// the wasm waiting until the JS has run (`crossorigin`: the glue fetches it in CORS mode, and
/// a preload is reused only when the modes match).
fn shell_html(pkg: &str, bundles: &Bundles, live_reload: bool) -> String {
    let Bundles {
        js,
        wasm,
        css,
        loader,
        ..
    } = bundles;
    // The main module imports the chunk loader: fetch it beside the module, not after it.
    let loader = loader
        .as_ref()
        .map(|loader| format!("\n<link rel=\"modulepreload\" href=\"{pkg}/{loader}\">"))
        .unwrap_or_default();
    let reload = if live_reload {
        r#"<script type="module" src="/live-reload.js"></script>"#
    } else {
        ""
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pipeline Studio</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{pkg}/{css}">
<link rel="modulepreload" href="{pkg}/{js}">{loader}
<link rel="preload" href="{pkg}/{wasm}" as="fetch" type="application/wasm" crossorigin>
<script type="module" src="/boot.js"></script>
{reload}
</head>
<body>
<noscript>Pipeline Studio needs JavaScript and WebAssembly.</noscript>
</body>
</html>
"#
    )
}

/// Starts the app. The app cannot go on after a panic (the wasm aborts) or when a part of it
/// cannot be loaded (a chunk fetched after a new version replaced it, or lost on the way), so
/// the page says so and offers the reload that fixes it, instead of silently stopping.
fn boot_js(pkg: &str, bundles: &Bundles) -> String {
    let Bundles { js, wasm, .. } = bundles;
    format!(
        r#"import init from '{pkg}/{js}';
function stopped() {{
  if (document.getElementById('app-stopped')) return;
  const banner = document.createElement('p');
  banner.id = 'app-stopped';
  banner.className = 'alert app-stopped';
  banner.setAttribute('role', 'alert');
  // A button, not a link: the router would take a click on a link to this very page.
  const reload = document.createElement('button');
  reload.type = 'button';
  reload.className = 'button button-secondary';
  reload.textContent = 'Reload the page';
  reload.addEventListener('click', () => window.location.reload());
  banner.append('The studio stopped working on this page. ', reload, ' to go on.');
  document.body.prepend(banner);
}}
const fatal = (error) =>
  error instanceof WebAssembly.RuntimeError ||
  error instanceof WebAssembly.CompileError ||
  (error instanceof TypeError && /fetch|wasm|import/i.test(error.message));
// A request cut by the network or by a navigation is not a crash. The split build's loader
// starts fetching a page's chunk before the chunks it shares with other pages have arrived and
// handles the answer only once they have; a cut meanwhile would surface as an unhandled
// "Failed to fetch" and stop the app (issue 26, item 9). So every fetch has a handler from the
// start; whoever awaits it still gets its failure.
const fetchAsSent = window.fetch.bind(window);
window.fetch = (...request) => {{
  const sent = fetchAsSent(...request);
  sent.catch(() => {{}});
  return sent;
}};
window.addEventListener('error', (event) => {{ if (fatal(event.error)) stopped(); }});
window.addEventListener('unhandledrejection', (event) => {{ if (fatal(event.reason)) stopped(); }});
init({{ module_or_path: '{pkg}/{wasm}' }});
"#
    )
}

fn live_reload_js(glue: &str) -> String {
    // `site watch` moves a new build's glue into place last (site/src/build.rs), so a changed
    // glue means the whole front end is new. A server that went away (a restart) and came
    // back serves a new build too.
    format!(
        r#"let seen = null;
let away = false;
async function look() {{
  try {{
    const answer = await fetch('{glue}', {{ method: 'HEAD', cache: 'no-store' }});
    const version = answer.headers.get('last-modified') + answer.headers.get('content-length');
    if (away || (seen !== null && version !== seen)) window.location.reload();
    seen = version;
  }} catch {{
    away = true;
  }}
  setTimeout(look, 1000);
}}
look();
"#
    )
}
