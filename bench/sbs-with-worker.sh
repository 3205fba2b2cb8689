#!/usr/bin/env bash
# The peer side by side (../shared/peer-bench/side-by-side/run.sh), with propdesk's worker running
# beside its web server as `make run` has it. Since issue 15 the staff's notifications are resolved
# by the worker (desk.tell), so a run without it would leave that work undone and flatter the
# create. The shared harness is read-only and starts no worker; this copies it to $MOD (default
# /tmp/sbs-mod) and changes two things:
#   1. `manage.py worker` starts once both servers are up (WITH_WORKER=0: not), and at the end its
#      CPU time (from /proc) and the announcements still pending are logged in run.log;
#   2. PD_DB_URL=postgres://…/propdesk_sbs_bench_N puts propdesk on PostgreSQL (the peer stays on
#      SQLite), for the "PostgreSQL at least 2x the peer's SQLite" figure.
# Every other knob is the shared harness's (SIZE, ROUNDS, STEPS, PEER_SETUP, PEER_SQLITE_SYNC …):
#   HEALTH_STALE_MIN_SECONDS=100000000 PEER_SETUP=0 PEER_SQLITE_SYNC=NORMAL bench/sbs-with-worker.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared/peer-bench}"
MOD="${MOD:-/tmp/sbs-mod}"
rm -rf "$MOD" && mkdir -p "$MOD"
cp "$SHARED/side-by-side/run.sh" "$SHARED/side-by-side/sbs.py" "$SHARED/side-by-side/create.lua" "$MOD/"
PEER_DIR_ABS="$(cd "$SHARED/peer-django-helpdesk" && pwd)"
python3 - "$MOD" "$PEER_DIR_ABS" <<'PY'
import sys
mod, peer_dir = sys.argv[1], sys.argv[2]

def edit(path, pairs):
    s = open(path).read()
    for old, new in pairs:
        if old not in s:
            sys.exit(f"sbs-with-worker: the shared harness changed, {path} lacks: {old[:60]!r}")
        s = s.replace(old, new, 1)
    open(path, "w").write(s)

edit(f"{mod}/sbs.py", [(
    'def db_count(db: str, table: str) -> int:\n    con = sqlite3.connect(db, timeout=60)',
    'def db_count(db: str, table: str) -> int:\n'
    '    if db.startswith("postgres"):  # propdesk on PostgreSQL\n'
    '        import subprocess\n'
    '        out = subprocess.run(["psql", "-tA", db, "-c", f"SELECT count(*) FROM {table}"],\n'
    '                             check=True, capture_output=True, text=True).stdout\n'
    '        return int(out.strip())\n'
    '    con = sqlite3.connect(db, timeout=60)',
)])
edit(f"{mod}/run.sh", [
    ('PEER_DIR="${PEER_DIR:-$HERE/../peer-django-helpdesk}"', f'PEER_DIR="${{PEER_DIR:-{peer_dir}}}"'),
    ('PD_DB="$DATA/propdesk-bench-$SIZE.sqlite3"', 'PD_DB="${PD_DB_URL:-$DATA/propdesk-bench-$SIZE.sqlite3}"'),
    ('"DATABASE_URL=sqlite:///$PD_DB")', '"DATABASE_URL=${PD_DB_URL:-sqlite:///$PD_DB}")'),
    ('log "propdesk db: checkpoint $(checkpoint "$PD_DB")"',
     '[[ -n "${PD_DB_URL:-}" ]] || log "propdesk db: checkpoint $(checkpoint "$PD_DB")"'),
    ('stop_all() {', '''WK_PID=""
stop_worker() {
  [[ -n "$WK_PID" ]] || return 0
  if kill -0 "$WK_PID" 2>/dev/null; then
    local t; t=$(awk '{print $14+$15}' /proc/$WK_PID/stat)
    log "propdesk worker CPU: $t ticks ($(getconf CLK_TCK)/s) over the run; pending announcements: $(cd "$PD" && env "${pd_env[@]}" "$PD_PY" -c 'import django; django.setup(); from propdesk.desk.models import Announcement as A; print(A.objects.filter(done_at__isnull=True).count(), "of", A.objects.count())' 2>/dev/null)"
    kill -TERM "$WK_PID"; wait "$WK_PID" 2>/dev/null || true
  fi
  WK_PID=""
}
stop_all() {
  stop_worker || true'''),
    ('# --- 2. the rounds', '''if [[ "${WITH_WORKER:-1}" == 1 ]]; then
  (cd "$PD" && exec env "${pd_env[@]}" "$PD_PY" manage.py worker > "$DATA/propdesk-worker.log" 2>&1) &
  WK_PID=$!
  log "propdesk worker $WK_PID started beside the web server (as make run does)"
fi

# --- 2. the rounds'''),
])
PY
exec bash "$MOD/run.sh" "${1:-$ROOT}"
