"""Where a console page's CPU goes: Python calls per request (exact) and cProfile's parts.

    bench/console_profile.py --url sqlite:////tmp/x/console.sqlite3 [--only board,queue,jobs]
        [--requests 5] [--top 25] [--app DIR]

On bench/console.py's data (run it once on the database first) and its pages, at its injected
time: each page twice unprofiled (warm-up), then ``--requests`` times under cProfile. Prints per
page the function calls of one request (the same every time on the same data: a count, not a
timing, so it compares two trees on a noisy machine), its profiled CPU, and the parts: the
cumulative time of the SQL (cursor execute and fetch), the model instances, the template
rendering, URL reversing, translations, timezone conversion; then the ``--top`` functions by
their own time. ``--app``: the code tree to profile (a ``git archive`` of main, say).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Parts of a request, by the functions whose cumulative time they are (file suffix, name).
PARTS = {
    "SQL (execute, fetch)": [
        ("django/db/backends/utils.py", "execute"),
        ("django/db/backends/utils.py", "executemany"),
        ("django/db/models/sql/compiler.py", "results_iter"),
        ("django/db/models/sql/compiler.py", "cursor_iter"),
    ],
    "SQL compile": [("django/db/models/sql/compiler.py", "as_sql")],
    "model instances (from_db)": [("django/db/models/base.py", "from_db")],
    "templates (render)": [("django/template/backends/django.py", "render")],
    "reverse()": [("django/urls/base.py", "reverse")],
    "translation (gettext)": [
        ("django/utils/translation/__init__.py", "gettext"),
        ("django/utils/translation/__init__.py", "pgettext"),
    ],
    "timezone (astimezone/localtime)": [
        ("django/utils/timezone.py", "localtime"),
        ("django/utils/timezone.py", "template_localtime"),
    ],
    "sessions and auth": [
        ("django/contrib/sessions/backends/base.py", "_get_session"),
        ("django/contrib/auth/__init__.py", "get_user"),
    ],
}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--only", default="board,queue,jobs")
    p.add_argument("--requests", type=int, default=5)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--app", default=str(ROOT))
    p.add_argument("--sort", default="tottime", help="tottime or cumulative")
    p.add_argument("--callers", default="", help="print the callers of functions matching this")
    args = p.parse_args()
    app = Path(args.app).resolve()
    sys.path.insert(0, str(app))
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    spec = importlib.util.spec_from_file_location("bench_console", app / "bench" / "console.py")
    assert spec and spec.loader
    bench_console = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_console)

    # bench/console.py's measure() with its timing loop replaced: its pages, its users, its now.
    from django.test import Client

    pages = _pages(bench_console)
    only = [w for w in args.only.split(",") if w]
    pages = [pg for pg in pages if any(w in pg[0] for w in only)]
    for label, who, url, headers in pages:
        client = Client()
        client.force_login(who)
        for _ in range(2):
            assert client.get(url, **headers).status_code == 200, (label, url)
        prof = cProfile.Profile(time.process_time)
        c0 = time.process_time()
        prof.enable()
        for _ in range(args.requests):
            client.get(url, **headers)
        prof.disable()
        cpu = (time.process_time() - c0) * 1000 / args.requests
        stats = pstats.Stats(prof)
        n = args.requests
        print(f"\n=== {label}: {stats.total_calls // n} calls a request, profiled CPU {cpu:.1f} ms")
        raw = stats.stats  # type: ignore[attr-defined]
        for part, keys in PARTS.items():
            total, calls = 0.0, 0
            for (file, _line, name), (_cc, nc, _tt, ct, _callers) in raw.items():
                if any(file.endswith(f) and name == fn for f, fn in keys):
                    total += ct
                    calls += nc
            print(f"  {part:34} {total * 1000 / n:7.1f} ms  {calls // n:6d} calls")
        stats.sort_stats(args.sort).print_stats(args.top)
        stats.sort_stats("cumulative").print_stats("propdesk/", args.top)
        if args.callers:
            stats.print_callers(args.callers)


def _pages(bench_console):  # type: ignore[no-untyped-def]
    """bench/console.py's pages (label, user, url, headers), as its measure() builds them."""
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import Count, Q

    from propdesk.community.models import Community, Membership, Team
    from propdesk.core.clock import FixedClock, set_clock
    from propdesk.desk.models import WorkOrder
    from propdesk.policy.workflow import OPEN_STATES

    OPEN = [s.value for s in OPEN_STATES]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    community = Community.objects.order_by("id").first()
    now = WorkOrder.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    now += timedelta(hours=12)
    set_clock(FixedClock(now))
    bench_console.add_clocks_and_duty(now)

    def user(role):  # type: ignore[no-untyped-def]
        return Membership.objects.filter(community=community, role=role).first().user

    team = Team.objects.get(community=community, kind="repair")
    leader = team.leader
    member = (
        team.members.annotate(
            jobs=Count("assigned_orders", filter=Q(assigned_orders__state__in=OPEN))
        )
        .order_by("-jobs", "id")
        .first()
    )
    cid = community.pk
    htmx = {"HTTP_HX_REQUEST": "true"}
    return [
        ("board (full page)", user("administrator"), f"/desk/{cid}/board/", {}),
        ("board (htmx refresh)", user("administrator"), f"/desk/{cid}/board/", htmx),
        ("board, overdue only", user("administrator"), f"/desk/{cid}/board/?overdue=1", htmx),
        ("queue: administrator", user("administrator"), f"/desk/{cid}/queue/", {}),
        ("queue: office head", user("office_head"), f"/desk/{cid}/queue/", {}),
        ("queue: team leader", leader, f"/desk/{cid}/queue/", {}),
        ("my jobs: team member", member, f"/desk/{cid}/jobs/", {}),
        ("my jobs: team leader", leader, f"/desk/{cid}/jobs/", {}),
        ("queue: receptionist", user("receptionist"), f"/desk/{cid}/queue/", {}),
    ]


if __name__ == "__main__":
    main()
