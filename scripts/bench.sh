#!/usr/bin/env bash
# The benchmark (README, "Benchmarks"): builds the release front end and server, then measures
# the repository picker at scale, the front end's weight and first load, server throughput,
# a refresh stampede, memory, and the Bitbucket calls of one wizard run. Prints a table per
# figure and writes BENCHMARKS.md (with BENCH_ONLY, only those figures are replaced).
#
#   ./scripts/bench.sh                      every figure, 5 runs each (about 15 minutes)
#   BENCH_RUNS=3 BENCH_ONLY=throughput ./scripts/bench.sh
#
# Needs what the tests need (PostgreSQL at TEST_POSTGRES_URL, Chromium), plus Debian's wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --browser

if ! command -v wrk >/dev/null; then
  echo "[bench] installing Debian's wrk"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

echo "[bench] building the release front end (target/release-site)"
./scripts/build-release-site.sh
echo "[bench] building the release server and the benchmark"
cargo bench --no-run -p server --bench studio
cargo bench -p server --bench studio
