#!/usr/bin/env bash
# Interleaved A/B of the create's CPU in one process (bench/inprocess.py): two snapshots of the
# app, alternating round by round (A B, B A, A B, …), each round on a fresh copy of one bench
# database. Prints each run's CPU medians and, at the end, the medians over the rounds.
#
#   bench/create_ab.sh A_DIR B_DIR TEMPLATE.sqlite3 META.json [ROUNDS] [REQUESTS] [ONLY]
#
# A_DIR, B_DIR: app trees (e.g. `git archive main | tar -x -C /tmp/a`); TEMPLATE: a database
# from bench/setup_data.py; ONLY: inprocess.py's --only (default create,intake).
set -euo pipefail
a=$1 b=$2 template=$3 meta=$4 rounds=${5:-4} requests=${6:-150} only=${7:-create,intake}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() {  # side dir round
    cp "$template" "$work/db.sqlite3"
    rm -f "$work/db.sqlite3-wal" "$work/db.sqlite3-shm"
    BENCH_APP_DIR=$2 DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench LOG_LEVEL=WARNING \
        DATABASE_URL="sqlite:///$work/db.sqlite3" "$here/.venv/bin/python" "$here/bench/inprocess.py" \
        --meta "$meta" --out "$work/$1-$3.json" --requests "$requests" --only "$only" 2>/dev/null
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sys.argv[2], sys.argv[3], ' '.join(f\"{r['name']}={r['cpu_median_ms']:.2f}\" for r in d['requests']), 'load', open('/proc/loadavg').read().split()[0])" "$work/$1-$3.json" "$1" "$3"
}
for r in $(seq 1 "$rounds"); do
    if (( r % 2 )); then run A "$a" "$r"; run B "$b" "$r"; else run B "$b" "$r"; run A "$a" "$r"; fi
done
python3 - "$work" <<'EOF'
import glob, json, statistics, sys
per = {}
for path in glob.glob(sys.argv[1] + "/*.json"):
    side = path.rsplit("/", 1)[1].split("-")[0]
    for r in json.load(open(path))["requests"]:
        per.setdefault((r["name"], side), []).append(r["cpu_median_ms"])
for name in sorted({n for n, _ in per}):
    a, b = statistics.median(per[(name, "A")]), statistics.median(per[(name, "B")])
    print(f"{name}: A {a:.2f} ms, B {b:.2f} ms, B/A {b / a:.3f}"
          f"  (A {sorted(per[(name, 'A')])}, B {sorted(per[(name, 'B')])})")
EOF
