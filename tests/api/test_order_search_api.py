"""The API's order list searched by ``q`` as the console's 查找工单 finds an order
(``desk.search``): by its number in any form, its day, the household (a room, and for the
office a phone or a name), or words of its description or location, closed orders too, each way
through an index. Every way keeps to what the user may see; bad input is a structured 400; the
words' pages are not counted and go back a bounded way; on PostgreSQL a search past its time is
cancelled."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from propdesk.desk import search
from propdesk.desk.models import WorkOrder
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition
from tests import factories as f
from tests.conftest import Office, client_for, reported_through_the_api

LIST = "/api/work-orders/"


def _order(office: Office, clock, description: str, **kw) -> WorkOrder:
    draft = WorkOrderDraft(
        kind=kw.pop("kind", "repair"),
        description=description,
        household=kw.pop("household", office.household),
        **kw,
    )
    return work_order_create(
        community=office.community, by=office.receptionist, now=clock.now(), draft=draft
    )


def _act(order: WorkOrder, action: str, by, clock, **kw) -> None:
    order.refresh_from_db()
    work_order_transition(
        order_id=order.pk, action=action, by=by, now=clock.now(), version=order.version, **kw
    )


def _closed(order: WorkOrder, office: Office, clock) -> WorkOrder:
    _act(order, "claim", office.repair_leader, clock)
    _act(order, "resolve", office.repair_leader, clock, note="已修好")
    _act(order, "close", office.administrator, clock)
    order.refresh_from_db()
    return order


def _numbers(r) -> list[str]:
    assert r.status_code == 200, r.json()
    return [o["number"] for o in r.json()["results"]]


def _console(user, office: Office, q: str, **kw) -> list[str]:
    """What the console's 查找工单 finds for ``q``: the same search, as the page reads it."""
    return [row.number for row in search.search_orders(user, office.community, q, **kw).rows]


@pytest.fixture
def orders(office, clock) -> dict[str, WorkOrder]:
    """A closed repair of 3-2-1502 on 2026-11-26, an open one the next day at 3号楼's lift, and a
    neighbour's cleaning order."""
    done = _closed(_order(office, clock, "卫生间漏水"), office, clock)
    clock.advance(days=1)
    lift = _order(office, clock, "电梯异响", location="3号楼 电梯厅", household=None)
    neighbour = f.HouseholdFactory(unit=office.household.unit, community=office.community)
    clock.advance(hours=1)
    cleaning = _order(office, clock, "楼道漏水，请清洁", kind="housekeeping", household=neighbour)
    return {"done": done, "lift": lift, "cleaning": cleaning}


@pytest.mark.parametrize(
    ("said", "expected", "count"),
    [
        # A number read out without its dashes, or typed on a phone's full-width keyboard.
        ("{day}{seq}", ["done"], 1),
        ("ＧＤ－{day}－{seq}", ["done"], 1),
        # A day in the form people write it.
        ("2026-11-27", ["cleaning", "lift"], 2),
        ("2026年11月26日", ["done"], 1),
        # The household: its room as said, the resident's phone and name.
        ("3栋2单元1502", ["done"], 1),
        ("138 1234 5678", ["done"], 1),
        ("张伟", ["done"], 1),
        # Words of the description or the location, each anywhere: not counted.
        ("漏水", ["cleaning", "done"], None),
        ("3号楼 电梯", ["lift"], None),
        ("电梯 异响", ["lift"], None),
    ],
)
def test_q_finds_what_the_console_search_finds_closed_orders_too(
    office, orders, said, expected, count
) -> None:
    _, day, seq = orders["done"].number.split("-")
    q = said.format(day=day, seq=seq)
    if said.startswith("ＧＤ"):
        q = q.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    r = client_for(office.receptionist).get(LIST, {"q": q})
    assert _numbers(r) == [orders[x].number for x in expected]
    assert _numbers(r) == _console(office.receptionist, office, q)
    assert r.json()["count"] == count
    assert orders["done"].state == "closed"


def test_q_by_reads_it_one_way_and_the_other_filters_narrow_it(office, orders) -> None:
    c = client_for(office.receptionist)
    # 张伟 as words is in no order's description; as a household, it is 3-2-1502's.
    assert _numbers(c.get(LIST, {"q": "张伟", "q_by": "words"})) == []
    assert _numbers(c.get(LIST, {"q": "张伟", "q_by": "household"})) == [orders["done"].number]
    # The list's filters narrow what q finds.
    assert _numbers(c.get(LIST, {"q": "漏水", "open": "1"})) == [orders["cleaning"].number]
    assert _numbers(c.get(LIST, {"q": "漏水", "kind": "repair"})) == [orders["done"].number]
    assert _numbers(c.get(LIST, {"q": "漏水", "state": "closed"})) == [orders["done"].number]


