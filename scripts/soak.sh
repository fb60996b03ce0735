#!/usr/bin/env bash
# The soak (README, "Soak"): simulated users and injected faults against two release server
# instances on one PostgreSQL cluster of its own, for a bounded time; then a report, written
# to BENCHMARKS.md (figure 7). Loopback only; it stops by itself.
#
#   ./scripts/soak.sh          10 minutes (plus about a minute to start and check)
#   ./scripts/soak.sh 1        the quick form
#   SOAK_USERS=16 SOAK_LATENCY_MS=50 ./scripts/soak.sh 5
#   SOAK_WRITE=0 ./scripts/soak.sh 1   print the report only
#
# Needs PostgreSQL's binaries (initdb, pg_ctl under /usr/lib/postgresql); the machine's
# PostgreSQL server is not used.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-${SOAK_MINUTES:-10}}
case "$minutes" in
  ''|*[!0-9]*) echo "usage: $0 [minutes]  (a whole number, 1 to 120)" >&2; exit 2 ;;
esac
echo "[soak] building the release server and the soak"
cargo bench --quiet --no-run -p server --bench soak
SOAK_MINUTES="$minutes" cargo bench --quiet -p server --bench soak
