#!/usr/bin/env bash
# Runs every check and test: formatting, clippy, the Rust unit and integration tests (the
# server's suite on SQLite and on PostgreSQL), then the Playwright suite in Chromium against the
# real server and its built-in Bitbucket sandbox, serving the release front end, and last the
# soak's 1-minute form (two release instances, simulated users, injected faults).
#
# PostgreSQL: TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) must let
# the tests create databases; each test makes its own.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --browser

step() { printf '\n==> %s\n' "$*"; }
started=$(date +%s)

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "build the release front end, split by route, into target/release-site"
# What production serves (README, "Production build"): `cargo leptos build --release --split`
# and hashed names. Front end only: `cargo test --workspace` below builds target/debug/server
# with the workspace's unified features; letting cargo-leptos build it too would compile every
# dependency twice.
./scripts/build-release-site.sh

step "the conventional cargo leptos build --release works too (front end, no split, no download)"
LEPTOS_SITE_ROOT=target/conventional-site cargo leptos build --release --frontend-only
test -s target/conventional-site/pkg/studio.wasm

step "Rust tests (this also builds target/debug/server, which Playwright runs)"
cargo test --workspace

step "Playwright end-to-end tests (Chromium) on the release front end"
(cd end2end && E2E_SITE_ROOT=../target/release-site npx playwright test)

step "the bitbucket.org spec (skipped without a consumer and a test account: README)"
(cd end2end && npx playwright test --config real-bitbucket.config.ts)

step "the soak, in its 1-minute form (README, \"Soak\"): users and faults on two release instances"
SOAK_WRITE=0 ./scripts/soak.sh 1

step "all checks passed in $(( $(date +%s) - started )) s"
