"""Bench data: one company, three communities, staff and teams, a few thousand households, and
N work orders (one 'create' event each) inserted directly, fast.

    DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench DATABASE_URL=... \
        .venv/bin/python bench/setup_data.py --orders 100000 [--reset] [--meta bench/out/x.json]

The orders go in with executemany on one SQLite transaction, or COPY on PostgreSQL: this is bench
data, not the app's write path (that one is measured by the POST benchmark). The mix: three years
of orders ending yesterday, ids in time order, 60/25/15 % over the three communities, ~7 % open
(most of them from the last 30 days), the rest closed, cancelled, resolved or followed up.

Who reported them (``reporter_name``), as a register of real Chinese names has them (surnames
weighted by rank: 王 on ~7 % of the names, as in the demo seed): a household's order was
reported by its resident (85 %) or by someone else who is not in the register (a tenant, a
relative: 王先生, 李女士, or a whole name); an order of no household by someone not in the register
(70 %) or by no one named (30 %). The names come from RNGs of their own, so every other column
is what it was before they were added.

Idempotent: a database that already holds the same N bulk orders is left as it is (the meta file is
written again); a different N needs --reset, which drops and recreates the bench database (only a
database whose name contains "bench", or an SQLite file whose path does).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
# The app under test: the work tree, or a snapshot of a commit that bench/run-all unpacked.
APP = Path(os.environ.get("BENCH_APP_DIR") or ROOT)
sys.path.insert(0, str(APP))

COMPANY = "锦绣物业(bench)"
COMMUNITIES = [  # name, code, share of the orders, households
    ("锦绣花园", "jxhy", 0.60, 2400),
    ("滨江苑", "bjy", 0.25, 1200),
    ("翠湖小区", "chxq", 0.15, 800),
]
KINDS = [
    ("repair", 45),
    ("housekeeping", 15),
    ("complaint", 10),
    ("consultation", 15),
    ("suggestion", 5),
    ("concierge", 5),
    ("other", 5),
]
ROUTING = {
    "repair": "repair",
    "housekeeping": "cleaning",
    "complaint": "customer_service",
    "consultation": "customer_service",
    "suggestion": "customer_service",
    "concierge": "customer_service",
    "other": "customer_service",
}
OPEN = [
    ("new", 25),
    ("dispatched", 25),
    ("accepted", 20),
    ("on_site", 15),
    ("returned", 5),
    ("reopened", 10),
]
DONE = [("closed", 90), ("cancelled", 5), ("resolved", 3), ("followed_up", 2)]
VERSION = {
    "new": 1,
    "dispatched": 2,
    "accepted": 3,
    "on_site": 4,
    "returned": 3,
    "reopened": 8,
    "resolved": 5,
    "followed_up": 6,
    "closed": 7,
    "cancelled": 2,
}
TEXTS = [
    "厨房水龙头漏水，请尽快派人维修",
    "楼道灯不亮，已经三天了",
    "电梯运行有异响",
    "楼上装修噪音太大，影响休息",
    "垃圾桶满了没有及时清理",
    "地下车库有积水",
    "咨询物业费缴纳方式",
    "门禁卡失效，需要重新办理",
    "卫生间下水道堵塞",
    "建议小区增加儿童游乐设施",
]
LOCATIONS = ["2号楼电梯厅", "地下车库B区", "东门岗亭", "中心花园", "5号楼楼道"]
SPAN_DAYS = 3 * 365
OPEN_RECENT = 0.60  # share of open orders among those of the last 30 days
OPEN_OLD = 0.055  # long-running and forgotten ones among older orders


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--orders", type=int, required=True, help="number of work orders to load")
    p.add_argument("--reset", action="store_true", help="drop and recreate the bench database")
    p.add_argument("--meta", type=Path, help="write ids and the token here (JSON)")
    p.add_argument("--seed", type=int, default=20261126)
    p.add_argument("--batch", type=int, default=20000)
    return p.parse_args()


def database_url() -> str:
    return os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'db.sqlite3'}")


def reset_database(url: str) -> None:
    """Drop and recreate the bench database, before Django connects to it."""
    u = urlparse(url)
    if u.scheme == "sqlite":
        path = Path(u.path if not u.path.startswith("//") else u.path[1:])
        if "bench" not in str(path):
            sys.exit(f"refusing to reset {path}: not a bench database")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg
    from psycopg import sql

    name = u.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to reset database {name!r}: not a bench database")
    admin = u._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def ensure_database(url: str) -> None:
    u = urlparse(url)
    if u.scheme == "sqlite":
        path = Path(u.path if not u.path.startswith("//") else u.path[1:])
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg
    from psycopg import sql

    name = u.path.lstrip("/")
    admin = u._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def person(rng: random.Random) -> str:
    """A Chinese name as the register writes it (王建国), surnames weighted by rank."""
    from propdesk.demo import names

    # The demo seed's weights: by rank, 王李张刘陈 first.
    weights = [1 / (rank + 4) for rank in range(len(names.SURNAMES))]
    surname = rng.choices(names.SURNAMES, weights)[0]
    pool = names.GIVEN_MALE if rng.random() < 0.5 else names.GIVEN_FEMALE
    return surname + "".join(rng.choice(pool) for _ in range(1 if rng.random() < 0.35 else 2))


def caller(rng: random.Random) -> str:
    """Someone not in the register, as the front desk writes down what they said of themselves:
    王先生, 李女士, or a whole name."""
    name = person(rng)
    if rng.random() < 0.6:
        return name[0] + ("先生" if rng.random() < 0.5 else "女士")
    return name


def weighted(rng: random.Random, pairs: list[tuple[str, int]], k: int) -> list[str]:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs], k=k)


def build_register() -> dict[str, object]:
    """Company, communities, buildings/units/households/residents, staff, teams, a token."""
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from propdesk.community.models import (
        Building,
        Community,
        Company,
        Household,
        Membership,
        Resident,
        Team,
        TeamMember,
        Unit,
        User,
    )

    company = Company.objects.create(name=COMPANY)
    password = make_password("bench-pw-123456!")
    out: dict[str, object] = {"communities": []}
    for ci, (name, code, _share, n_households) in enumerate(COMMUNITIES):
        community = Community.objects.create(company=company, name=name, code=code)

        def staff(role: str, tag: str, community: Community = community, code: str = code) -> User:
            user = User.objects.create(
                username=f"{code}-{tag}",
                name=f"{community.name}{tag}",
                password=password,
                company=company,
            )
            Membership.objects.create(user=user, community=community, role=role)
            return user

        reception = staff("receptionist", "reception")
        admin = staff("administrator", "admin")
        head = staff("office_head", "head")
        teams = {}
        for kind, label in [("repair", "维修班"), ("cleaning", "清洁班"), ("security", "秩序班")]:
            leader = staff("team_leader", f"{kind}-leader")
            team = Team.objects.create(community=community, kind=kind, name=label, leader=leader)
            for m in range(3):
                TeamMember.objects.create(team=team, user=staff("team_member", f"{kind}-m{m}"))
            teams[kind] = (team.pk, leader.pk)
        service = Team.objects.create(
            community=community, kind="customer_service", name="客服中心", leader=head
        )
        teams["customer_service"] = (service.pk, head.pk)
        # Buildings of 2 units, 18 floors, 2 rooms a floor: 72 households a building.
        n_buildings = (n_households + 71) // 72
        buildings = Building.objects.bulk_create(
            [Building(community=community, number=str(b + 1)) for b in range(n_buildings)]
        )
        units = Unit.objects.bulk_create(
            [Unit(building=b, number=str(u + 1)) for b in buildings for u in range(2)]
        )
        households = []
        for unit in units:
            for floor in range(1, 19):
                for room in range(1, 3):
                    r = f"{floor}{room:02d}"
                    households.append(
                        Household(
                            community=community,
                            unit=unit,
                            room=r,
                            code=f"{unit.building.number}-{unit.number}-{r}",
                        )
                    )
        households = Household.objects.bulk_create(households[:n_households], batch_size=500)
        people = random.Random(f"residents:{ci}")  # not the orders' RNG: their data stays
        owners = [person(people) for _ in households]
        Resident.objects.bulk_create(
            [
                Resident(
                    household=h,
                    name=owners[i],
                    relation="owner",
                    phone=f"13{ci}{i:08d}",
                )
                for i, h in enumerate(households)
            ],
            batch_size=500,
        )
        token = Token.objects.create(user=reception) if ci == 0 else None
        out["communities"].append(  # type: ignore[attr-defined]
            {
                "id": community.pk,
                "code": code,
                "prefix": community.order_prefix,
                "reception": reception.pk,
                "admin": admin.pk,
                "teams": teams,
                "households": [h.pk for h in households],
                "owners": dict(zip([h.pk for h in households], owners, strict=True)),
                "token": token.key if token else None,
            }
        )
    return out


ORDER_COLS = [
    "id",
    "community_id",
    "number",
    "kind",
    "complaint_type",
    "is_important",
    "is_long_running",
    "is_construction_legacy",
    "household_id",
    "location",
    "description",
    "reporter_name",
    "reporter_phone",
    "contact_id",
    "service_item_id",
    "team_id",
    "assignee_id",
    "state",
    "version",
    "created_by_id",
    "created_at",
    "updated_at",
    "resolved_at",
    "closed_at",
    "materials",
    "staff_account",
    "no_written_material",
    "waiting",  # issue 16: no order of the bench data is waiting
    "is_urgent",
]
EVENT_COLS = [
    "id",
    "order_id",
    "community_id",
    "at",
    "actor_id",
    "action",
    "from_state",
    "to_state",
    "note",
    "data",
]


def generate(
    total: int,
    lo: int,
    hi: int,
    reg: dict[str, object],
    rng: random.Random,
    seq: dict[tuple[int, str], int],
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    """Orders lo..hi-1 of total (ids lo+1..hi, and their create events with the same ids) as
    tuples (aware datetimes, Python bools). ``seq`` carries the day counters across chunks."""
    tz = ZoneInfo("Asia/Shanghai")
    now = datetime.now(UTC)
    today_local = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    end = today_local - timedelta(hours=2)  # yesterday 22:00 local: today's numbers stay free
    start = end - timedelta(days=SPAN_DAYS)
    step = (end - start).total_seconds() / total
    recent = end - timedelta(days=30)
    comms: list[dict[str, object]] = reg["communities"]  # type: ignore[assignment]
    shares = [c[2] for c in COMMUNITIES]
    n = hi - lo
    which = rng.choices(range(len(comms)), weights=shares, k=n)
    kinds = weighted(rng, KINDS, n)
    open_states = weighted(rng, OPEN, n)
    done_states = weighted(rng, DONE, n)
    orders: list[tuple[object, ...]] = []
    events: list[tuple[object, ...]] = []
    open_count = 0
    # Who reported each order: an RNG of its own, so the other columns are as they were.
    reporters = random.Random(f"reporters:{lo}")
    for i in range(n):
        created = start + timedelta(seconds=(lo + i + rng.random()) * step)
        c = comms[which[i]]
        kind = kinds[i]
        is_open = rng.random() < (OPEN_RECENT if created >= recent else OPEN_OLD)
        state = open_states[i] if is_open else done_states[i]
        open_count += is_open
        day = created.astimezone(tz).strftime("%Y%m%d")
        key = (which[i], day)
        seq[key] = seq.get(key, 0) + 1
        number = f"{c['prefix']}-{day}-{seq[key]:04d}"
        households: list[int] = c["households"]  # type: ignore[assignment]
        household = households[rng.randrange(len(households))] if rng.random() < 0.9 else None
        team_id, leader_id = c["teams"][ROUTING[kind]]  # type: ignore[index]
        assignee = None if state in ("new", "cancelled", "returned") else leader_id
        resolved = closed = None
        if state in ("resolved", "followed_up", "closed"):
            resolved = created + timedelta(minutes=rng.randint(20, 2 * 24 * 60))
        if state == "closed":
            closed = resolved + timedelta(hours=rng.randint(2, 72))  # type: ignore[operator]
        updated = closed or resolved or created
        if state in ("dispatched", "accepted", "on_site", "returned", "reopened", "cancelled"):
            updated = created + timedelta(minutes=rng.randint(5, 600))
        oid = lo + i + 1
        if household is not None and reporters.random() < 0.85:
            reporter = c["owners"][household]  # type: ignore[index]
        elif household is not None or reporters.random() < 0.7:
            reporter = caller(reporters)
        else:
            reporter = ""
        orders.append(
            (
                oid,
                c["id"],
                number,
                kind,
                "general" if kind == "complaint" else "",
                rng.random() < 0.03,
                False,
                False,
                household,
                "" if household else LOCATIONS[i % len(LOCATIONS)],
                TEXTS[i % len(TEXTS)],
                reporter,
                "",
                None,
                None,
                team_id,
                assignee,
                state,
                VERSION[state],
                c["reception"],
                created,
                updated,
                resolved,
                closed,
                "",
                "",
                False,
                "",
                False,
            )
        )
        events.append(
            (
                oid,
                oid,
                c["id"],
                created,
                c["reception"],
                "create",
                "",
                "new",
                "",
                json.dumps({"team": team_id, "kind": kind, "contact": None}),
            )
        )
    return orders, events, open_count


def _sqlite_value(v: object) -> object:
    if isinstance(v, datetime):
        return str(v.astimezone(UTC).replace(tzinfo=None))
    return v


def _copy_value(v: object) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def insert(table: str, cols: list[str], rows: list[tuple[object, ...]], batch: int) -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        raw = connection.connection
        placeholders = ", ".join("?" * len(cols))
        stmt = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders})"  # noqa: S608
        for lo in range(0, len(rows), batch):
            raw.executemany(stmt, [tuple(map(_sqlite_value, r)) for r in rows[lo : lo + batch]])
        return
    with connection.cursor() as cur:
        pg = cur.cursor  # psycopg cursor under Django's wrapper
        with pg.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for lo in range(0, len(rows), batch):
                buf = io.StringIO()
                for r in rows[lo : lo + batch]:
                    buf.write("\t".join(map(_copy_value, r)))
                    buf.write("\n")
                copy.write(buf.getvalue())


def bench_meta(key: str) -> str | None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (k varchar(40) PRIMARY KEY, v text)")
        cur.execute("SELECT v FROM bench_meta WHERE k = %s", [key])
        row = cur.fetchone()
    return row[0] if row else None


def register_from_db() -> dict[str, object]:
    from rest_framework.authtoken.models import Token

    from propdesk.community.models import Community, Household, Membership, Team

    out: dict[str, object] = {"communities": []}
    for c in Community.objects.filter(company__name=COMPANY).order_by("id"):
        reception = Membership.objects.get(community=c, role="receptionist").user
        admin = Membership.objects.get(community=c, role="administrator").user
        token = Token.objects.filter(user=reception).first()
        out["communities"].append(  # type: ignore[attr-defined]
            {
                "id": c.pk,
                "code": c.code,
                "prefix": c.order_prefix,
                "reception": reception.pk,
                "admin": admin.pk,
                "teams": {t.kind: (t.pk, t.leader_id) for t in Team.objects.filter(community=c)},
                "households": list(
                    Household.objects.filter(community=c)
                    .order_by("id")
                    .values_list("id", flat=True)
                ),
                "token": token.key if token else None,
            }
        )
    return out


def write_meta(path: Path | None, reg: dict[str, object], n: int, rng: random.Random) -> None:
    from django.db import connection

    from propdesk.desk.models import WorkOrder

    main = reg["communities"][0]  # type: ignore[index]
    ids = list(
        WorkOrder.objects.filter(community_id=main["id"])
        .order_by("id")
        .values_list("id", flat=True)[:2_000_000]
    )
    sample = sorted(rng.sample(ids, min(400, len(ids))))
    hh = main["households"]
    meta = {
        "vendor": connection.vendor,
        "orders": n,
        "total_orders": WorkOrder.objects.count(),
        "main_community_orders": len(ids),
        "open_in_main": WorkOrder.objects.filter(
            community_id=main["id"],
            state__in=["new", "dispatched", "accepted", "on_site", "returned", "reopened"],
        ).count(),
        "community": main["id"],
        "token": main["token"],
        "reception": main["reception"],
        "households": [min(hh), max(hh)],
        "household_count": len(hh),
        "detail_ids": sample,
    }
    text = json.dumps(meta, indent=1)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(json.dumps({k: v for k, v in meta.items() if k != "detail_ids"}))


def main() -> None:
    args = parse_args()
    url = database_url()
    if args.reset:
        reset_database(url)
    else:
        ensure_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from propdesk.community.models import Company

    t0 = time.perf_counter()
    source = os.environ.get("BENCH_SOURCE", "worktree")
    was, loaded = bench_meta("source"), bench_meta("orders")
    if loaded is not None and was != source:
        sys.exit(f"the database was loaded by the code of {was!r}, not {source!r}: use --reset")
    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(args.seed)
    have = int(loaded) if loaded is not None else None
    if have is not None:
        if have != args.orders:
            sys.exit(f"the database holds {have} bench orders, not {args.orders}: use --reset")
        print(f"setup_data: {have} orders already loaded; nothing to do", file=sys.stderr)
        write_meta(args.meta, register_from_db(), have, rng)
        return
    if Company.objects.filter(name=COMPANY).exists():
        sys.exit("a half-loaded bench database (no bench_meta row): use --reset")

    with transaction.atomic():
        reg = build_register()
    t1 = time.perf_counter()
    print(f"setup_data: register in {t1 - t0:.1f}s", file=sys.stderr)
    done = 0
    seq: dict[tuple[int, str], int] = {}
    chunk = 250_000  # generate and insert in chunks to bound memory
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-200000")
    while done < args.orders:
        n = min(chunk, args.orders - done)
        tg = time.perf_counter()
        orders, events, _open = generate(args.orders, done, done + n, reg, rng, seq)
        tg = time.perf_counter() - tg
        ti = time.perf_counter()
        with transaction.atomic():
            insert("desk_workorder", ORDER_COLS, orders, args.batch)
            insert("desk_workorderevent", EVENT_COLS, events, args.batch)
        done += n
        print(
            f"setup_data: {done} orders"
            f" (generate {tg:.1f}s, insert {time.perf_counter() - ti:.1f}s)",
            file=sys.stderr,
        )
    # The sequence generators continue after the ids given above.
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for table in ("desk_workorder", "desk_workorderevent"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
        cur.execute("INSERT INTO bench_meta (k, v) VALUES ('orders', %s)", [str(args.orders)])
        cur.execute("INSERT INTO bench_meta (k, v) VALUES ('source', %s)", [source])
    t2 = time.perf_counter()
    if connection.vendor == "postgresql":
        # Steady state: autovacuum would get here on its own after a bulk insert.
        connection.ensure_connection()
        old = connection.connection.autocommit
        connection.connection.autocommit = True
        with connection.cursor() as cur:
            cur.execute("VACUUM (ANALYZE) desk_workorder")
            cur.execute("VACUUM (ANALYZE) desk_workorderevent")
        connection.connection.autocommit = old
    t3 = time.perf_counter()
    print(
        f"setup_data: loaded {args.orders} orders in {t2 - t1:.1f}s"
        f" (+{t3 - t2:.1f}s vacuum/analyze); total {t3 - t0:.1f}s",
        file=sys.stderr,
    )
    # One tick of every job over the loaded data, as the worker does when it starts: the servers
    # under test then answer /health/ (which says 503 while no job has ever ticked); run them
    # with HEALTH_STALE_MIN_SECONDS large, since no worker runs beside them during a bench.
    t4 = time.perf_counter()
    call_command("worker", "--once", "--name", "bench-setup")
    print(f"setup_data: one worker tick in {time.perf_counter() - t4:.1f}s", file=sys.stderr)
    write_meta(args.meta, reg, args.orders, rng)


if __name__ == "__main__":
    main()
