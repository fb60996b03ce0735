#!/usr/bin/env bash
# Runs the studio for development on http://127.0.0.1:3000: sandboxed Bitbucket, SQLite in
# data/, rebuilt and reloaded on every change. Set BITBUCKET_CLIENT_ID and friends (README) to
# use bitbucket.org instead.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec cargo leptos watch
