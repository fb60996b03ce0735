//! The studio's project-creation wizard: a Leptos client-side-rendered single-page app.
//!
//! The app talks only to the studio server (same origin, session cookie it never sees) and
//! only through the typed contract in the `api` crate, so a renamed field or route fails to
//! compile here as well as on the server. Bitbucket itself is never called from the browser:
//! authorization is a full-page navigation to the server's OAuth start route, and repository
//! lists come through the server's narrow proxy.
//!
//! Layout of the crate:
//! - [`client`]: one async function per server endpoint, over gloo-net.
//! - [`links`] and [`return_to`]: every URL the app builds or accepts, as plain, tested functions.
//! - [`providers`]: how the app names each Git provider (Bitbucket Cloud, Data Center).
//! - [`context`]: state shared by all pages (who is signed in, what the server offers).
//! - [`components`]: the layout, the sign-in guard and the pieces several pages reuse.
//! - [`draft`]: drafts kept in the browser at once and on the server when it can be, and the
//!   wizard's own draft: resume, prefill, update.
//! - [`tasks`]: where async work runs: tied to the page that started it, so no answer that
//!   arrives after the page is gone can touch its state.
//! - [`time`]: how times are shown (UTC, tested natively).
//! - [`pages`]: one file per page; the wizard has one file per step in `pages/wizard/`.
//! - [`routes`]: the route table; [`lazy_pages`]: the pages loaded on demand (a wasm chunk
//!   each in a split build); [`app`]: the root component.
//!
//! Only [`start`] is tied to the browser build (`csr` feature); everything else compiles
//! natively too, so `cargo test` runs the unit tests of the pure logic on the host.

pub mod app;
pub mod client;
pub mod components;
pub mod context;
pub mod draft;
pub mod lazy_pages;
pub mod links;
pub mod pages;
pub mod providers;
pub mod return_to;
pub mod routes;
pub mod tasks;
pub mod time;

pub use app::App;

/// Entry point called by the wasm-bindgen glue once the module is loaded.
#[cfg(feature = "csr")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// Room for the split build to rearrange read-only data. `wasm_split` regroups each data
/// segment's symbols by the chunk that uses them, aligning each; when that regrouping comes
/// out longer than the segment was, it keeps the whole segment in the first download
/// (wasm_split_cli_support's `emit.rs`, "Overlong segment"), which once put 31 KB of every
/// chunk's strings there. These bytes belong to no chunk, so the regrouping may use their
/// room; they cost nothing compressed.
#[cfg(wasm_split)]
#[used]
static SPLIT_SLACK: [u8; 4096] = [0x5a; 4096];
