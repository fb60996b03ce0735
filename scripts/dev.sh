#!/usr/bin/env bash
# Runs the studio for development on http://127.0.0.1:3000: sandboxed Bitbucket, SQLite in
# data/, rebuilt and reloaded on every change. Set BITBUCKET_CLIENT_ID and friends (README) to
# use bitbucket.org instead.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# The built-in sandboxes, unless a real provider is configured (the server refuses both).
if [ -z "${BITBUCKET_CLIENT_ID:-}${BITBUCKET_DC_URL:-}" ]; then
  export SANDBOX="${SANDBOX:-true}"
fi
# The workspace's `site` tool builds the front end, builds and starts the server with its
# built-in sandboxes (the `sandbox` cargo feature, off in the production build: README,
# "Production build"), and rebuilds either when its sources change (site/src/watch.rs).
cargo build --quiet --package site
exec target/debug/site watch
