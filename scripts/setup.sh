#!/usr/bin/env bash
# Installs what building and testing need, skipping whatever is already in place, so a second
# run is quick and quiet. `--browser` also installs Debian's Chromium for the Playwright suite.
#
# Everything comes from the package registries (crates.io, npm, Debian): nothing here downloads
# a prebuilt binary, which this project's machines cannot fetch.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
want_browser=false
[ "${1:-}" = "--browser" ] && want_browser=true

say() { printf '[setup] %s\n' "$*"; }

# 1. The wasm32 target for the front end.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown >/dev/null
fi

# 1b. The nightly toolchain, for the release front end's size flags (build-release-site.sh):
#     the wasm32 target and the standard library's source (build-std) on it. "nightly" is the
#     one the machine has; only a machine without any gets the current one.
if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly toolchain (minimal profile)"
  rustup toolchain install nightly --profile minimal >/dev/null
fi
if ! rustup +nightly target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target to nightly"
  rustup +nightly target add wasm32-unknown-unknown >/dev/null
fi
if ! rustup +nightly component list --installed | grep -q '^rust-src'; then
  say "adding rust-src to nightly (the release front end rebuilds std)"
  rustup +nightly component add rust-src >/dev/null
fi

# 2. wasm-bindgen CLI at exactly the version in Cargo.lock (cargo-leptos uses the one on PATH
#    and fails with a "schema version" error on a mismatch). Not --locked: its lock pins a crate
#    version the registry lacks.
wbg_version=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg_version" ]; then
  say "installing wasm-bindgen-cli $wbg_version (about 3 minutes, once)"
  cargo install --quiet wasm-bindgen-cli --version "$wbg_version"
fi

# 3. cargo-leptos (about 17 minutes on 2 cores, once per machine). 0.3.10 is the newest that
#    builds --locked on Rust 1.95.
if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 17 minutes, once per machine)"
  cargo install --quiet --locked cargo-leptos --version "$CARGO_LEPTOS_VERSION"
fi

# 4. npm packages of the end-to-end suite (Playwright, axe-core, binaryen's wasm-opt).
if [ ! -f end2end/node_modules/.package-lock.json ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing the end-to-end suite's npm packages"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# 5. `cargo leptos build --release` runs wasm-opt, which cargo-leptos looks for on PATH and
#    then in its cache, where it would otherwise download Binaryen's release (which these
#    machines cannot). npm's binaryen (step 4) goes where that download would have gone.
#    version_123 is cargo-leptos 0.3.10's default (LEPTOS_WASM_OPT_VERSION overrides it).
wasm_opt_version=${LEPTOS_WASM_OPT_VERSION:-version_123}
wasm_opt_dir="${XDG_CACHE_HOME:-$HOME/.cache}/cargo-leptos/wasm-opt-$wasm_opt_version/wasm-opt-$wasm_opt_version/binaryen-$wasm_opt_version/bin"
wasm_opt_target="$PWD/end2end/node_modules/binaryen/bin/wasm-opt"
if [ "$(readlink "$wasm_opt_dir/wasm-opt" 2>/dev/null)" != "$wasm_opt_target" ]; then
  say "linking npm's wasm-opt where cargo-leptos looks for it"
  mkdir -p "$wasm_opt_dir"
  ln -sfn "$wasm_opt_target" "$wasm_opt_dir/wasm-opt"
fi

# 6. Chromium from Debian (Playwright's own browser download cannot work here).
if $want_browser && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
