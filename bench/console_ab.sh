#!/usr/bin/env bash
# bench/console.py for two trees interleaved in one run: a snapshot of a commit (default main)
# against this work tree, each on its own copy of the same loaded bench database, alternating
# processes, then the median of each side's medians (wall and CPU) per page and the CPU ratio.
#   bench/console_ab.sh bench/out/console-100k.sqlite3            # SQLite, a copy per side
#   PGURL=postgres://…/propdesk_x_bench bench/console_ab.sh       # both sides on one PostgreSQL DB
#   PGURL=… PGURL_BRANCH=postgres://…/propdesk_x_bench_b …       # the branch on a copy of it
#     (CREATE DATABASE … TEMPLATE …): a branch with a migration runs on its own schema
# ROUNDS (3), REQUESTS (20), ONLY (board,jobs,order), BASE (main), SIDES ("main branch"),
# ORDERS (100000: the bench database's; another number makes bench/setup_data.py reset it).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-/tmp/console-ab}"
BASE="${BASE:-main}"
mkdir -p "$OUT" && rm -rf "$OUT/main" && mkdir -p "$OUT/main"
git -C "$ROOT" archive "$BASE" | tar -x -C "$OUT/main"
if [ -z "${PGURL:-}" ]; then
  for side in main branch; do cp "$1" "$OUT/$side.sqlite3"; done
fi
LOG="$OUT/run.log"; : > "$LOG"
for r in $(seq 1 "${ROUNDS:-3}"); do
  for side in ${SIDES:-main branch}; do
    app="$ROOT"; [ "$side" = main ] && app="$OUT/main"
    url="${PGURL:-sqlite:///$OUT/$side.sqlite3}"
    [ "$side" = branch ] && [ -n "${PGURL_BRANCH:-}" ] && url="$PGURL_BRANCH"
    echo "### round $r $side $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$LOG"
    STATIC_ROOT="$OUT/static-$side" "$ROOT/.venv/bin/python" "$app/bench/console.py" --url "$url" \
      --orders "${ORDERS:-100000}" --requests "${REQUESTS:-20}" --only "${ONLY:-board,jobs,order}" 2>&1 | tail -n +2 >> "$LOG"
  done
done
"$ROOT/.venv/bin/python" - "$LOG" <<'PY'
import re, statistics as st, sys
side, data, loads = None, {}, []
for line in open(sys.argv[1]):
    m = re.match(r"### round \d+ (\w+) \S+ load (\S+)", line)
    if m:
        side = m.group(1)
        loads.append(float(m.group(2)))
        continue
    m = re.match(r"(.{28}) +([\d.]+) +[\d.]+ +([\d.]+) +([\d.]+) +(\d+) +\d+", line)
    if m and side:
        row = (float(m.group(2)), float(m.group(4)), float(m.group(3)), int(m.group(5)))
        data.setdefault(m.group(1).strip(), {}).setdefault(side, []).append(row)
print(f"load {min(loads):.1f}-{max(loads):.1f}")
print("| page | main ms | branch ms | main CPU ms | branch CPU ms | CPU ratio | SQL ms | queries |")
for page, s in data.items():
    a, b = s["main"], s["branch"]
    def med(xs, i):
        return st.median(x[i] for x in xs)
    def span(xs, i):
        return f"{min(x[i] for x in xs):.1f}–{max(x[i] for x in xs):.1f}"
    print(
        f"| {page} | {span(a, 0)} | {span(b, 0)} | {med(a, 1):.1f} | {med(b, 1):.1f}"
        f" | ×{med(b, 1) / med(a, 1):.2f} | {med(a, 2):.1f} → {med(b, 2):.1f}"
        f" | {a[0][3]} → {b[0][3]} |"
    )
PY
