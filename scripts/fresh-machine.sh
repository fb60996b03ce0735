#!/usr/bin/env bash
# Times README's two commands as a new machine runs them (BENCHMARKS.md, figure 8):
#
#   ./scripts/fresh-machine.sh [dev|test|both]     (default both; about 30 minutes for both)
#
# Each command runs in a clean clone of HEAD with nothing this project installs:
#   - an empty CARGO_HOME (every crate is downloaded again, no `cargo install`ed tool exists)
#     and an empty npm cache;
#   - a PATH with only the Rust toolchain's own commands (cargo, rustc, rustup, rustfmt,
#     clippy), Node.js and the system's, so a tool installed by hand earlier cannot be used;
#   - no wasm32 target on stable or nightly and no rust-src on nightly (removed with rustup),
#     and no Debian chromium (removed with apt-get): setup.sh must install them again.
# `dev` waits until http://127.0.0.1:3000 answers the studio's page, then stops the server;
# `test` runs ./scripts/test.sh to its end. Each prints its time, and where it went is in its log.
# It changes the machine as a new one would be (targets, chromium) and leaves them installed.
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-both}
work=$(mktemp -d /tmp/fresh-machine.XXXXXX)
trap 'pkill -f "$work/" 2>/dev/null || true' EXIT

bare_path() {
  local bin="$work/bin"
  mkdir -p "$bin"
  for tool in cargo rustc rustup rustfmt cargo-fmt cargo-clippy clippy-driver rustdoc; do
    ln -sf "$(command -v "$tool")" "$bin/$tool"
  done
  echo "$bin:$(dirname "$(command -v node)"):/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

forget_machine_tools() {
  rustup target remove wasm32-unknown-unknown >/dev/null 2>&1 || true
  rustup +nightly target remove wasm32-unknown-unknown >/dev/null 2>&1 || true
  rustup +nightly component remove rust-src >/dev/null 2>&1 || true
  if [ -x /usr/bin/chromium ]; then
    DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq chromium >/dev/null 2>&1 || true
  fi
}

# A clean clone and empty caches for one command, in $work/<name>.
fresh() {
  local name=$1
  git clone --quiet "$PWD" "$work/$name/studio"
  mkdir -p "$work/$name/cargo" "$work/$name/npm"
  forget_machine_tools
}

run_fresh() {
  local name=$1
  shift
  env -i HOME="$HOME" TERM=dumb PATH="$(bare_path)" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" \
    CARGO_HOME="$work/$name/cargo" npm_config_cache="$work/$name/npm" \
    TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}" "$@"
}

report=()
if [ "$which" = dev ] || [ "$which" = both ]; then
  fresh dev
  started=$(date +%s)
  (cd "$work/dev/studio" && run_fresh dev setsid ./scripts/dev.sh >"$work/dev.log" 2>&1) &
  until curl -sf -o /dev/null http://127.0.0.1:3000/ 2>/dev/null; do
    if ! kill -0 $! 2>/dev/null; then echo "dev.sh stopped: see $work/dev.log" >&2; exit 1; fi
    sleep 2
  done
  seconds=$(( $(date +%s) - started ))
  pkill -f "$work/dev/studio/target/debug/site" || true
  pkill -f "$work/dev/studio/target/debug/server" || true
  wait || true
  report+=("./scripts/dev.sh: the studio answered after $seconds s (log: $work/dev.log)")
fi
if [ "$which" = test ] || [ "$which" = both ]; then
  fresh test
  started=$(date +%s)
  if (cd "$work/test/studio" && run_fresh test ./scripts/test.sh >"$work/test.log" 2>&1); then
    outcome=passed
  else
    outcome=FAILED
  fi
  seconds=$(( $(date +%s) - started ))
  report+=("./scripts/test.sh: $outcome after $seconds s (log: $work/test.log)")
fi
printf '\n== fresh machine ==\n'
printf '%s\n' "${report[@]}"
