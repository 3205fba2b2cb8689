"""Scale (issue 15): the back office's lists of the tables that grow with the orders read what
they show, whatever the size of the table.

At 1,000,000 orders (2.7 M clocks, 1 M events) these lists took 1.3 to 11 seconds: Django's date
hierarchy read every row's day, the filter by rule every clock's rule, the model's ordering by a
time sorted every row for a superuser, and the orders' list read each team's community once per
row (109 statements for 100 orders). Each is now a ``GrowingList``: the newest first by id, a
filter by day, the count of the filtered rows only (bench/RESULTS.md, "The back office's lists
at 1,000,000")."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from propdesk.calls.models import Call
from propdesk.clocks.models import Clock
from propdesk.community.backoffice import CountedUpTo, GrowingList
from propdesk.community.models import Team, User
from propdesk.desk.models import Contact, WorkOrder, WorkOrderEvent
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition
from propdesk.followup.models import ReturnVisit
from propdesk.notify.models import Notification
from propdesk.portal.models import SignIn
from tests import factories as f
from tests.conftest import backoffice_client

GROWING = [Clock, WorkOrder, WorkOrderEvent, Contact, Notification, Call, SignIn, ReturnVisit]
LISTS = ["/admin/desk/workorder/", "/admin/desk/workorderevent/", "/admin/clocks/clock/"]


def test_the_tables_that_grow_with_the_orders_have_growing_lists() -> None:
    for model in GROWING:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, GrowingList), model
        assert not model_admin.date_hierarchy and not model_admin.show_full_result_count
        assert model_admin.show_facets is admin.ShowFacets.NEVER


def _orders(office: Any, clock: Any, n: int) -> list[WorkOrder]:
    """``n`` repairs, each sent to a team (its own: a team is named with its community)."""
    made = []
    for _ in range(n):
        name = f"维修{Team.objects.count()}班"
        team = f.TeamFactory(community=office.community, kind="repair", name=name)
        order = work_order_create(
            community=office.community,
            by=office.receptionist,
            now=clock.now(),
            draft=WorkOrderDraft(kind="repair", description="水管漏水", household=office.household),
        )
        made.append(
            work_order_transition(
                order_id=order.pk,
                action="dispatch",
                by=office.administrator,
                now=clock.now(),
                version=order.version,
                team=team,
            )
        )
        clock.at += timedelta(minutes=1)
    return made


def _read(client: Client, url: str) -> tuple[list[Any], list[str]]:
    """The list's rows and statements, read a second time (as on any later visit: a new policy
    version's rules are read once)."""
    client.get(url)
    with CaptureQueriesContext(connection) as q:
        page = client.get(url)
    assert page.status_code == 200, url
    return list(page.context["cl"].result_list), [x["sql"] for x in q.captured_queries]


@pytest.fixture
def root() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-123456!"))
    return client


@pytest.mark.parametrize("who", ["superuser", "office head"])
@pytest.mark.parametrize("url", LISTS)
def test_a_growing_list_reads_the_same_statements_for_more_rows_newest_first(
    office, other_office, clock, root, url, who
) -> None:
    """Also for an office head: the filter by community offers their communities without
    reading which communities the listed rows are of (DISTINCT over every row)."""
    client = root if who == "superuser" else backoffice_client(office.head)
    _orders(other_office, clock, 1)
    _orders(office, clock, 2)
    _rows, few = _read(client, url)
    _orders(office, clock, 12)
    rows, more = _read(client, url)
    if who != "superuser":
        assert {r.community_id for r in rows} == {office.community.pk}
    assert len(more) == len(few), "a statement per row"
    assert [r.pk for r in rows] == sorted((r.pk for r in rows), reverse=True)
    model = rows[0]._meta.model
    assert len(rows) == model.objects.filter(community__in={r.community_id for r in rows}).count()
    for sql in more:
        # No day of every row (the date hierarchy), no distinct value of every row.
        assert "DISTINCT" not in sql.upper() and "TRUNC" not in sql.upper(), sql
    # The sidebar's "显示计数" (Django's facets: a count of every row for each choice) is off.
    _rows, faceted = _read(client, f"{url}?_facets=True")
    assert len(faceted) == len(more)


