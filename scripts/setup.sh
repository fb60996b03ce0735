#!/usr/bin/env bash
# Installs what building and testing need, skipping whatever is already in place, so a second
# run is quick and quiet. `--browser` also installs Debian's Chromium for the Playwright suite.
#
# Everything comes from the package registries (crates.io, npm, Debian): nothing here downloads
# a prebuilt binary, which this project's machines cannot fetch.
set -euo pipefail
cd "$(dirname "$0")/.."

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

# 2. npm packages: the end-to-end suite's (Playwright, axe-core) and the release front end's
#    tools (binaryen's wasm-opt, esbuild), which the workspace's `site` crate runs. No Rust tool
#    is installed: `site` builds the front end with wasm-bindgen's and wasm-split's libraries,
#    compiled with the workspace (README, "Set-up").
if [ ! -f end2end/node_modules/.package-lock.json ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing the end-to-end suite's npm packages"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# 3. Chromium from Debian (Playwright's own browser download cannot work here).
if $want_browser && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
