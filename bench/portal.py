"""Server time of the resident portal's pages with 100,000 orders (issue 13): the order list, an
order's page and the report form.

    bench/portal.py --db sqlite   [--orders 100000] [--requests 50]
    bench/portal.py --db postgres [--orders 100000] [--requests 50]

Loads its own bench database with bench/setup_data.py (one company, three communities, N orders
of three years, ~7 % open; every household has an owner with a phone), takes the resident whose
household has the most orders (the worst list), gives their newest order a dispatch, an arrival
and a completion (a timeline of four lines), and requests each page through Django's whole stack
(sessions, middleware, view, template) with django.test.Client and a resident session, on an
injected clock, `--requests` times after two warm-ups. Prints the median and p99 of the server
time, the SQL queries of one request and the page's size. Results: bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/propdesk_bench_portal")


def database_url(db: str) -> str:
    return PG if db == "postgres" else f"sqlite:///{OUT / 'portal-bench.sqlite3'}"


def load(db: str, orders: int) -> None:
    env = {**os.environ, "DATABASE_URL": database_url(db), "SECRET_KEY": "bench"}
    env["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    cmd = [sys.executable, str(ROOT / "bench" / "setup_data.py"), "--orders", str(orders)]
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run([*cmd, "--reset"], env=env, check=True, stdout=subprocess.DEVNULL)


def busiest_resident():  # type: ignore[no-untyped-def]
    """The phone of the household with the most orders, and that household."""
    from django.db.models import Count

    from propdesk.community.models import Household, Resident
    from propdesk.desk.models import WorkOrder

    top = (
        WorkOrder.objects.filter(household__isnull=False)
        .values("household_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert top is not None
    household = Household.objects.get(pk=top["household_id"])
    phone = Resident.objects.filter(household=household).exclude(phone="").first().phone  # type: ignore[union-attr]
    return phone, household, top["n"]


def followed_order(household, now):  # type: ignore[no-untyped-def]
    """The household's newest order with 派单, 到场 and 完工 on its timeline (once)."""
    from propdesk.desk.models import WorkOrder, WorkOrderEvent
    from propdesk.desk.services import order_event_write

    order = WorkOrder.objects.filter(household=household).order_by("-created_at").first()
    assert order is not None
    if not WorkOrderEvent.objects.filter(order=order, action="check_in").exists():
        member = order.team.members.first() if order.team else None
        at = order.created_at
        for i, action in enumerate(("assign", "check_in", "resolve")):
            order_event_write(
                order,
                by=member,
                now=at + timedelta(minutes=10 * (i + 1)),
                action=action,
                data={"after": {"assignee": member.pk}} if member and action == "assign" else {},
            )
    return order


def measure(requests: int) -> list[tuple[str, float, float, int, int]]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from propdesk.core.clock import FixedClock, set_clock
    from propdesk.desk.models import WorkOrder
    from propdesk.portal.access import SESSION_KEY

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    now = WorkOrder.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    now += timedelta(hours=12)
    set_clock(FixedClock(now))
    phone, household, n = busiest_resident()
    order = followed_order(household, now)
    print(f"resident {phone} of {household.code}: {n} orders")
    client = Client()
    session = client.session
    session[SESSION_KEY] = phone
    session.save()
    pages = [
        ("order list", "/portal/orders/"),
        ("order page (timeline)", f"/portal/orders/{order.pk}/"),
        ("report form", "/portal/report/?where=3号楼电梯厅"),
    ]
    rows = []
    for label, url in pages:
        for _ in range(2):
            assert client.get(url).status_code == 200, (label, url)
        times = []
        for _ in range(requests):
            t = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        with CaptureQueriesContext(connection) as q:
            client.get(url)
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        rows.append((label, statistics.median(times), p99, len(q.captured_queries), len(r.content)))
    return rows


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--orders", type=int, default=100_000)
    p.add_argument("--requests", type=int, default=50)
    args = p.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    load(args.db, args.orders)
    os.environ["DATABASE_URL"] = database_url(args.db)
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # as make run does
    from propdesk.desk.models import WorkOrder

    print(f"{args.db}: {WorkOrder.objects.count()} orders")
    rows = measure(args.requests)
    print(f"{'page':24} {'median ms':>10} {'p99 ms':>8} {'queries':>8} {'bytes':>8}")
    for label, med, p99, queries, size in rows:
        print(f"{label:24} {med:10.1f} {p99:8.1f} {queries:8d} {size:8d}")


if __name__ == "__main__":
    main()
