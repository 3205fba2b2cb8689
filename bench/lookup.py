"""Server time of the front desk's household lookup at 10,000 households (issue 11: < 100 ms, so it
answers while the call goes on).

    .venv/bin/python bench/lookup.py --db sqlite   [--households 10000] [--requests 100]
    .venv/bin/python bench/lookup.py --db postgres [--households 10000] [--requests 100]

Builds its own database (bench/out/lookup-bench.sqlite3, or propdesk_bench_lookup on the local
PostgreSQL; rebuilt on every run, seeded RNG, so every run sees the same register): one company,
the measured community (area code 0755) with N households — buildings 1–25 of two units, 26–50 of
one unit, four or eight flats a floor (17-2-1203, 33-1-1205) — one to three residents each
(~85 % mobiles, the rest 0755 landlines, common Chinese names), and a second community of 2,000
households the receptionist does not see. Then, in this one process, each lookup goes through
Django's whole stack (session, auth, middleware, view, template) with django.test.Client as the
panel's htmx request, `--requests` times after five warm-ups; the table gives the median and the
95th percentile of the server time (wall clock), the median time spent in SQL (an execute
wrapper: the database's answer as this process waits for it), the median CPU time of this process
(what the request costs here, whatever else the machine is doing), the number of SQL queries and
the matches shown (a button per resident).
Results: bench/RESULTS.md (the front desk's lookup).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PG = "postgres://postgres@127.0.0.1:5432/propdesk_bench_lookup"


def database_url(db: str) -> str:
    return PG if db == "postgres" else f"sqlite:///{OUT / 'lookup-bench.sqlite3'}"


def reset_database(url: str) -> None:
    u = urlparse(url)
    if u.scheme == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{u.path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    name = u.path.lstrip("/")
    assert "bench" in name, name
    with psycopg.connect(u._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def build(households: int) -> dict[str, object]:
    """The register; returns what the measured lookups type (real residents' names and phones)."""
    from django.db import connection, transaction

    from propdesk.community.models import (
        Building,
        Community,
        Company,
        Household,
        Membership,
        Resident,
        Unit,
        User,
    )
    from propdesk.demo import names

    rng = random.Random(11)
    company = Company.objects.create(name="锦绣物业(bench)")
    main = Community.objects.create(company=company, name="锦绣花园", code="jx", area_code="0755")
    other = Community.objects.create(company=company, name="滨江苑", code="bj", area_code="0755")

    def register(community: Community, count: int) -> None:
        homes: list[Household] = []
        b = 0
        while len(homes) < count:
            b += 1
            building = Building.objects.create(community=community, number=str(b))
            units, flats = (2, 4) if b <= 25 else (1, 8)
            for u in range(1, units + 1):
                unit = Unit.objects.create(building=building, number=str(u))
                for floor in range(1, 26):
                    for flat in range(1, flats + 1):
                        room = f"{floor}{flat:02d}"
                        homes.append(
                            Household(
                                community=community,
                                unit=unit,
                                room=room,
                                code=f"{b}-{u}-{room}",
                            )
                        )
        Household.objects.bulk_create(homes[:count], batch_size=2000)
        residents = []
        phones: set[str] = set()
        for h in Household.objects.filter(community=community).only("id"):
            for i in range(rng.choice((1, 2, 2, 3))):
                while True:
                    if rng.random() < 0.85:
                        phone = rng.choice(names.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
                    else:
                        phone = f"07558{rng.randrange(10**7):07d}"
                    if phone not in phones:
                        phones.add(phone)
                        break
                pool = names.GIVEN_MALE if rng.random() < 0.5 else names.GIVEN_FEMALE
                given = "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))
                residents.append(
                    Resident(
                        household_id=h.pk,
                        name=rng.choice(names.SURNAMES[:60]) + given,
                        relation="owner" if i == 0 else "family",
                        phone=phone,
                    )
                )
        Resident.objects.bulk_create(residents, batch_size=2000)

    with transaction.atomic():
        register(main, households)
        register(other, 2000)
        user = User.objects.create_user("bench-reception", name="前台")  # force_login
        Membership.objects.create(user=user, community=main, role="receptionist")
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE")
    sample = Resident.objects.filter(household__community=main).select_related("household")
    mobile = sample.filter(phone__startswith="1").order_by("id")[500]
    landline = sample.filter(phone__startswith="0755").order_by("id")[300]
    named = sample.order_by("id")[700]
    return {
        "community": main,
        "user": user,
        "mobile": mobile.phone,
        "landline": landline.phone,
        "name": named.name,
        "building_17": Building.objects.get(community=main, number="17").pk,
    }


def measure(requests: int, ctx: dict) -> list[tuple[str, float, float, float, float, int, int]]:  # type: ignore[type-arg]
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    community, user = ctx["community"], ctx["user"]
    m, ll = str(ctx["mobile"]), str(ctx["landline"])
    url = f"/desk/{community.pk}/intake/lookup/"  # type: ignore[attr-defined]
    room = {"field": "room"}
    phone = {"field": "caller_phone"}
    cases = [
        ("room 17-2-1203", {**room, "room": "17-2-1203"}),
        ("room 17/2/1203", {**room, "room": "17/2/1203"}),
        ("room 17栋2单元1203", {**room, "room": "17栋2单元1203"}),
        ("room 33-1205 (unit inferred)", {**room, "room": "33-1205"}),
        ("room 17-1203 (two units)", {**room, "room": "17-1203"}),
        ("room 1203 in building 17", {**room, "room": "1203", "building": ctx["building_17"]}),
        ("room 1203, no building", {**room, "room": "1203"}),
        ("room 17-2-12 (typing)", {**room, "room": "17-2-12"}),
        ("room 1502 (not a phone)", {**room, "room": "1502"}),
        ("phone +86 mobile, whole", {**phone, "caller_phone": f"+86 {m[:3]} {m[3:7]} {m[7:]}"}),
        ("phone mobile, 5 digits", {**phone, "caller_phone": f"{m[:3]}-{m[3:5]}"}),
        ("phone landline with area code", {**phone, "caller_phone": f"0755-{ll[4:]}"}),
        ("phone local 8 digits", {**phone, "caller_phone": f"{ll[4:8]} {ll[8:]}"}),
        ("name, whole", {"field": "caller_name", "caller_name": str(ctx["name"])}),
        ("name, surname only", {"field": "caller_name", "caller_name": str(ctx["name"])[0]}),
    ]
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    rows = []
    for label, params in cases:
        for _ in range(5):
            assert client.get(url, params, HTTP_HX_REQUEST="true").status_code == 200, label
        times, cpu, sql = [], [], []
        for _ in range(requests):
            spent = [0.0]

            def timed(execute, sql_text, params_, many, context, spent=spent):  # type: ignore[no-untyped-def]
                t0 = time.perf_counter()
                try:
                    return execute(sql_text, params_, many, context)
                finally:
                    spent[0] += time.perf_counter() - t0

            c = time.process_time()
            t = time.perf_counter()
            with connection.execute_wrapper(timed):
                r = client.get(url, params, HTTP_HX_REQUEST="true")
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            sql.append(spent[0] * 1000)
            assert r.status_code == 200
        with CaptureQueriesContext(connection) as q:
            r = client.get(url, params, HTTP_HX_REQUEST="true")
        shown = r.content.decode().count('class="lookup-match"')
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        rows.append(
            (
                label,
                statistics.median(times),
                p95,
                statistics.median(sql),
                statistics.median(cpu),
                len(q.captured_queries),
                shown,
            )
        )
    return rows


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--households", type=int, default=10_000)
    p.add_argument("--requests", type=int, default=100)
    args = p.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    url = database_url(args.db)
    reset_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    ctx = build(args.households)
    from propdesk.community.models import Household, Resident

    print(
        f"{args.db}: {Household.objects.count()} households, {Resident.objects.count()} residents"
        f" (built in {time.perf_counter() - t:.1f} s)"
    )
    rows = measure(args.requests, ctx)
    print(
        f"{'lookup':34} {'median ms':>10} {'p95 ms':>8} {'SQL ms':>7} {'CPU ms':>7}"
        f" {'queries':>8} {'shown':>6}"
    )
    for label, med, p95, sql, cpu, queries, shown in rows:
        print(f"{label:34} {med:10.1f} {p95:8.1f} {sql:7.1f} {cpu:7.1f} {queries:8d} {shown:6d}")
    print(f"{'all lookups, median of medians':34} {statistics.median(r[1] for r in rows):10.1f}")


if __name__ == "__main__":
    main()
