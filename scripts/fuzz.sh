#!/usr/bin/env bash
# Fuzzes the studio's parsers and rules with cargo fuzz (libFuzzer, nightly), each target for a
# bounded time, then prints a report: runs, speed, corpus size and findings per target.
#
#   ./scripts/fuzz.sh                      # every target, 60 s each
#   FUZZ_SECONDS=300 ./scripts/fuzz.sh yaml_check return_to
#
# Targets (fuzz/fuzz_targets/, properties in fuzz/src/lib.rs): yaml_check, pipeline_path,
# return_to, oauth_callback, draft, provider_answers, github_answers. Inputs that reach new code are added to fuzz/corpus/<target>/
# (kept in the repository). A finding (a failed property, a crash, a stack overflow, an input
# slower than 10 s) is copied to fuzz/regressions/<target>/, which the ordinary test suite runs
# (fuzz/tests/regressions.rs), and the script exits 1. Everything runs in this process:
# no network, no server.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
all_targets=(yaml_check pipeline_path return_to oauth_callback draft provider_answers github_answers)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

say() { printf '[fuzz] %s\n' "$*"; }

# cargo fuzz itself builds on stable; the targets need nightly (sanitizer coverage).
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (a few minutes, once)"
  cargo install --quiet --locked cargo-fuzz
fi
if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly toolchain"
  rustup toolchain install nightly --profile minimal >/dev/null
fi

# Longest input per target: deep YAML needs room, the rest are short strings.
max_len() {
  case "$1" in
    yaml_check) echo 262144 ;;
    draft) echo 65536 ;;
    *) echo 8192 ;;
  esac
}

report=()
found=0
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  artifacts="fuzz/artifacts/$target"
  mkdir -p "$corpus" "$artifacts" "fuzz/regressions/$target"
  before=$(find "$corpus" -type f | wc -l)
  say "$target: ${seconds} s"
  log=$(mktemp)
  set +e
  cargo +nightly fuzz run --features libfuzzer "$target" "$corpus" -- \
    -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
  status=$?
  set -e
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
  after=$(find "$corpus" -type f | wc -l)
  findings=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
  if [ "$status" -ne 0 ] || [ "$findings" -gt 0 ]; then
    found=1
    for file in "$artifacts"/*; do
      [ -f "$file" ] && cp "$file" "fuzz/regressions/$target/"
    done
    say "$target FOUND something (exit $status); the input is in fuzz/regressions/$target/. Log:"
    tail -40 "$log"
  fi
  rate=$(( ${runs:-0} / (seconds > 0 ? seconds : 1) ))
  report+=("$(printf '%-15s %12s runs  %9s/s  corpus %5d -> %5d  findings %d' \
    "$target" "${runs:-?}" "$rate" "$before" "$after" "$findings")")
  rm -f "$log"
done

printf '\n== fuzz report (%s s per target, %s, %s) ==\n' "$seconds" "$(date -u +%Y-%m-%d)" "$(rustc +nightly --version)"
printf '%s\n' "${report[@]}"
if [ "$found" -ne 0 ]; then
  printf 'Findings were copied to fuzz/regressions/: fix them; `cargo test -p studio-fuzz` replays them.\n'
  exit 1
fi
printf 'No findings.\n'
