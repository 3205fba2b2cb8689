#!/usr/bin/env bash
# Interleaved A/B of a create under load with the worker telling beside it, as `make run` has it:
# gunicorn (2 sync workers) and `manage.py worker` from app tree A or B, on a fresh copy of one
# SQLite bench database per round, wrk POSTing creates at 8 connections (the side by side's
# create.lua). Prints each run's creates/s, p99, the web's and the worker's CPU per create, and
# the medians over the rounds at the end.
#
#   bench/tell_ab.sh A_DIR B_DIR TEMPLATE.sqlite3 META.json [ROUNDS] [SECONDS] [DONE_ROWS]
#
# A_DIR, B_DIR: app trees (e.g. `git archive main | tar -x -C /tmp/a`, .venv linked or not: this
# tree's venv runs both); TEMPLATE: from bench/setup_data.py; DONE_ROWS (default 30000): done
# announcements added to the template first, as a month of an office's creates leaves them
# (ANNOUNCEMENT_RETENTION_DAYS=30).
set -euo pipefail
a=$1 b=$2 template=$3 meta=$4 rounds=${5:-4} seconds=${6:-15} done_rows=${7:-30000}
here=$(cd "$(dirname "$0")/.." && pwd)
lua=$here/../shared/peer-bench/side-by-side/create.lua
work=$(mktemp -d)
trap 'pkill -f "gunicorn.*127.0.0.1:8819" || true; rm -rf "$work"' EXIT
cp "$template" "$work/base.sqlite3"
DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench LOG_LEVEL=WARNING \
    DATABASE_URL="sqlite:///$work/base.sqlite3" "$here/.venv/bin/python" - "$done_rows" <<'PY'
import sys, django
django.setup()
from django.utils import timezone
from propdesk.desk.models import Announcement, WorkOrder
o = WorkOrder.objects.order_by("id").first()
now = timezone.now()
Announcement.objects.bulk_create(
    (Announcement(community_id=o.community_id, event="order_routed", order=o,
                  cause=f"bench-done:{i}", title="bench", created_at=now, done_at=now)
     for i in range(int(sys.argv[1]))), batch_size=2000)
PY
token=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['token'])" "$meta")
community=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['community'])" "$meta")
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo "$t"; }
run() {  # side dir round
    cp "$work/base.sqlite3" "$work/db.sqlite3"; rm -f "$work"/db.sqlite3-{wal,shm}
    local env=(DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench LOG_LEVEL=WARNING
               HEALTH_STALE_MIN_SECONDS=100000000 DATABASE_URL="sqlite:///$work/db.sqlite3")
    (cd "$2" && env "${env[@]}" "$here/.venv/bin/gunicorn" propdesk.wsgi:application \
        --bind 127.0.0.1:8819 --workers 2 --pid "$work/g.pid" --daemon --error-logfile "$work/g.log")
    (cd "$2" && env "${env[@]}" "$here/.venv/bin/python" manage.py worker >"$work/w.log" 2>&1) &
    local wk=$!
    sleep 4
    WRK_AUTH="Token $token" wrk -t1 -c8 -d3s -s "$lua" http://127.0.0.1:8819 -- propdesk "$community" 1 2400 >/dev/null
    local m; m=$(cat "$work/g.pid")
    local web=($m $(pgrep -P "$m")) wpy; wpy=$(pgrep -P "$wk" -f "manage.py worker" || echo "$wk")
    local w0 k0; w0=$(ticks "${web[@]}"); k0=$(ticks $wpy)
    out=$(WRK_AUTH="Token $token" wrk -t1 -c8 -d"${seconds}s" -s "$lua" http://127.0.0.1:8819 -- propdesk "$community" 1 2400)
    sleep 2  # the worker tells the last creates
    local w1 k1; w1=$(ticks "${web[@]}"); k1=$(ticks $wpy)
    kill "$m"; kill "$wk" $wpy 2>/dev/null || true; wait "$wk" 2>/dev/null || true; sleep 1
    python3 - "$1" "$3" "$out" "$((w1 - w0))" "$((k1 - k0))" "$seconds" >>"$work/rows" <<'PY'
import json, re, sys
side, rnd, out, web, worker, secs = sys.argv[1:]
j = json.loads(re.search(r"SBSJSON (\{.*\})", out).group(1))
n = j["codes"].get("201", 0)
p99 = j["lat_p99_ms"]
print(json.dumps({"side": side, "round": int(rnd), "creates": n, "rate": n / float(secs),
                  "p99": p99, "web_cpu": int(web) * 10 / n, "worker_cpu": int(worker) * 10 / n,
                  "load": open("/proc/loadavg").read().split()[0]}))
PY
    tail -n1 "$work/rows"
}
for r in $(seq 1 "$rounds"); do
    if (( r % 2 )); then run A "$a" "$r"; run B "$b" "$r"; else run B "$b" "$r"; run A "$a" "$r"; fi
done
python3 - "$work/rows" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
for key in ("rate", "p99", "web_cpu", "worker_cpu"):
    med = {s: statistics.median(r[key] for r in rows if r["side"] == s and r[key] is not None)
           for s in ("A", "B")}
    print(f"{key:10} A {med['A']:8.2f}  B {med['B']:8.2f}  B/A ×{med['B'] / med['A']:.3f}")
PY
