"""The console's list pages written to files, to show that a change drew every byte as before.

    bench/console_same.py --url sqlite:////tmp/x/console.sqlite3 --out /tmp/same/branch
    bench/console_same.py --url … --out /tmp/same/main --app /tmp/console-ab/main
    diff -r /tmp/same/main /tmp/same/branch && echo SAME

Renders, through Django's whole stack (django.test.Client, as bench/console.py measures them),
on a loaded bench database (bench/console.py's data: run it once on the file first) at the same
injected time as bench/console.py, every page the console benchmark measures and their
neighbours: the board (full page, htmx refresh, page 2, each filter, a team leader's board), each
role's 我的待办 (full and live region), every section's own page (查看全部, page 2), the orders to
assign, the return visits' complaints, my jobs (a member's and a leader's, page 2), two order
pages and a job's page; in Chinese, then again with the same people reading English. The CSRF
tokens (random per request) are masked. ``--app``: the code to render with (a ``git archive``
of main, say); the default is this tree. The database's rows are not changed (a person's
language is set for the English pass and put back).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")|("X-CSRFToken": ")[^"]+(")')


def masked(html: str) -> str:
    return TOKEN.sub(lambda m: "".join(g for g in m.groups() if g is not None), html)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--app", default=str(ROOT), help="the code tree to render with")
    args = p.parse_args()
    app = Path(args.app).resolve()
    sys.path.insert(0, str(app))
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    os.environ.setdefault("STATIC_ROOT", str(Path(args.out).resolve().parent / "static"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    spec = importlib.util.spec_from_file_location("bench_console", app / "bench" / "console.py")
    assert spec and spec.loader
    bench_console = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_console)

    from django.db.models import Count, Q
    from django.test import Client

    from propdesk.community.models import Building, Community, Membership, Team, User
    from propdesk.core.clock import FixedClock, set_clock
    from propdesk.desk.models import WorkOrder
    from propdesk.policy.workflow import OPEN_STATES

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    OPEN = [s.value for s in OPEN_STATES]
    community = Community.objects.order_by("id").first()
    assert community is not None
    now = WorkOrder.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    now += timedelta(hours=12)
    set_clock(FixedClock(now))
    bench_console.add_clocks_and_duty(now)
    cid = community.pk

    def user(role: str) -> User:
        return Membership.objects.filter(community=community, role=role).first().user  # type: ignore[union-attr]

    repair = Team.objects.get(community=community, kind="repair")
    leader = repair.leader
    member = (
        repair.members.annotate(
            jobs=Count("assigned_orders", filter=Q(assigned_orders__state__in=OPEN))
        )
        .order_by("-jobs", "id")
        .first()
    )
    admin, head, reception = user("administrator"), user("office_head"), user("receptionist")
    building = Building.objects.filter(community=community).order_by("number").first()
    assert building is not None and leader is not None and member is not None
    open_repair = (
        WorkOrder.objects.filter(community=community, kind="repair", state="dispatched")
        .order_by("-id")
        .values_list("pk", flat=True)[0]
    )
    closed = (
        WorkOrder.objects.filter(community=community, state="closed")
        .order_by("-id")
        .values_list("pk", flat=True)[0]
    )
    board = f"/desk/{cid}/board/"
    queue = f"/desk/{cid}/queue/"
    jobs = f"/desk/{cid}/jobs/"
    pages: list[tuple[str, User, str, bool]] = [
        ("board", admin, board, False),
        ("board-htmx", admin, board, True),
        ("board-p2", admin, board + "?page=2", False),
        ("board-p2-htmx", admin, board + "?page=2", True),
        ("board-overdue", admin, board + "?overdue=1", True),
        ("board-complaints", admin, board + "?kind=complaint", True),
        ("board-emergency", admin, board + "?kind=emergency", True),
        ("board-team", admin, board + f"?team={repair.pk}", True),
        ("board-state", admin, board + "?state=dispatched&page=3", True),
        ("board-building", admin, board + f"?building={building.pk}", True),
        ("board-leader", leader, board, False),
        ("board-leader-htmx", leader, board, True),
        ("board-head", head, board, False),
    ]
    for name, who in (
        ("admin", admin),
        ("head", head),
        ("leader", leader),
        ("member", member),
        ("reception", reception),
    ):
        pages += [(f"queue-{name}", who, queue, False), (f"queue-{name}-htmx", who, queue, True)]
    for name, who, keys in (
        ("admin", admin, ("take", "replies", "followups", "weekly")),
        ("head", head, ("take", "special", "replies", "recoveries", "followups", "weekly")),
        ("head", head, ("escalations",)),
        ("reception", reception, ("visits",)),
        ("leader", leader, ("assign",)),
    ):
        for key in keys:
            url = f"{queue}{key}/"
            pages += [
                (f"section-{name}-{key}", who, url, False),
                (f"section-{name}-{key}-htmx", who, url, True),
                (f"section-{name}-{key}-p2", who, url + "?page=2", True),
            ]
    pages += [
        ("jobs-member", member, jobs, False),
        ("jobs-member-htmx", member, jobs, True),
        ("jobs-member-p2", member, jobs + "?page=2", True),
        ("jobs-leader", leader, jobs, False),
        ("jobs-leader-htmx", leader, jobs, True),
        ("jobs-leader-p2", leader, jobs + "?page=2", True),
        ("visits", admin, f"/desk/{cid}/visits/", False),
        ("order-open", reception, f"/desk/orders/{open_repair}/", False),
        ("order-closed", reception, f"/desk/orders/{closed}/", False),
        ("job-open", leader, f"/desk/jobs/{open_repair}/", False),
    ]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    people = {who.pk: who.language for _n, who, _u, _h in pages}
    try:
        for language in ("", "en"):
            User.objects.filter(pk__in=people).update(language=language)
            for n, (name, who, url, htmx) in enumerate(pages):
                client = Client()
                client.force_login(User.objects.get(pk=who.pk))
                headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
                r = client.get(url, **headers)
                assert r.status_code == 200, (name, url, r.status_code)
                suffix = f"-{language}" if language else ""
                path = out / f"{n:02d}-{name}{suffix}.html"
                path.write_text(masked(r.content.decode()), encoding="utf-8")
    finally:
        for pk, language in people.items():
            User.objects.filter(pk=pk).update(language=language)
    import propdesk

    print(f"{len(pages) * 2} pages written to {out} by {Path(propdesk.__file__).parent}")


if __name__ == "__main__":
    main()