def test_another_communitys_orders_are_never_found(office, other_office, orders, clock) -> None:
    theirs = work_order_create(
        community=other_office.community,
        by=other_office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(
            kind="repair", description="卫生间漏水", household=other_office.household
        ),
    )
    assert theirs.number == orders["lift"].number  # each community counts its own
    c = client_for(office.receptionist)
    for q, mine in (
        ("3栋2单元1502", "done"),  # both communities have a 3-2-1502
        ("卫生间 漏水", "done"),
        ("13812345678", "done"),  # 张伟 lives in both
        (theirs.number, "lift"),  # the number is read as this community's
    ):
        found = [o["id"] for o in c.get(LIST, {"q": q}).json()["results"]]
        assert found == [orders[mine].pk], q
    # Named, the other community answers nothing, as the list does for it.
    r = c.get(LIST, {"q": "卫生间 漏水", "community": other_office.community.pk})
    assert r.status_code == 200 and r.json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
    # Its own staff find theirs, not ours.
    found = client_for(other_office.receptionist).get(LIST, {"q": "卫生间 漏水"}).json()
    assert [o["id"] for o in found["results"]] == [theirs.pk]


def test_a_team_member_finds_the_teams_orders_only(office, orders) -> None:
    member = client_for(office.repair_member)  # the repair team: not the cleaning order
    desk = client_for(office.receptionist)
    assert _numbers(desk.get(LIST, {"q": "楼道 漏水"})) == [orders["cleaning"].number]
    assert _numbers(member.get(LIST, {"q": "楼道 漏水"})) == []
    assert _numbers(member.get(LIST, {"q": "卫生间 漏水"})) == [orders["done"].number]
    assert _numbers(member.get(LIST, {"q": "漏水"})) == [orders["done"].number]
    console = _console(office.repair_member, office, "漏水")
    assert _numbers(member.get(LIST, {"q": "漏水"})) == console
    # A resident's phone or name tells a team nothing: no household is found by them.
    for private in ("13812345678", "张伟"):
        r = member.get(LIST, {"q": private, "q_by": "household"})
        assert _numbers(r) == [] and r.json()["count"] == 0, private
    assert _numbers(member.get(LIST, {"q": "3栋2单元1502"})) == [orders["done"].number]


