#!/usr/bin/env bash
# The benchmark (README, "Benchmarks"): builds the release front end and server, then measures
# the repository picker at scale, the front end's weight and first load, server throughput,
# a refresh stampede, memory, and the Bitbucket calls of one wizard run. Prints a table per
# figure and writes BENCHMARKS.md (with BENCH_ONLY, only those figures are replaced).
#
#   ./scripts/bench.sh                      every figure, 5 runs each (about 15 minutes)
#   BENCH_RUNS=3 BENCH_ONLY=throughput ./scripts/bench.sh
#   BENCH_ONLY=flood ./scripts/bench.sh     figure 8 alone: no front end, browser or wrk needed
#
# Needs what the tests need (PostgreSQL at TEST_POSTGRES_URL, Chromium), plus Debian's wrk.
set -euo pipefail
cd "$(dirname "$0")/.."

# Figures that need no front end, browser or wrk: BENCH_ONLY naming only these skips them.
without_site=",flood,branches,"
needs_site=1
if [ -n "${BENCH_ONLY:-}" ]; then
  needs_site=0
  for figure in ${BENCH_ONLY//,/ }; do
    [[ "$without_site" == *",$figure,"* ]] || needs_site=1
  done
fi
if [ "$needs_site" = 0 ]; then
  echo "[bench] building the release server and the benchmark"
  cargo bench --no-run -p server --bench studio
  exec cargo bench -p server --bench studio
fi

./scripts/setup.sh --browser

if ! command -v wrk >/dev/null; then
  echo "[bench] installing Debian's wrk"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

if ! command -v twiggy >/dev/null; then
  echo "[bench] installing twiggy (what the wasm is made of; about 2 minutes, once)"
  cargo install --quiet --locked twiggy
fi

if [ -z "${BENCH_ONLY:-}" ] || [[ ",$BENCH_ONLY," == *",frontend,"* ]]; then
  # Figure 2a compares the release front end with two variants of the same source.
  echo "[bench] building variants of the front end: opt-level s, no erase_components"
  CARGO_PROFILE_WASM_RELEASE_OPT_LEVEL=s ./scripts/build-release-site.sh target/release-site-opt-s >/dev/null
  STUDIO_WASM_RUSTFLAGS=" " ./scripts/build-release-site.sh target/release-site-no-erase >/dev/null
fi
# Last, so the split build's intermediate files (figure 2c reads them) are the real one's.
echo "[bench] building the release front end (target/release-site)"
./scripts/build-release-site.sh
echo "[bench] building the release server and the benchmark"
cargo bench --no-run -p server --bench studio
cargo bench -p server --bench studio
