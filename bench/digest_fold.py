"""Issue 15: the cost of folding one notification into a person's summary (notify/cap.py), A/B.

    .venv/bin/python bench/digest_fold.py [--path /tmp/x.sqlite3] [--rounds 12] [--folds 200]
        [--base main]

"base" is ``fold_into_digest`` as it is on the ``--base`` commit (its cap.py, read with
``git show`` and loaded beside the work tree's: the items in the summary's JSON payload); "rows"
is the work tree's (one DigestItem row per fold). Both run in this one process, on one fresh
SQLite database (WAL, as the app sets it), round by round in alternating order (ABBA), each run
a new person whose summary takes ``--folds`` folds, each fold in its own transaction (as inside
``notifications_create``). Printed per variant: the median fold, the median of the last 20 folds
of a run (the summary at its fullest), the median run total, and the ratios, with the load
average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import types
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def base_fold(commit: str) -> Any:
    """``fold_into_digest`` of ``commit``'s cap.py, loaded as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{commit}:propdesk/notify/cap.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("bench_base_cap")
    exec(compile(source, f"{commit}:propdesk/notify/cap.py", "exec"), module.__dict__)  # noqa: S102 - our own file at a commit
    return module.fold_into_digest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", type=Path, default=ROOT / "bench" / "out" / "digest-fold.sqlite3")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--folds", type=int, default=200)
    parser.add_argument("--base", default="main")
    args = parser.parse_args()
    setup_django(args.path)

    from django.db import transaction

    from propdesk.community.models import Community, Company, User
    from propdesk.notify import cap as rows_cap
    from propdesk.notify.models import Notification
    from propdesk.policy.rules import load_policy

    variants = {"base": base_fold(args.base), "rows": rows_cap.fold_into_digest}
    policy = load_policy().notify_cap
    company = Company.objects.create(name="bench")
    community = Community.objects.create(company=company, name="锦绣花园", code="jxhy")
    title = "CP-1 投诉10分钟内安排管理员处理：GD-20261201-0001 已超时（1级），请尽快处理并回复业主"
    per_fold: dict[str, list[float]] = {k: [] for k in variants}
    last: dict[str, list[float]] = {k: [] for k in variants}
    totals: dict[str, list[float]] = {k: [] for k in variants}
    load_before = os.getloadavg()
    n = 0
    for r in range(args.rounds):
        order = list(variants) if r % 2 == 0 else list(variants)[::-1]
        for name in order:
            n += 1
            leader = User.objects.create(username=f"leader-{n}", name="班长", company=company)
            now = datetime.now(UTC)
            fold = variants[name]
            times = []
            for i in range(args.folds):
                t0 = time.perf_counter()
                with transaction.atomic():
                    fold(
                        cap=policy,
                        community_id=community.pk,
                        recipient_id=leader.pk,
                        cause=f"order:{n}:{i}:created",
                        kind="order_created",
                        title=title,
                        payload={"order": 10_000 + i, "number": f"GD-{i:04d}", "url": f"/o/{i}/"},
                        now=now,
                        told_checked=True,
                    )
                times.append(time.perf_counter() - t0)
            assert Notification.objects.get(recipient=leader).payload["count"] == args.folds
            per_fold[name] += times
            last[name] += times[-20:]
            totals[name].append(sum(times))
    load_after = os.getloadavg()

    def ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    print(f"{args.rounds} rounds × {args.folds} folds per variant, SQLite, base={args.base}")
    print(f"load average before {load_before}, after {load_after}")
    for name in variants:
        print(
            f"{name:5} median fold {ms(per_fold[name]):.3f} ms · last 20 folds "
            f"{ms(last[name]):.3f} ms · run of {args.folds} {ms(totals[name]):.1f} ms"
        )
    print(
        "rows/base: fold ×{:.2f} · last 20 ×{:.2f} · run ×{:.2f}".format(
            ms(per_fold["rows"]) / ms(per_fold["base"]),
            ms(last["rows"]) / ms(last["base"]),
            ms(totals["rows"]) / ms(totals["base"]),
        )
    )


if __name__ == "__main__":
    main()
