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
# `dev` waits until http://127.0.0.1:3000 answers the studio's page, then stops it; `test` runs
# ./scripts/test.sh to its end. Each prints its time; its log, every line stamped with the
# seconds since the command started, shows where the time went.
# It changes the machine as a new one would be (targets, chromium) and leaves them installed.
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-both}
work=$(mktemp -d /tmp/fresh-machine.XXXXXX)
trap 'stop_clone' EXIT

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

# Prefixes every line with the seconds since `$1` (a `date +%s`).
stamped() {
  local since=$1 line
  while IFS= read -r line; do
    printf '[%4d s] %s\n' "$(( $(date +%s) - since ))" "$line"
  done
}

# Stops what a command started in its clone (the development server and its watcher).
stop_clone() {
  local pid
  for pid in $(pgrep -f 'target/debug/(site|server)' || true); do
    case "$(readlink "/proc/$pid/cwd" 2>/dev/null)" in
      "$work"/*) kill "$pid" 2>/dev/null || true ;;
    esac
  done
}

report=()
if [ "$which" = dev ] || [ "$which" = both ]; then
  fresh dev
  started=$(date +%s)
  (cd "$work/dev/studio" && run_fresh dev ./scripts/dev.sh 2>&1 | stamped "$started" >"$work/dev.log") &
  until curl -sf -o /dev/null http://127.0.0.1:3000/ 2>/dev/null; do
    if ! kill -0 $! 2>/dev/null; then echo "dev.sh stopped: see $work/dev.log" >&2; exit 1; fi
    sleep 1
  done
  seconds=$(( $(date +%s) - started ))
  stop_clone
  wait || true
  report+=("./scripts/dev.sh: the studio answered after $seconds s (log: $work/dev.log)")
fi
if [ "$which" = test ] || [ "$which" = both ]; then
  fresh test
  started=$(date +%s)
  if (cd "$work/test/studio" && set -o pipefail && run_fresh test ./scripts/test.sh 2>&1 | stamped "$started" >"$work/test.log"); then
    outcome=passed
  else
    outcome=FAILED
  fi
  seconds=$(( $(date +%s) - started ))
  report+=("./scripts/test.sh: $outcome after $seconds s (log: $work/test.log)")
fi
printf '\n== fresh machine ==\n'
printf '%s\n' "${report[@]}"