def test_leadership_finds_no_order_by_a_phone(office, other_office, orders) -> None:
    """Leadership reads phones masked: an answer to a number would give the digits back, one
    guess at a time. The front desk finds the household's orders by it."""
    boss = f.UserFactory(username="boss", company=office.community.company, is_leadership=True)
    where = {"community": office.community.pk}
    desk = client_for(office.receptionist)
    lead = client_for(boss)
    for phone in ("13812345678", "138 1234 5678", "+86 13812345678"):
        assert _numbers(desk.get(LIST, {"q": phone})) == [orders["done"].number], phone
        r = lead.get(LIST, {"q": phone, **where})
        assert _numbers(r) == [] and "13812345678" not in r.content.decode(), phone
        r = lead.get(LIST, {"q": phone, "q_by": "household", **where})
        assert _numbers(r) == [], phone
    # Leadership finds by the room and by words as the office does.
    assert _numbers(lead.get(LIST, {"q": "3-2-1502", **where})) == [orders["done"].number]
    # It sees several communities: which one to search is said.
    r = lead.get(LIST, {"q": "3-2-1502"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "validation_error"
    assert list(r.json()["error"]["fields"]) == ["community"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "漏" * (search.MAX_LENGTH + 1)}, "q"),
        ({"q": " ".join(f"词{i}" for i in range(search.MAX_WORDS + 1))}, "q"),
        ({"q": "漏水", "q_by": "phone"}, "q_by"),
        ({"q": "漏水", "page": "abc"}, "page"),
        ({"q": "漏水", "page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "last"}, "page"),
        ({"page": "1.5"}, "page"),
        # Past the first 10,000 rows of a list, and a search of words's 5,000.
        ({"page": "201"}, "page"),
        ({"page": "51", "page_size": "200"}, "page"),
        ({"q": "漏水", "page": "101"}, "page"),
    ],
)
def test_bad_input_is_a_structured_400_naming_the_parameter(office, orders, params, field) -> None:
    before = WorkOrder.objects.count(), list(WorkOrder.objects.values_list("version", flat=True))
    r = client_for(office.receptionist).get(LIST, params)
    assert r.status_code == 400, r.content
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [field]
    assert before == (
        WorkOrder.objects.count(),
        list(WorkOrder.objects.values_list("version", flat=True)),
    )


def test_the_words_pages_are_not_counted_and_say_whether_another_follows(office, orders) -> None:
    c = client_for(office.receptionist)
    first = c.get(LIST, {"q": "漏水", "page_size": "1"}).json()
    assert first["count"] is None and first["previous"] is None
    assert [o["number"] for o in first["results"]] == [orders["cleaning"].number]
    assert "page=2" in first["next"] and "q=" in first["next"]
    second = c.get(first["next"]).json()
    assert second["count"] is None and second["next"] is None
    assert [o["number"] for o in second["results"]] == [orders["done"].number]
    assert second["previous"] and "page=" not in second["previous"]
    # Past the last page, as the list answers it.
    r = c.get(LIST, {"q": "漏水", "page_size": "1", "page": "3"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    # A day's orders are counted, paged like the list.
    day = c.get(LIST, {"q": "20261127", "page_size": "1"}).json()
    assert day["count"] == 2 and "page=2" in day["next"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout: PostgreSQL")
def test_a_search_past_its_time_is_cancelled_with_a_structured_error(
    office, orders, monkeypatch
) -> None:
    slow = Q(RawSQL("pg_sleep(0.2) IS NOT NULL", [], output_field=BooleanField()))
    monkeypatch.setattr("propdesk.api.order_search.SEARCH_TIMEOUT_MS", 50)
    monkeypatch.setattr("propdesk.api.order_search.order_conditions", lambda filters: slow)
    r = client_for(office.receptionist).get(LIST, {"q": "漏水"})
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "search_timeout"
    # The connection goes on, its timeout its own again.
    monkeypatch.undo()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout')")
        assert cursor.fetchone()[0] == "0"
    assert _numbers(client_for(office.receptionist).get(LIST, {"q": "漏水"})) == [
        orders["cleaning"].number,
        orders["done"].number,
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout: PostgreSQL")
def test_a_search_past_its_time_is_logged_as_a_warning_with_no_text_a_failure_still_an_error(
    office, orders, monkeypatch, caplog
) -> None:
    """Django logs every 5xx at ERROR (django.request), which paged an operator for a user's
    too-broad search: the 503 search_timeout is logged once, at WARNING, with the community and
    the search's length, never its text (a phone number); a search that fails is still an
    ERROR."""
    slow = Q(RawSQL("pg_sleep(0.2) IS NOT NULL", [], output_field=BooleanField()))
    monkeypatch.setattr("propdesk.api.order_search.SEARCH_TIMEOUT_MS", 50)
    monkeypatch.setattr("propdesk.api.order_search.order_conditions", lambda filters: slow)
    caplog.set_level(logging.INFO, logger="django.request")
    r = client_for(office.receptionist).get(LIST, {"q": " 漏水 "})
    assert r.status_code == 503 and r.json()["error"]["code"] == "search_timeout"
    logged = [(x.levelname, x.getMessage()) for x in caplog.records if x.name == "django.request"]
    assert logged == [
        (
            "WARNING",
            f"Search timed out: {LIST} (community {office.community.pk}, 2 characters)",
        )
    ]
    assert not any("漏水" in x.getMessage() for x in caplog.records)
    caplog.clear()
    broken = Q(RawSQL("1 / (SELECT 0) = 1", [], output_field=BooleanField()))
    monkeypatch.setattr("propdesk.api.order_search.order_conditions", lambda filters: broken)
    c = client_for(office.receptionist)
    c.raise_request_exception = False
    assert c.get(LIST, {"q": "漏水"}).status_code == 500
    logged = [(x.levelname, x.getMessage()) for x in caplog.records if x.name == "django.request"]
    assert logged == [("ERROR", f"Internal Server Error: {LIST}")]


@pytest.mark.parametrize("path", ["/api/contacts/", "/api/households/", "/api/teams/"])
def test_every_lists_pages_are_bounded_alike(office, path) -> None:
    c = client_for(office.receptionist)
    assert c.get(path, {"page": "1"}).status_code == 200
    for page in ("201", "last", "x"):
        r = c.get(path, {"page": page})
        assert r.status_code == 400, page
        assert list(r.json()["error"]["fields"]) == ["page"], page
    # Within the bound, a page past the last is not found, as before.
    r = c.get(path, {"page": "2"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def _reported_by_a_caller(office: Office, clock, name: str, content: str) -> WorkOrder:
    """FD-2: a call logged with its caller's name, in no household, opening a repair: the order,
    its 报事人 the caller."""
    from propdesk.desk.services import ContactInput, contact_log

    contact = contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=ContactInput(
            channel="phone",
            intent="repair",
            content=content,
            outcome="work_order",
            caller_name=name,
            caller_phone="13900001111",
            work_orders=[WorkOrderDraft(kind="repair", description=content, location="花园")],
        ),
    )
    return contact.work_orders.get()


def test_fd2_q_finds_a_callers_name_counted_in_the_community_for_the_office_only(
    office, other_office, orders, clock
) -> None:
    """``q`` finds an order by the beginning of its reporter's name (王先生, 王), counted, as the
    console does; never another community's; and, as the household lookup's names, only for
    those who read residents' names: a team member finds nothing by it."""
    lamp = _closed(_reported_by_a_caller(office, clock, "王先生", "花园路灯不亮"), office, clock)
    clock.advance(hours=1)
    gate = _reported_by_a_caller(office, clock, "王先生", "北门道闸抬不起来")
    _reported_by_a_caller(other_office, clock, "王先生", "别处的道闸")
    assert lamp.household is None and lamp.reporter_name == "王先生"
    desk = client_for(office.receptionist)
    for q in ("王先生", "王"):
        r = desk.get(LIST, {"q": q})
        assert _numbers(r) == [gate.number, lamp.number], q
        assert r.json()["count"] == 2, q
        assert _numbers(r) == _console(office.receptionist, office, q), q
    assert _numbers(desk.get(LIST, {"q": "王先生", "q_by": "household"})) == [
        gate.number,
        lamp.number,
    ]
    assert _numbers(desk.get(LIST, {"q": "王先生", "q_by": "words"})) == []
    # The list's filters narrow what the name finds.
    assert _numbers(desk.get(LIST, {"q": "王先生", "open": "1"})) == [gate.number]
    member = client_for(office.repair_member)  # the repair team's orders, both of them
    assert _numbers(member.get(LIST, {"q": "道闸"})) == [gate.number]
    for by in ("", "household"):
        r = member.get(LIST, {"q": "王先生", "q_by": by})
        assert _numbers(r) == [], by


def test_q_finds_an_order_by_its_reporters_phone_counted_for_the_office_only(
    office, other_office, orders, clock
) -> None:
    """An order opened through the API has no call: ``q`` finds it by the number its reporter
    gave (a tenant's, no resident's of its household), counted, as the console does; never
    another community's; and only for those who read phones whole."""
    tenant = reported_through_the_api(office, "137 0000 7777", "卫生间漏水", office.household)
    clock.advance(hours=1)
    lamp = reported_through_the_api(office, "13700007777", "花园路灯不亮", location="花园")
    elsewhere = reported_through_the_api(other_office, "13700007777", "别处的道闸", location="大门")
    desk = client_for(office.receptionist)
    for q in ("13700007777", "137 0000 7777", "+86 137-0000-7777"):
        for by in ("", "household"):
            r = desk.get(LIST, {"q": q, "q_by": by})
            assert _numbers(r) == [lamp.number, tenant.number], (q, by)
            assert r.json()["count"] == 2, (q, by)
            assert elsewhere.pk not in [o["id"] for o in r.json()["results"]], (q, by)
        assert _numbers(desk.get(LIST, {"q": q})) == _console(office.receptionist, office, q), q
    # The list's filters narrow what the number finds; a page of one says another follows.
    r = desk.get(LIST, {"q": "13700007777", "kind": "repair", "page_size": "1"})
    assert _numbers(r) == [lamp.number] and r.json()["count"] == 2 and r.json()["next"]
    other = client_for(other_office.receptionist)
    assert _numbers(other.get(LIST, {"q": "13700007777"})) == [elsewhere.number]
    # A team member (the repair team's orders, both of them) and leadership: nothing by it.
    boss = f.UserFactory(username="boss", company=office.community.company, is_leadership=True)
    member = client_for(office.repair_member)
    assert _numbers(member.get(LIST, {"q": "3-2-1502"})) == [tenant.number, orders["done"].number]
    for who, where in ((member, {}), (client_for(boss), {"community": office.community.pk})):
        for q in ("13700007777", "1370000"):
            r = who.get(LIST, {"q": q, "q_by": "household", **where})
            assert _numbers(r) == [] and r.json()["count"] == 0, q
            r = who.get(LIST, {"q": q, **where})
            assert _numbers(r) == [] and "13700007777" not in r.content.decode(), q
