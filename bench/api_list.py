"""The JSON API's order list (``GET /api/work-orders/``) at the bench's size, server-side.

Each request runs through Django's whole stack (middleware, token auth, DRF view, paginator,
serializer) with django.test.Client in this one process, as the bench receptionist (setup_data's
token: one community, the first, 60 % of the orders); every SQL statement is timed by an execute
wrapper. Per request: the median wall time, CPU time and SQL time of ``--requests`` runs after
two warm-ups, the statements, the status and the answer's ``count``.

    DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench LOG_LEVEL=WARNING \
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/propdesk_bench_1m \
        .venv/bin/python bench/api_list.py --meta /tmp/apiq/META.json --requests 9 \
        [--app /tmp/apiq/base] [--only q_number,q_day] [--out run.json]

``--app`` runs another tree's code (a ``git archive`` of the base) on the same database, for an
interleaved A/B: one process per round, A B B A …. The requests, by name:

- ``none``, ``open``, ``community``: the list unfiltered, open orders, one community;
- ``q_number``, ``q_day``, ``q_room``: a closed order's number, the day it was opened, its room;
- ``q_word2`` 漏水 (a word one order in ten has), ``q_word3`` 水龙头 (the same orders, three
  characters), ``q_rare2`` 无此 and ``q_rare5`` 无此说法的 (words no order has);
- ``q_name1`` 王 (the first character of one reporter's name in twelve, and of as many
  residents' names: 20 households found besides), ``q_name3`` 王先生 (a caller not in the
  register, on one order in two hundred), ``q_name_whole`` a whole name of someone not in the
  register who reported an order of no household, ``q_name_none`` 司马光 (no one's name, nor
  words of any order: the words are looked for after the name), as ``setup_data.py`` writes
  the reporters; ``q_name1_p100``: 王's page 100;
- ``deep``: ``page=2000`` of the unfiltered list (an OFFSET of 99,950); ``deep_200``, page 200
  (an OFFSET of 9,950: the last page the API serves since session 25).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from inprocess import SqlTimer  # bench/ is on the path: this file is run from it

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--meta", type=Path, required=True, help="setup_data.py's --meta file")
    p.add_argument("--requests", type=int, default=9, help="timed runs of each request")
    p.add_argument("--app", type=Path, help="the tree whose code runs (default: this one)")
    p.add_argument("--only", default="", help="comma-separated names of requests")
    p.add_argument("--out", type=Path, help="write the figures here (JSON)")
    return p.parse_args()


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(args.app or ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from propdesk.community.models import Resident
    from propdesk.desk.models import WorkOrder

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    meta = json.loads(args.meta.read_text())
    cid = meta["community"]
    # A closed order of the main community, from the middle of its history.
    order = (
        WorkOrder.objects.filter(community_id=cid, state="closed", household__isnull=False)
        .select_related("household")
        .order_by("id")[meta["main_community_orders"] // 2 :]
        .first()
    )
    assert order is not None
    day = order.created_at.astimezone().strftime("%Y%m%d")
    # Someone not in the register who reported an order of no household: a whole name.
    stranger = next(
        name
        for name in WorkOrder.objects.filter(
            community_id=cid, household__isnull=True, pk__gte=order.pk
        )
        .exclude(reporter_name="")
        .order_by("pk")
        .values_list("reporter_name", flat=True)[:200]
        if len(name) == 3
        and name[1:] not in ("先生", "女士")
        and not Resident.objects.filter(household__community_id=cid, name=name).exists()
    )
    requests: dict[str, dict[str, str]] = {
        "none": {},
        "open": {"open": "1"},
        "community": {"community": str(cid)},
        "q_number": {"q": order.number},
        "q_day": {"q": day},
        "q_room": {"q": order.household.code},
        "q_word2": {"q": "漏水"},
        "q_word3": {"q": "水龙头"},
        "q_rare2": {"q": "无此"},
        "q_rare5": {"q": "无此说法的"},
        "q_name1": {"q": "王"},
        "q_name3": {"q": "王先生"},
        "q_name_whole": {"q": stranger},
        "q_name1_p100": {"q": "王", "page": "100"},
        "q_name_none": {"q": "司马光"},
        "deep": {"page": "2000"},
        "deep_200": {"page": "200"},
    }
    only = [x for x in args.only.split(",") if x]
    client = Client(HTTP_AUTHORIZATION=f"Token {meta['token']}", HTTP_ACCEPT="application/json")
    out: dict[str, Any] = {"app": str(args.app or ROOT), "order": order.number, "day": day}
    for name, params in requests.items():
        if only and name not in only:
            continue
        walls, cpus, sqls, queries = [], [], [], 0
        status, count = 0, None
        for i in range(2 + args.requests):
            timer = SqlTimer()
            w, c = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(timer):
                r = client.get("/api/work-orders/", params)
            w, c = time.perf_counter() - w, time.process_time() - c
            if i < 2:
                continue
            walls.append(w * 1000)
            cpus.append(c * 1000)
            sqls.append(sum(took for took, _sql in timer.calls) * 1000)
            queries = len(timer.calls)
            status = r.status_code
            body = r.json()
            count = body.get("count") if isinstance(body, dict) else None
            found = len(body.get("results", [])) if isinstance(body, dict) else 0
        out[name] = {
            "params": params,
            "median_ms": round(statistics.median(walls), 1),
            "cpu_ms": round(statistics.median(cpus), 1),
            "sql_ms": round(statistics.median(sqls), 1),
            "queries": queries,
            "status": status,
            "count": count,
            "rows": found,
        }
        print(json.dumps({name: out[name]}, ensure_ascii=False), flush=True)
    if args.out:
        args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