def test_a_growing_list_is_filtered_by_day(office, clock, root) -> None:
    # Django's filter says "today" by the real time: the orders are of the real yesterday and
    # today, at one in the morning.
    one_am = timezone.localtime().replace(hour=1, minute=0, second=0, microsecond=0)
    clock.at = one_am - timedelta(days=1)
    yesterday = _orders(office, clock, 2)
    clock.at = one_am
    today = _orders(office, clock, 3)
    page = root.get("/admin/desk/workorder/")
    spec = next(s for s in page.context["cl"].filter_specs if s.field_path == "created_at")
    link = dict(spec.links)["今天"]  # Django's words, in the office's language
    assert "今天" in page.content.decode()
    listed, _ = _read(root, f"/admin/desk/workorder/?{urlencode(link)}")
    assert {o.pk for o in listed} == {o.pk for o in today}
    assert not {o.pk for o in listed} & {o.pk for o in yesterday}


def _paginator(text: str) -> str:
    found = re.search(r'<p class="paginator">(.*?)</p>', text, re.S)
    assert found, "no paginator"
    return found.group(1)


@pytest.mark.parametrize("url", LISTS)
def test_a_growing_list_counts_up_to_its_cap_and_says_so(
    office, clock, root, url, monkeypatch
) -> None:
    """At 1,000,000 orders Django's count of a list's filtered rows read them all (90-260 ms a
    page). A growing list counts a limited subquery: past the cap it says "N+" and that a
    filter finds older rows; at the cap and under it, the exact count as before."""
    _orders(office, clock, 3)
    total = {
        "/admin/desk/workorder/": WorkOrder,
        "/admin/desk/workorderevent/": WorkOrderEvent,
        "/admin/clocks/clock/": Clock,
    }[url].objects.count()
    assert total >= 3
    monkeypatch.setattr(CountedUpTo, "cap", total)
    page = root.get(url)
    text = page.content.decode()
    # The count is read in the paginator's line: the date filter's links carry "…-06+00:00".
    assert page.context["cl"].result_count == total and f"{total}+" not in _paginator(text)
    assert "只数到" not in text

    monkeypatch.setattr(CountedUpTo, "cap", total - 1)
    _rows, statements = _read(root, url)
    page = root.get(url)
    text = page.content.decode()
    cl = page.context["cl"]
    assert cl.result_count == total - 1 and cl.paginator.capped
    assert f"{total - 1}+" in _paginator(text)
    assert f"只数到 {total - 1} 条；更早的请用右侧的日期筛选查找。" in text
    count = next(s for s in statements if "COUNT(" in s.upper())
    assert f"LIMIT {total}" in count.upper(), count


def test_the_back_offices_events_say_the_orders_states_and_acts_in_its_words(office, clock) -> None:
    """The office head reading 工单处理记录 (the list, and an order's page) reads each line's act
    and states as the console says them, in the order's words: a complaint 受理 → 已受理 and
    办结 → 已办结, a repair 已派单; never the keys (new, accepted, resolved) nor 完工 on a
    complaint (GLOSSARY.md)."""
    complaint = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(
            kind="complaint",
            complaint_type="general",
            description="噪音",
            household=office.household,
        ),
    )
    for action in ("take", "resolve"):
        complaint = work_order_transition(
            order_id=complaint.pk,
            action=action,
            by=office.administrator,
            now=clock.now(),
            version=complaint.version,
            note="已处理" if action == "resolve" else "",
        )
    _orders(office, clock, 1)
    client = backoffice_client(office.head)
    rows = re.findall(
        r"<tr>(.*?)</tr>", client.get("/admin/desk/workorderevent/").content.decode(), re.S
    )
    cells = [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)
        ]
        for r in rows
    ]
    lines = {tuple(c[2:5]) for c in cells if len(c) >= 5 and c[1] == complaint.number}
    assert ("受理", "新建", "已受理") in lines, lines
    assert ("办结", "已受理", "已办结") in lines, lines
    repair = next(c for c in cells if len(c) >= 5 and c[2] == "已派单")
    assert repair[4] == "已派单", repair
    keys = {"new", "accepted", "resolved", "dispatched"}
    assert not keys & {c for row in cells for c in row}, cells
    assert not [c for c in cells if len(c) >= 5 and c[1] == complaint.number and c[2] == "完工"]
    page = client.get(f"/admin/desk/workorder/{complaint.pk}/change/").content.decode()
    assert "已办结" in page and ">resolved<" not in page and ">accepted<" not in page
