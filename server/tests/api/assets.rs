//! The front end's bundles: a release build's hashed names reach the shell, precompressed
//! copies are sent to browsers that accept them, and only hashed names are cached for good.

use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use std::path::Path;

use crate::helpers::{spawn_app_with, Engine, Options, TestApp};

const JS: &str = "studio.0123456789abcdef.js";
const WASM: &str = "studio.fedcba9876543210.wasm";
const CSS: &str = "studio.00112233aabbccdd.css";

/// A site root as `scripts/build-release-site.sh` leaves it (contents made up, but each
/// compressed copy told apart from the raw file by its bytes).
fn release_site(root: &Path) {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        pkg.join("assets.json"),
        format!(r#"{{"js":"{JS}","wasm":"{WASM}","css":"{CSS}"}}"#),
    )
    .unwrap();
    for name in [JS, WASM, CSS] {
        std::fs::write(pkg.join(name), format!("raw {name}")).unwrap();
        std::fs::write(pkg.join(format!("{name}.br")), format!("br {name}")).unwrap();
        std::fs::write(pkg.join(format!("{name}.gz")), format!("gz {name}")).unwrap();
    }
}

/// A server whose front end is the site at `root`.
async fn serving(engine: Engine, root: &Path) -> TestApp {
    spawn_app_with(
        engine,
        Options {
            site_root: Some(root.to_owned()),
            ..Options::default()
        },
    )
    .await
}

async fn release_build_is_served_precompressed_and_cached_for_good(engine: Engine) {
    let site = tempfile::tempdir().unwrap();
    release_site(site.path());
    let app = serving(engine, site.path()).await;
    let http = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();

    let shell = http
        .get(format!("{}/projects/new", app.url))
        .send()
        .await
        .unwrap();
    let html = shell.text().await.unwrap();
    assert!(html.contains(&format!(r#"href="/pkg/{CSS}""#)), "{html}");
    assert!(html.contains(&format!(r#"<link rel="modulepreload" href="/pkg/{JS}">"#)));
    assert!(html.contains(&format!(
        r#"<link rel="preload" href="/pkg/{WASM}" as="fetch""#
    )));
    let boot = http
        .get(format!("{}/boot.js", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(boot.headers()[CACHE_CONTROL], "no-cache");
    let boot = boot.text().await.unwrap();
    assert!(boot.contains(&format!("/pkg/{JS}")) && boot.contains(&format!("/pkg/{WASM}")));

    let wasm = format!("{}/pkg/{WASM}", app.url);
    for (accepts, encoding, body) in [
        ("br, gzip", Some("br"), format!("br {WASM}")),
        ("gzip", Some("gzip"), format!("gz {WASM}")),
        ("identity", None, format!("raw {WASM}")),
    ] {
        let response = http
            .get(&wasm)
            .header(ACCEPT_ENCODING, accepts)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(
            headers.get(CONTENT_ENCODING).map(|v| v.to_str().unwrap()),
            encoding,
            "Accept-Encoding: {accepts}"
        );
        assert_eq!(headers[CONTENT_TYPE], "application/wasm");
        assert_eq!(
            headers[CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert!(headers[VARY]
            .to_str()
            .unwrap()
            .to_lowercase()
            .contains("accept-encoding"));
        assert_eq!(response.text().await.unwrap(), body);
    }

    // Any other file under /pkg keeps its name across builds: always revalidated.
    std::fs::write(site.path().join("pkg/assets.json.txt"), "x").unwrap();
    let other = http
        .get(format!("{}/pkg/assets.json.txt", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(other.headers()[CACHE_CONTROL], "no-cache");
}

/// A site root as `site watch` leaves it: plain names, with `file` under `pkg/` holding
/// `contents`.
fn development_site(file: &str, contents: &str) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg").join(file), contents).unwrap();
    site
}

/// The HTML shell the server answers with.
async fn shell_of(app: &TestApp) -> String {
    reqwest::get(format!("{}/", app.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn development_build_keeps_plain_names_and_revalidates(engine: Engine) {
    let site = development_site("studio.wasm", "dev");
    let app = serving(engine, site.path()).await;
    let html = shell_of(&app).await;
    assert!(
        html.contains(r#"<link rel="modulepreload" href="/pkg/studio.js">"#),
        "{html}"
    );
    let wasm = reqwest::get(format!("{}/pkg/studio.wasm", app.url))
        .await
        .unwrap();
    assert_eq!(wasm.headers()[CACHE_CONTROL], "no-cache");
    assert_eq!(wasm.text().await.unwrap(), "dev");
}

/// Under `site watch` the page reloads itself when a new glue lands: the shell loads the
/// script, the script watches the glue the shell names, and a HEAD of the glue tells its
/// version without downloading it.
async fn development_build_reloads_itself_when_a_new_build_lands(engine: Engine) {
    let site = development_site("studio.js", "export default 1;");
    let watched = spawn_app_with(
        engine,
        Options {
            site_root: Some(site.path().to_owned()),
            live_reload: true,
            ..Options::default()
        },
    )
    .await;
    let html = shell_of(&watched).await;
    assert!(html.contains(r#"<script type="module" src="/live-reload.js">"#));
    let script = reqwest::get(format!("{}/live-reload.js", watched.url))
        .await
        .unwrap();
    assert!(script.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let script = script.text().await.unwrap();
    assert!(
        script.contains("fetch('/pkg/studio.js', { method: 'HEAD'"),
        "{script}"
    );
    let head = reqwest::Client::new()
        .head(format!("{}/pkg/studio.js", watched.url))
        .send()
        .await
        .unwrap();
    assert!(head.headers().contains_key("last-modified"));

    let served = serving(engine, site.path()).await;
    let html = shell_of(&served).await;
    assert!(!html.contains("live-reload"), "{html}");
}

crate::both_engines!(
    release_build_is_served_precompressed_and_cached_for_good,
    development_build_keeps_plain_names_and_revalidates,
    development_build_reloads_itself_when_a_new_build_lands
);
