#!/usr/bin/env bash
# Property-based run of the studio's whole HTTP API against a live server: schemathesis (from
# PyPI) reads /api/openapi.json and sends generated and mutated requests to every operation,
# checking each answer against the document (status, content type, schema), that nothing
# answers 5xx, that methods an address does not take get 405, and that user A never receives
# user B's data. Bounded in time; loopback only; prints a report.
#
#   ./scripts/schemathesis.sh                    # 100 examples per operation (about 5 minutes)
#   EXAMPLES=300 ./scripts/schemathesis.sh
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_st ./scripts/schemathesis.sh
#
# The server is the debug build in sandbox mode on a fresh SQLite database (or DATABASE_URL),
# with two users prepared as people would (scripts/schemathesis/prepare.py): signed up through
# the mailed link, Bitbucket authorized through the sandbox's consent pages, projects and
# pipelines created. Three passes: signed in as A (all but sign-out and disconnect), signed
# out, then signed in again with sign-out and disconnect included.
set -euo pipefail
cd "$(dirname "$0")/.."

examples=${EXAMPLES:-100}
version=4.32.5
venv=target/schemathesis-venv
report=target/schemathesis-report
say() { printf '[schemathesis] %s\n' "$*"; }

if [ "$("$venv/bin/st" --version 2>/dev/null | awk '{print $3}')" != "$version" ]; then
  say "installing schemathesis $version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

say "building the server, with its sandboxes"
cargo build --quiet -p server --features sandbox

data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  DATABASE_URL="${DATABASE_URL:-sqlite://$data/studio.db}" \
  TOKEN_KEY_FILE="$data/token.key" LEPTOS_SITE_ROOT="$data" \
  SANDBOX=true SIGN_UP_LIMIT_PER_CLIENT=1000000 SIGN_IN_LIMIT_PER_CLIENT=1000000 \
  PASSWORD_HASH_QUEUE_PER_CLIENT=32 RUST_LOG=warn \
  ./target/debug/server >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -sf "$url/healthz" >/dev/null && break
  sleep 0.1
done

say "preparing two users on $url"
prepared=$("$venv/bin/python" scripts/schemathesis/prepare.py "$url")
cookie=$(printf '%s' "$prepared" | python3 -c 'import json,sys; print(json.load(sys.stdin)["cookie"])')
export STUDIO_PREPARED="$prepared"
export SCHEMATHESIS_HOOKS=hooks
export PYTHONPATH="$PWD/scripts/schemathesis"

rm -rf "$report"
status=0
pass() {
  local name=$1
  shift
  say "pass: $name"
  set +e
  "$venv/bin/st" --config-file scripts/schemathesis/schemathesis.toml run "$url/api/openapi.json" \
    --checks all --max-examples "$examples" --seed 1 --no-color \
    --report junit,ndjson --report-dir "$report/$name" "$@" >"$report-$name.log" 2>&1
  local code=$?
  set -e
  [ $code -eq 0 ] || status=1
  tail -n 25 "$report-$name.log" | sed -n '/SUMMARY/,$p'
}
mkdir -p "$(dirname "$report")"
pass signed-in -H "Cookie: __Host-studio_session=$cookie" \
  --exclude-path /api/auth/sign-out --exclude-operation-id disconnect
pass signed-out
pass sign-out-and-disconnect -H "Cookie: __Host-studio_session=$cookie" \
  --include-path /api/auth/sign-out --include-operation-id disconnect --include-path /api/me

crashed=$(grep -ciE 'panicked|overflowed its stack' "$data/server.log" || true)
kill -0 "$server" 2>/dev/null && alive=yes || alive=NO
printf '\n== schemathesis report (%s examples per operation, seed 1, %s) ==\n' "$examples" "$(date -u +%Y-%m-%d)"
python3 - "$report" "$examples" <<'PY'
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
for run in sorted(p for p in root.iterdir() if p.is_dir()):
    cases = failures = 0
    operations = {}
    for file in run.glob("*.ndjson"):
        for line in file.read_text().splitlines():
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if finished and finished.get("recorder"):
                label = finished["recorder"].get("label", "?")
                n = len(finished["recorder"].get("cases", {}))
                operations[label] = operations.get(label, 0) + n
                cases += n
            if "EngineFinished" in event:
                pass
    for file in run.glob("*.xml"):
        text = file.read_text()
        failures += text.count("<failure")
    varied = [n for label, n in operations.items() if label != "Stateful tests"]
    few = sorted(label for label, n in operations.items() if n < int(sys.argv[2]) and label != "Stateful tests")
    print(f"{run.name:26} {len(varied):3} operations  {cases:6} requests  failures {failures}")
    if few:
        print(f"{'':26} fewer than {sys.argv[2]} requests (nothing to vary, no parameters or body): {', '.join(few)}")
PY
printf 'server: %s panics in its log, still running: %s\n' "$crashed" "$alive"
printf 'logs: %s-*.log, reports: %s/\n' "$report" "$report"
[ "$crashed" = 0 ] && [ "$alive" = yes ] || status=1
exit $status
