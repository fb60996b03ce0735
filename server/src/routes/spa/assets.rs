//! The front end's bundle names and how long browsers may keep them.
//!
//! A release build (`scripts/build-release-site.sh`) names its JS, wasm and CSS after their
//! content (`studio.<hash>.wasm`) and lists the names in `pkg/assets.json`. A hashed name never
//! changes meaning, so it is cached for a year and marked `immutable`: a returning browser
//! asks for nothing but the shell. A development build (`site watch`, scripts/dev.sh) keeps
//! the plain names (`studio.wasm`), which change under the same name, so those are
//! `no-cache`: always revalidated.
//!
//! A split build also lists its wasm chunks (hashed too, immutable) and their loader, whose
//! name is fixed (the main module imports it by name), so it is revalidated like a plain name.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use serde::Deserialize;

/// The manifest a release build writes next to its bundles.
pub const MANIFEST: &str = "assets.json";

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// The file names (inside the pkg folder) of the app's three bundles.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Bundles {
    pub js: String,
    pub wasm: String,
    pub css: String,
    /// A split build's chunk loader, which `js` imports at start-up.
    #[serde(default)]
    pub loader: Option<String>,
    /// A split build's wasm chunks, fetched when a page needs them.
    #[serde(default)]
    pub chunks: Vec<String>,
}

impl Bundles {
    /// The names in `pkg_dir/assets.json` if a release build wrote one, else the plain
    /// names a development build gives (`{output_name}.js`, …).
    pub fn find(pkg_dir: &Path, output_name: &str) -> (Bundles, CachePolicy) {
        let manifest = pkg_dir.join(MANIFEST);
        match std::fs::read(&manifest) {
            Ok(bytes) => match serde_json::from_slice::<Bundles>(&bytes) {
                Ok(bundles) => {
                    let hashed = [&bundles.js, &bundles.wasm, &bundles.css];
                    let policy = CachePolicy::immutable(hashed.into_iter().chain(&bundles.chunks));
                    (bundles, policy)
                }
                Err(error) => {
                    tracing::error!(%error, path = %manifest.display(), "ignoring an unreadable asset manifest");
                    Self::plain(output_name)
                }
            },
            Err(_) => Self::plain(output_name),
        }
    }

    fn plain(output_name: &str) -> (Bundles, CachePolicy) {
        let bundles = Bundles {
            js: format!("{output_name}.js"),
            wasm: format!("{output_name}.wasm"),
            css: format!("{output_name}.css"),
            loader: None,
            chunks: Vec::new(),
        };
        (bundles, CachePolicy::default())
    }
}

/// Which files under the pkg folder are content-hashed, hence cacheable for good.
#[derive(Clone, Debug, Default)]
pub struct CachePolicy {
    immutable: Arc<HashSet<String>>,
}

impl CachePolicy {
    fn immutable<'a>(names: impl IntoIterator<Item = &'a String>) -> Self {
        CachePolicy {
            immutable: Arc::new(names.into_iter().cloned().collect()),
        }
    }

    /// The `Cache-Control` for a request path under the pkg folder.
    pub fn for_path(&self, path: &str) -> HeaderValue {
        let name = path.rsplit('/').next().unwrap_or_default();
        if self.immutable.contains(name) {
            IMMUTABLE
        } else {
            REVALIDATE
        }
    }

    /// Middleware for the pkg folder's service: sets `Cache-Control` on what it serves, and
    /// `Vary: Accept-Encoding`, since the same URL answers brotli, gzip or raw bytes.
    pub async fn apply(self, request: Request, next: Next) -> Response {
        let value = self.for_path(request.uri().path());
        let mut response = next.run(request).await;
        if response.status().is_success() || response.status().is_redirection() {
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, value);
            let varies = headers.get_all(header::VARY).iter().any(|v| {
                v.to_str()
                    .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
            });
            if !varies {
                headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_manifest_names_the_bundles_and_makes_only_them_immutable() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(MANIFEST),
            r#"{"js":"studio.0123.js","wasm":"studio.4567.wasm","css":"studio.89ab.css"}"#,
        )
        .unwrap();
        let (bundles, policy) = Bundles::find(dir.path(), "studio");
        assert_eq!(bundles.wasm, "studio.4567.wasm");
        assert_eq!(policy.for_path("/pkg/studio.4567.wasm"), IMMUTABLE);
        assert_eq!(policy.for_path("/pkg/studio.0123.js"), IMMUTABLE);
        assert_eq!(policy.for_path("/pkg/snippets/x/inline0.js"), REVALIDATE);
        assert_eq!(policy.for_path("/pkg/studio.wasm"), REVALIDATE);
    }

    #[test]
    fn a_split_build_s_chunks_are_immutable_and_its_loader_revalidated() {
        let dir = tempfile::tempdir().unwrap();
        let loader = format!("__wasm_split.{}.js", "_".repeat(22));
        std::fs::write(
            dir.path().join(MANIFEST),
            format!(
                r#"{{"js":"studio.0123.js","wasm":"studio.4567.wasm","css":"studio.89ab.css","loader":"{loader}","chunks":["chunk_0.aa.wasm","split_project_view_1.bb.wasm"]}}"#
            ),
        )
        .unwrap();
        let (bundles, policy) = Bundles::find(dir.path(), "studio");
        assert_eq!(bundles.loader.as_deref(), Some(loader.as_str()));
        assert_eq!(policy.for_path("/pkg/chunk_0.aa.wasm"), IMMUTABLE);
        assert_eq!(
            policy.for_path("/pkg/split_project_view_1.bb.wasm"),
            IMMUTABLE
        );
        assert_eq!(policy.for_path(&format!("/pkg/{loader}")), REVALIDATE);
    }

    #[test]
    fn without_a_manifest_the_plain_names_are_always_revalidated() {
        let dir = tempfile::tempdir().unwrap();
        let (bundles, policy) = Bundles::find(dir.path(), "studio");
        assert_eq!(
            bundles,
            Bundles {
                js: "studio.js".into(),
                wasm: "studio.wasm".into(),
                css: "studio.css".into(),
                loader: None,
                chunks: Vec::new(),
            }
        );
        assert_eq!(policy.for_path("/pkg/studio.wasm"), REVALIDATE);
    }

    #[test]
    fn a_broken_manifest_falls_back_to_the_plain_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MANIFEST), "{").unwrap();
        let (bundles, _) = Bundles::find(dir.path(), "studio");
        assert_eq!(bundles.js, "studio.js");
    }
}
