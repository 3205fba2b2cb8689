"""A/B measurements of candidate changes to the app, in one process, without changing the app.

Each experiment compares the code as it is ("as is") with one or more variants applied by
monkeypatching for the duration of a batch; batches of the variants are interleaved round by round
so drift on a shared machine hits all of them alike. Reported: the median over all requests, the
ratio to "as is", the queries per request.

    DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench DATABASE_URL=... \
        .venv/bin/python bench/experiments.py --meta bench/out/meta-sqlite-100000.json \
        [--rounds 6] [--batch 30] [--only list,create] [--out bench/out/exp-sqlite-100000.json]

The variants are sketches of the suggested changes (see bench/RESULTS.md), not the app's code.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
# The app under test: the work tree, or a snapshot of a commit that bench/run-all unpacked.
APP = Path(os.environ.get("BENCH_APP_DIR") or ROOT)
sys.path.insert(0, str(APP))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--meta", type=Path, required=True)
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--batch", type=int, default=30)
    p.add_argument("--only", default="")
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    meta = json.loads(args.meta.read_text())

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from rest_framework import serializers as drf
    from rest_framework import status
    from rest_framework.response import Response

    from propdesk.api import serializers as s
    from propdesk.api import views
    from propdesk.community import selectors as reg
    from propdesk.community.models import Household
    from propdesk.core.clock import get_clock
    from propdesk.core.errors import NotFound
    from propdesk.desk import selectors as desk
    from propdesk.desk import services
    from propdesk.desk.models import OrderKind, OrderState
    from propdesk.policy.workflow import State, actions_available

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {meta['token']}", "HTTP_ACCEPT": "application/json"}
    community = meta["community"]
    ids = meta["detail_ids"]
    hmin, hmax = meta["households"]
    counter = {"i": 0}

    def do_list() -> None:
        r = client.get(f"/api/work-orders/?open=1&community={community}", **headers)
        assert r.status_code == 200, r.content[:300]

    def do_detail() -> None:
        counter["i"] += 1
        r = client.get(f"/api/work-orders/{ids[counter['i'] % len(ids)]}/", **headers)
        assert r.status_code == 200, r.content[:300]

    def do_create() -> None:
        counter["i"] += 1
        body = {
            "community": community,
            "kind": "repair",
            "description": "厨房水龙头漏水，请尽快派人维修",
            "household": hmin + (counter["i"] * 7919) % (hmax - hmin + 1),
        }
        r = client.post("/api/work-orders/", body, content_type="application/json", **headers)
        assert r.status_code == 201, r.content[:300]

    # --- variants ------------------------------------------------------------------------------

    original_list = desk.work_order_list

    def lean_list(user: Any, filters: Any = None) -> Any:
        """Join only what a list row shows (household, team, assignee)."""
        return (
            original_list(user, filters)
            .select_related(None)
            .select_related("household", "team", "assignee")
        )

    @contextlib.contextmanager
    def lean_joins() -> Iterator[None]:
        with mock.patch.object(desk, "work_order_list", lean_list):
            yield

    class FastLabels(s.WorkOrderOut):
        """kind_display/state_display from the enum, not Model.get_FOO_display()."""

        kind_display = drf.SerializerMethodField()
        state_display = drf.SerializerMethodField()

        def get_kind_display(self, obj: Any) -> str:
            return str(OrderKind(obj.kind).label)

        def get_state_display(self, obj: Any) -> str:
            return str(OrderState(obj.state).label)

    @contextlib.contextmanager
    def fast_labels() -> Iterator[None]:
        with mock.patch.object(views.WorkOrderViewSet, "serializer_class", FastLabels):
            yield

    @contextlib.contextmanager
    def both_list() -> Iterator[None]:
        with lean_joins(), fast_labels():
            yield

    def create_no_refetch(self: Any, request: Any, *a: Any, **k: Any) -> Response:
        """Answer the create from the order in memory instead of reading it back."""
        user = request.user
        data_in = s.WorkOrderCreateIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        comm = reg.access_community(user, data_in.validated_data["community"])
        order = services.work_order_create(
            community=comm,
            by=user,
            now=get_clock().now(),
            draft=views._draft(user, comm, data_in.validated_data),
        )
        # A new order has its one create event and no attachments.
        order._prefetched_objects_cache = {
            "events": list(order.events.select_related("actor")),
            "attachments": [],
        }
        on_team = order.assignee_id == user.pk or order.team_id in reg.user_team_ids(user)
        available = actions_available(
            State(order.state), reg.user_roles(user, order.community_id), on_team
        )
        body = s.WorkOrderDetailOut(order, context={"actions": available}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @contextlib.contextmanager
    def no_refetch() -> Iterator[None]:
        with mock.patch.object(views.WorkOrderViewSet, "create", create_no_refetch):
            yield

    def plain_household(user: Any, household_id: Any) -> Any:
        """The household alone: no residents prefetch, no unit/building join."""
        try:
            return reg.scope(Household.objects.all(), user).get(pk=int(household_id))
        except (Household.DoesNotExist, ValueError, TypeError) as exc:
            raise NotFound("Household not found") from exc

    @contextlib.contextmanager
    def lean_household() -> Iterator[None]:
        with mock.patch.object(reg, "access_household", plain_household):
            yield

    @contextlib.contextmanager
    def both_create() -> Iterator[None]:
        with no_refetch(), lean_household():
            yield

    @contextlib.contextmanager
    def not_prepared() -> Iterator[None]:
        """PostgreSQL: the app's connection without prepared statements (DB_PG_PREPARE_THRESHOLD
        empty: parameters quoted into the SQL on the client, every statement parsed and planned),
        against the settings as they are (prepared after 5 runs by default)."""
        opts = connection.settings_dict.setdefault("OPTIONS", {})
        saved = {k: opts.pop(k) for k in ("server_side_binding", "prepare_threshold") if k in opts}
        connection.close()
        for cached in ("uses_server_side_binding", "max_query_params"):
            connection.features.__dict__.pop(cached, None)
        try:
            yield
        finally:
            connection.close()
            opts.update(saved)
            for cached in ("uses_server_side_binding", "max_query_params"):
                connection.features.__dict__.pop(cached, None)

    @contextlib.contextmanager
    def as_is() -> Iterator[None]:
        yield

    experiments: list[tuple[str, Callable[[], None], list[tuple[str, Any]]]] = [
        (
            "list",
            do_list,
            [
                ("as is", as_is),
                ("join only household/team/assignee", lean_joins),
                ("labels from the enum", fast_labels),
                ("both", both_list),
            ],
        ),
        (
            "create",
            do_create,
            [
                ("as is", as_is),
                ("answer from memory, no re-read", no_refetch),
                ("household without residents", lean_household),
                ("both", both_create),
            ],
        ),
    ]
    if connection.vendor == "postgresql":
        experiments += [
            ("list", do_list, [("as is", as_is), ("not prepared", not_prepared)]),
            ("detail", do_detail, [("as is", as_is), ("not prepared", not_prepared)]),
            ("create", do_create, [("as is", as_is), ("not prepared", not_prepared)]),
        ]
    only = set(filter(None, args.only.split(",")))
    results = []
    for name, fn, variants in experiments:
        if only and name not in only:
            continue
        samples: dict[str, list[float]] = {v: [] for v, _ in variants}
        queries: dict[str, int] = {}
        for rnd in range(args.rounds + 1):  # round 0 warms up every variant, not counted
            for vname, ctx in variants:
                with ctx():
                    for _ in range(3):
                        fn()
                    counts: list[int] = []
                    for _ in range(args.batch):
                        calls: list[int] = []

                        def count(execute: Any, sql: Any, params: Any, many: Any, c: Any) -> Any:
                            calls.append(1)  # noqa: B023 - reset for each request
                            return execute(sql, params, many, c)

                        with connection.execute_wrapper(count):
                            t = time.perf_counter()
                            fn()
                            dt = time.perf_counter() - t
                        if rnd:
                            samples[vname].append(dt)
                            counts.append(len(calls))
                    if rnd:
                        queries[vname] = round(statistics.median(counts))
        base = statistics.median(samples["as is"])
        print(f"\n{name} ({connection.vendor}, {meta['orders']:,} orders)", file=sys.stderr)
        for vname, _ in variants:
            m = statistics.median(samples[vname])
            row = {
                "request": name,
                "variant": vname,
                "median_ms": round(m * 1000, 2),
                "ratio": round(m / base, 2),
                "queries": queries[vname],
                "n": len(samples[vname]),
                "vendor": connection.vendor,
                "orders": meta["orders"],
            }
            results.append(row)
            print(
                f"  {vname:40s} {row['median_ms']:7.2f} ms  x{row['ratio']:.2f}"
                f"  {row['queries']} queries  (n={row['n']})",
                file=sys.stderr,
            )
    if args.out:
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
