"""How long the worker's telling (``desk.tell``) holds the write lock per batch, and its CPU per
announcement, at a given batch size: the request side makes ``--orders`` repairs through the API
in this process (each writes one announcement, every one for the same repair leader, so that
from the 21st in ten minutes they are folded into the leader's summary, as in the side by side),
then the batches are run one after another until fewer than a batch are left.

The hold is timed from the first statement inside the batch's transaction (on SQLite the re-read
of the rows still pending, on PostgreSQL the claim of the rows) to the end of its COMMIT.

    DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench LOG_LEVEL=WARNING \\
        DATABASE_URL=sqlite:///COPY.sqlite3 .venv/bin/python bench/tell_hold.py \\
        --meta META.json --batch 50 [--orders 600]

META.json is what bench/setup_data.py writes; use a copy of the bench database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(os.environ.get("BENCH_APP_DIR") or ROOT)))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--meta", type=Path, required=True)
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--orders", type=int, default=600)
    args = p.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone, translation

    from propdesk.desk.services import telling

    settings.ALLOWED_HOSTS = ["*"]
    meta = json.loads(args.meta.read_text())
    client = Client(HTTP_AUTHORIZATION=f"Token {meta['token']}")
    rng = random.Random(20261202)
    for lang in ("zh-hans", "en"):  # the URL resolver's reverse table, as a warm worker has it
        with translation.override(lang):
            reverse("desk-contact", args=[1])
    for _ in range(args.orders):
        body = {
            "community": meta["community"],
            "kind": "repair",
            "household": rng.randint(*meta["households"]),
            "description": "厨房水龙头漏水",
        }
        r = client.post("/api/work-orders/", body, content_type="application/json")
        assert r.status_code == 201, r.content[:200]
    telling._tell_batch(timezone.now(), args.batch)  # warm

    began: dict[str, float] = {}
    first_inside = "_still_pending" if connection.vendor == "sqlite" else "_pending_ids"
    real = getattr(telling, first_inside, None)  # None: a tree whose batch is all inside

    def timed(*a: Any, **kw: Any) -> Any:
        began["t"] = time.perf_counter()
        return real(*a, **kw)  # type: ignore[misc]

    if real is not None:
        setattr(telling, first_inside, timed)
    holds, totals, rows = [], [], 0
    cpu0 = time.process_time()
    while True:
        t0 = began["t"] = time.perf_counter()
        n, _failed = telling._tell_batch(timezone.now(), args.batch)
        t1 = time.perf_counter()
        if n < args.batch:
            break
        rows += n
        holds.append((t1 - began["t"]) * 1000)
        totals.append((t1 - t0) * 1000)
    cpu = (time.process_time() - cpu0) * 1000
    hold = statistics.median(holds)
    print(
        f"{connection.vendor}, batch {args.batch}: {len(holds)} batches, {rows} rows; per batch "
        f"{statistics.median(totals):.1f} ms (median), write lock held {hold:.1f} ms (median, "
        f"max {max(holds):.1f}); worker CPU {cpu / max(rows, 1):.3f} ms per row"
    )


if __name__ == "__main__":
    main()
