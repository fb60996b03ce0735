#!/usr/bin/env bash
# Runs every check and test: formatting, clippy, the Rust unit and integration tests (the
# server's suite on SQLite and on PostgreSQL), then the Playwright suite in Chromium against the
# real server and its built-in Bitbucket sandbox, serving the release front end, and last the
# soak's 1-minute form (two release instances, simulated users, injected faults). After the
# Rust tests, the production server (release, without the `sandbox` feature) is built and
# checked to hold no sandbox and to refuse sandbox mode.
#
# PostgreSQL: TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) must let
# the tests create databases; each test makes its own.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --browser

started=$(date +%s)
# Each step says when it began, so a slow one shows (CI must stay under 40 minutes).
step() { printf '\n==> %s (at %d s)\n' "$*" "$(( $(date +%s) - started ))"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "build the release front end, split by route, into target/release-site"
# What production serves (README, "Production build"): the front end split by route, with
# hashed names. `cargo test --workspace` below builds target/debug/server.
./scripts/build-release-site.sh

step "Rust tests (this also builds target/debug/server, which Playwright runs)"
cargo test --workspace

step "the production server holds no sandbox (release build without the \`sandbox\` feature)"
# Built as README's "Production build" builds it. Markers: the sandboxes' mount path, and a
# route of the sandbox crate's control API; the tests' server (target/debug/server, built with
# the feature) must hold both, so the check can fail.
production_started=$(date +%s)
cargo build --release --quiet -p server
production=target/release/server
for marker in /_sandbox/bitbucket _control/advance-clock; do
  if ! grep -qaF -- "$marker" target/debug/server; then
    echo "the sandboxed test server lacks the marker $marker: the check below would prove nothing" >&2
    exit 1
  fi
  if grep -qaF -- "$marker" "$production"; then
    echo "the production server holds sandbox code: $production contains $marker" >&2
    exit 1
  fi
done
production_data=$(mktemp -d)
set +e
refused=$(env -i PATH="$PATH" SANDBOX=true LEPTOS_SITE_ADDR=127.0.0.1:0 \
  DATABASE_URL="sqlite://$production_data/studio.db" TOKEN_KEY_FILE="$production_data/token.key" \
  timeout 30 "$production" 2>&1 >/dev/null)
status=$?
set -e
rm -rf "$production_data"
if [ "$status" -ne 2 ] || [[ "$refused" != *"built without the built-in sandboxes"* ]]; then
  echo "SANDBOX=true on the production server: exit $status (want 2, a configuration error): $refused" >&2
  exit 1
fi
echo "no sandbox in $production, and SANDBOX=true is refused ($(( $(date +%s) - production_started )) s)"

step "Playwright end-to-end tests (Chromium) on the release front end"
(cd end2end && E2E_SITE_ROOT=../target/release-site npx playwright test)

step "the bitbucket.org spec (skipped without a consumer and a test account: README)"
(cd end2end && npx playwright test --config real-bitbucket.config.ts)

step "the soak, in its 1-minute form (README, \"Soak\"): users and faults on two release instances"
SOAK_WRITE=0 ./scripts/soak.sh 1

step "all checks passed in $(( $(date +%s) - started )) s"
