#!/usr/bin/env bash
# Creates over HTTP with the worker beside the web server, as `make run` has them, for an A/B of
# app trees in interleaved rounds: per round a fresh copy of one SQLite bench database, gunicorn
# with 2 sync workers (the side by side's command line), `manage.py worker` (WITH_WORKER=0: none),
# wrk at 8 connections with the side by side's create.lua (5 s warm-up, 15 s measured). Prints
# per run the 201s per second, p50 / p99, the web's and the worker's CPU ms per create, and how
# long after its create each of the last 5,000 announcements was told (to the start of the tick
# that told it: `done_at` is the tick's `now`), with those still pending 3 s after the load.
#
#   bench/create_worker_ab.sh TEMPLATE.sqlite3 META.json ROUNDS LABEL=APP_DIR [LABEL=APP_DIR …]
#
# APP_DIR: an app tree (`git archive REV | tar -x -C DIR`, with DIR/var/static made); each run
# uses this checkout's .venv. Environment given to the servers passes through (e.g. a knob
# read by a patched tree). PORT (default 8811).
set -euo pipefail
template=$1 meta=$2 rounds=$3
shift 3
here=$(cd "$(dirname "$0")/.." && pwd)
lua="${LUA:-$here/../shared/peer-bench/side-by-side/create.lua}"
port=${PORT:-8811}
work=$(mktemp -d)
trap 'kill $(cat "$work/gunicorn.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo $t; }
run() {  # label app_dir
    local label=$1 app=$2 db="$work/db.sqlite3"
    rm -f "$db" "$db-wal" "$db-shm"; cp "$template" "$db"
    export DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench-not-a-secret DEBUG=0 \
        LOG_LEVEL=WARNING DATABASE_URL="sqlite:///$db" HEALTH_STALE_MIN_SECONDS=100000000
    (cd "$app" && "$here/.venv/bin/gunicorn" propdesk.wsgi:application --chdir "$app" \
        --bind "127.0.0.1:$port" --workers 2 --timeout 300 --graceful-timeout 5 \
        --pid "$work/gunicorn.pid" --error-logfile "$work/gunicorn.log" --daemon)
    for _ in $(seq 60); do curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/" && break; sleep 0.5; done
    local wk=""
    if [[ "${WITH_WORKER:-1}" == 1 ]]; then
        (cd "$app" && exec "$here/.venv/bin/python" manage.py worker >"$work/worker.log" 2>&1) & wk=$!
        sleep 2
    fi
    local c h0 h1
    c=$(jq -r .community "$meta"); h0=$(jq -r '.households[0]' "$meta"); h1=$(jq -r '.households[1]' "$meta")
    export WRK_AUTH="Token $(jq -r .token "$meta")"
    wrk -t1 -c8 -d5s --timeout 60s -s "$lua" "http://127.0.0.1:$port" -- propdesk "$c" "$h0" "$h1" >/dev/null
    local web; web=$(pgrep -P "$(cat "$work/gunicorn.pid")" | tr '\n' ' ')
    # shellcheck disable=SC2086
    local w0 k0=0 w1 k1=0 out; w0=$(ticks $web); [[ -n "$wk" ]] && k0=$(ticks "$wk")
    out=$(wrk -t1 -c8 -d15s --timeout 60s -s "$lua" "http://127.0.0.1:$port" -- propdesk "$c" "$h0" "$h1" | grep SBSJSON | sed 's/SBSJSON //')
    # shellcheck disable=SC2086
    w1=$(ticks $web); [[ -n "$wk" ]] && k1=$(ticks "$wk")
    python3 - "$label" "$out" "$((w1 - w0))" "$((k1 - k0))" "$(getconf CLK_TCK)" <<'PY'
import json, sys
label, out, web, wk, hz = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
n = out["codes"].get("201", 0)
print(f"{label}: {n / out['duration_s']:.1f} creates/s, p50 {out['lat_p50_ms']:.1f} / p99 {out['lat_p99_ms']:.1f} ms, "
      f"web CPU {web * 1000 / hz / n:.2f} ms, worker CPU {wk * 1000 / hz / n:.2f} ms per create, codes {out['codes']}")
PY
    [[ -n "$wk" ]] && { sleep 3; kill "$wk"; wait "$wk" 2>/dev/null || true; }
    kill "$(cat "$work/gunicorn.pid")"; sleep 1.5
    # How long the staff waited to be told: each announcement's created_at to its done_at.
    [[ -n "$wk" ]] && python3 - "$db" <<'PY'
import sqlite3, statistics, sys
from datetime import datetime
con = sqlite3.connect(sys.argv[1])
t = datetime.fromisoformat
pairs = con.execute("SELECT created_at, done_at FROM desk_announcement WHERE id > "
                    "(SELECT max(id) FROM desk_announcement) - 5000").fetchall()
lags = sorted((t(d) - t(c)).total_seconds() * 1000 for c, d in pairs if d)
pending = sum(1 for _c, d in pairs if not d)
if lags:
    print(f"   told after (last {len(pairs)} announcements): p50 {statistics.median(lags):.0f} ms, "
          f"p99 {lags[int(len(lags) * 0.99) - 1]:.0f} ms, max {lags[-1]:.0f} ms; pending {pending}")
PY
    true
}
for r in $(seq 1 "$rounds"); do
    sides=("$@")
    (( r % 2 )) || sides=($(printf '%s\n' "$@" | tac))
    for side in "${sides[@]}"; do run "${side%%=*}" "${side#*=}"; done
done
