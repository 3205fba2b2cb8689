"""查找工单: an owner rings about an order, and the front desk finds it by what the owner says of
it: its number read out in any form, the day it was opened, the room, the phone or the name, or
words of what was reported; closed orders as well as open ones. Every way keeps to what the user
may see: the desk's community, a team's own orders, residents' phones only for those who read
them."""

from __future__ import annotations

import logging
import re

import pytest
from django.db import connection
from django.urls import reverse

from propdesk.desk import search
from propdesk.desk.models import WorkOrder
from propdesk.desk.search import MAX_LENGTH, PAGE
from propdesk.incidents.services import emergency_log
from tests import factories as f
from tests.conftest import reported_through_the_api
from tests.web.conftest import act, browser_for


def url(office, q: str = "", **more: str) -> str:
    params = {"q": q, **more} if q or more else {}
    from urllib.parse import urlencode

    return reverse("desk-search", args=[office.community.pk]) + (
        f"?{urlencode(params)}" if params else ""
    )


def numbers(html: str) -> list[str]:
    return re.findall(r'data-order="([^"]+)"', html)


def summary(html: str) -> str:
    found = re.search(r'<p class="counts" id="search-summary">(.*?)</p>', html, re.S)
    assert found, "no summary line"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip()


def closed(order, office, clock):
    act(order, "claim", office.repair_leader, clock)
    act(order, "resolve", office.repair_leader, clock, note="已修好")
    return act(order, "close", office.administrator, clock)


def test_a_number_read_out_in_any_form_opens_its_order_closed_too(
    office, clock, open_order
) -> None:
    order = closed(open_order(), office, clock)
    prefix, day, seq = order.number.split("-")
    page = browser_for(office.receptionist)
    for said in (
        order.number,
        order.number.lower(),
        f"{day}-{seq}",
        f"{day}{seq}",
        f"{day} {int(seq)}",
        f" {prefix}{day}{seq} ",
        # As a phone's keyboard may give it: full-width digits and dash.
        f"{day}－{seq}".translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        # Copied out of a chat, with a zero-width space; or from a list's page 2.
        f"{order.number}\u200b",
    ):
        r = page.get(url(office, said))
        assert r.status_code == 302, said
        assert r["Location"] == reverse("desk-order", args=[order.pk]), said
    r = page.get(url(office, order.number, page="2"))
    assert r.status_code == 302 and r["Location"] == reverse("desk-order", args=[order.pk])
    assert order.state == "closed"


def test_a_number_with_the_prefix_as_the_office_set_it_lower_case_or_old(
    office, clock, open_order
) -> None:
    office.community.order_prefix = "jx"
    office.community.save()
    order = open_order()
    assert order.number.startswith("jx-")
    page = browser_for(office.receptionist)
    for said in (order.number, order.number.upper(), order.number[3:]):
        r = page.get(url(office, said))
        assert r.status_code == 302 and r["Location"] == reverse("desk-order", args=[order.pk])
    # The prefix changed since: the old orders keep theirs, and are found by it.
    office.community.order_prefix = "NEW"
    office.community.save()
    r = page.get(url(office, order.number.upper()))
    assert r.status_code == 302 and r["Location"] == reverse("desk-order", args=[order.pk])


def test_a_number_not_found_says_so_and_never_opens_what_is_not_yours(
    office, other_office, clock, open_order
) -> None:
    mine = open_order()  # a repair: the repair team's
    # Another community's order, with the same day's number as mine (each counts its own).
    elsewhere = open_order(at=other_office, description="别处的单")
    assert elsewhere.number == mine.number  # both GD-…-0001, one in each community
    # The cleaning team's leader may not see the repair team's order: no way to it by number.
    html = browser_for(office.cleaning_leader).get(url(office, mine.number)).content.decode()
    assert summary(html) == f"本小区没有您可查看的工单号为 {mine.number} 的工单。"
    assert numbers(html) == []
    # The other community's staff, at their own desk, open their own order, never mine.
    r = browser_for(other_office.receptionist).get(url(other_office, mine.number))
    assert r["Location"] == reverse("desk-order", args=[elsewhere.pk])
    # A number no order has.
    missing = mine.number[:-4] + "9999"
    html = browser_for(office.receptionist).get(url(office, missing)).content.decode()
    assert summary(html) == f"本小区没有您可查看的工单号为 {missing} 的工单。"


def test_a_day_lists_the_orders_opened_that_local_day(office, clock, open_order) -> None:
    # 2026-11-26 10:00 in Shanghai; one order at 23:30 that day and one at 00:30 the next.
    first = open_order(description="当天上午")
    clock.advance(hours=13, minutes=30)
    late = open_order(description="当天深夜")
    clock.advance(hours=1)
    next_day = open_order(description="次日凌晨")
    page = browser_for(office.administrator)
    for said in ("20261126", "2026-11-26", "2026年11月26日"):
        html = page.get(url(office, said)).content.decode()
        assert summary(html) == "2026-11-26 开出的工单：共 2 单", said
        assert numbers(html) == [late.number, first.number]  # newest first
    html = page.get(url(office, "20261127")).content.decode()
    assert numbers(html) == [next_day.number]
    # Eight digits may be a local phone too: the other readings are a link away.
    assert "?q=20261127&amp;by=household" in html and "?q=20261127&amp;by=words" in html


def test_a_room_phone_or_name_lists_the_households_orders_open_and_closed(
    office, clock, open_order
) -> None:
    done = closed(open_order(description="卫生间漏水"), office, clock)
    clock.advance(hours=1)
    still_open = open_order(description="门锁坏了")
    neighbour = f.HouseholdFactory(unit=office.household.unit, community=office.community)
    clock.advance(hours=1)
    open_order(household=neighbour, description="邻居的单")
    page = browser_for(office.receptionist)
    for said in ("3-2-1502", "3栋2单元1502", "138 1234 5678", "+86 13812345678", "张伟"):
        html = page.get(url(office, said)).content.decode()
        assert numbers(html) == [still_open.number, done.number], said
        assert summary(html) == "3-2-1502 的工单：共 2 单", said
        # Each room kept whole where the line wraps (a phone's screen broke 5-1-1001 after a
        # hyphen): its own span, which console.css keeps on one line.
        assert '<span class="room-code">3-2-1502</span> 的工单' in html, said
    # Read as words instead, the name is in no order's description.
    html = page.get(url(office, "张伟", by="words")).content.decode()
    assert numbers(html) == [] and "没有工单的描述或地点含有“张伟”" in summary(html)
    # A household with no orders yet, asked for as a household.
    html = page.get(url(office, "3-2-9999", by="household")).content.decode()
    assert summary(html) == "没有匹配的住户。"


def test_a_team_member_finds_a_room_but_not_by_a_residents_phone_or_name(
    office, clock, open_order
) -> None:
    repair = open_order(description="水管爆裂")
    open_order(kind="housekeeping", description="楼道清洁")  # the cleaning team's, same household
    member = browser_for(office.repair_member)
    html = member.get(url(office, "3-2-1502")).content.decode()
    assert numbers(html) == [repair.number]  # the team's orders only
    for private in ("13812345678", "张伟"):
        html = member.get(url(office, private, by="household")).content.decode()
        assert numbers(html) == [] and summary(html) == "没有匹配的住户。", private


def logged(office, phone: str, content: str, room: str = "", location: str = "") -> WorkOrder:
    """A call the front desk logs into an order, as the receptionist does at the intake."""
    r = browser_for(office.receptionist).post(
        reverse("desk-intake", args=[office.community.pk]),
        {
            "channel": "phone",
            "caller_phone": phone,
            "caller_name": "王先生",
            "room": room,
            "location": location or ("" if room else "小区公共区域"),
            "intent": "repair",
            "content": content,
            "outcome": "work_order",
        },
    )
    assert r.status_code == 302, re.findall(r"errorlist[^>]*>(.*?)</ul>", r.content.decode(), re.S)
    return WorkOrder.objects.filter(contact__isnull=False).latest("id")


def test_a_callers_phone_finds_the_orders_reported_from_it_in_no_household(
    office, other_office, clock, open_order
) -> None:
    """A tenant or a passer-by who rang about the garden's lamp is in no household: the number
    they ring from again finds what they reported, closed too; a resident's number finds the
    household's orders and the ones reported from it for another place."""
    lamp = closed(logged(office, "139 0000 1111", "花园路灯不亮"), office, clock)
    clock.advance(hours=1)
    gate = logged(office, "13900001111", "北门道闸抬不起来")
    assert lamp.household is None and gate.household is None
    elsewhere = logged(other_office, "13900001111", "另一个小区的事")  # not this desk's community
    page = browser_for(office.receptionist)
    for said in ("13900001111", "139-0000-1111", "+86 139 0000 1111"):
        html = page.get(url(office, said)).content.decode()
        assert numbers(html) == [gate.number, lamp.number], said
        assert summary(html) == "从 13900001111 报来的工单：共 2 单", said
    # Numbers are the community's own (the other's is GD-…-0001 too): its page is not linked.
    assert reverse("desk-order", args=[elsewhere.pk]) not in html
    # The resident of 3-2-1502 (13812345678) rings about the neighbour's leak through his ceiling.
    clock.advance(hours=1)
    own = open_order(description="门锁坏了")
    neighbour = f.HouseholdFactory(unit=office.household.unit, community=office.community)
    clock.advance(hours=1)
    leak = logged(office, "13812345678", "楼上漏水渗到我家", room=neighbour.code)
    assert leak.household == neighbour
    html = page.get(url(office, "13812345678")).content.decode()
    assert numbers(html) == [leak.number, own.number]
    assert summary(html) == "3-2-1502 的工单或从 13812345678 报来的工单：共 2 单"
    # Only whole numbers: a part of one is a household's phone being typed.
    html = page.get(url(office, "1390000")).content.decode()
    assert gate.number not in html


def test_the_front_desks_panel_shows_what_a_caller_in_no_household_reported(
    office, clock, open_order
) -> None:
    """The passer-by rings again: as the number is typed, the panel beside the form shows what
    was reported from it before, closed too, and leads to all of it."""
    first = closed(logged(office, "13900001111", "花园路灯不亮"), office, clock)
    clock.advance(hours=1)
    later = [logged(office, "13900001111", f"北门道闸第{i}次抬不起来") for i in range(5)]
    page = browser_for(office.receptionist)
    panel = reverse("desk-intake-lookup", args=[office.community.pk])
    html = page.get(panel, {"caller_phone": "139 0000 1111", "field": "caller_phone"}).content
    html = html.decode()
    assert "没有匹配的住户" in html and "从这个号码报来的工单：共 6 单" in html
    shown = re.findall(r'<a href="/desk/orders/(\d+)/"', html)
    assert shown == [str(o.pk) for o in reversed(later)]  # the newest five
    assert first.number not in html and "?q=13900001111&amp;by=household" in html
    # A number that never rang, or a resident's (the household's own panel), shows none of it.
    html = page.get(panel, {"caller_phone": "13900002222", "field": "caller_phone"}).content
    assert "报来的工单" not in html.decode()
    html = page.get(panel, {"caller_phone": "13812345678", "field": "caller_phone"}).content
    assert "3-2-1502" in html.decode() and "报来的工单" not in html.decode()
    # A room that is none, typed beside a resident's number: the panel lists what the number
    # reported, not the household's own orders as if it had.
    mine = open_order(description="门锁坏了")
    html = page.get(
        panel, {"room": "9-9-999", "field": "room", "caller_phone": "13812345678"}
    ).content.decode()
    assert mine.number not in html and "报来的工单" not in html


def test_a_team_member_finds_nothing_by_a_callers_phone(office, clock) -> None:
    gate = logged(office, "13900001111", "北门道闸抬不起来")
    assert gate.team == office.repair
    member = browser_for(office.repair_member)
    for by in ("", "household"):
        html = member.get(url(office, "13900001111", by=by)).content.decode()
        assert gate.number not in html, by


def test_another_communitys_busy_number_hides_nothing_here(
    office, other_office, clock, monkeypatch
) -> None:
    """The newest calls read are this community's: a number that rang another community many
    times more (a contractor's, a tenant with flats in both) still finds what it reported here.
    Past the cap, the newest are read, and the page says so."""
    monkeypatch.setattr(search, "CALLS", 3)
    here = logged(office, "13900001111", "花园路灯不亮")
    for i in range(4):
        logged(other_office, "13900001111", f"别处第{i}单")
    page = browser_for(office.receptionist)
    html = page.get(url(office, "13900001111")).content.decode()
    assert numbers(html) == [here.number] and "最近" not in summary(html)
    for i in range(3):
        clock.advance(minutes=1)
        logged(office, "13900001111", f"北门道闸第{i}次抬不起来")
    html = page.get(url(office, "13900001111")).content.decode()
    assert len(numbers(html)) == 3 and here.number not in numbers(html)
    assert "只读这个号码最近 3 次来电" in summary(html)


def test_leadership_finds_no_one_by_a_phone_it_reads_masked(office, clock, open_order) -> None:
    """Company leadership reads residents' names and their phones masked (138****5678): a
    search that answered for a whole or partial number would give the masked digits back one
    guess at a time. It finds by room and name; by a phone, nothing."""
    boss = f.UserFactory(username="boss", is_leadership=True, company=office.community.company)
    own = open_order(description="门锁坏了")
    gate = logged(office, "13900001111", "北门道闸抬不起来")
    page = browser_for(boss)
    for said in ("3-2-1502", "张伟"):
        assert numbers(page.get(url(office, said, by="household")).content.decode()) == [
            own.number
        ], said
    for said in ("13812345678", "1381234", "13900001111"):
        html = page.get(url(office, said, by="household")).content.decode()
        assert numbers(html) == [] and summary(html) == "没有匹配的住户。", said
    assert gate.number not in page.get(url(office, "13900001111")).content.decode()
    # The API's household search has the same rule.
    for q, found in (("1381234", 0), ("13812345678", 0), ("张伟", 1)):
        api = page.get("/api/households/", {"q": q, "community": office.community.pk})
        assert api.status_code == 200 and api.json()["count"] == found, q


def test_a_reporters_phone_finds_the_orders_opened_without_a_call(
    office, other_office, clock
) -> None:
    """An order opened through the API, or an emergency's, has no call: the number its reporter
    gave (a tenant of 3-2-1502, whose residents have another) finds it, closed too, with what
    the number's calls reported, in one list counted once; never another community's order
    with the number."""
    tenant = closed(
        reported_through_the_api(office, "137 0000 7777", "卫生间漏水", office.household),
        office,
        clock,
    )
    clock.advance(hours=1)
    fire = emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋大堂",
        caller_phone="13700007777",
    ).order
    elsewhere = reported_through_the_api(other_office, "13700007777", "别处的事", location="大门")
    assert (tenant.reporter_phone, fire.reporter_phone) == ("13700007777", "13700007777")
    assert fire.contact_id is None and elsewhere.reporter_phone == "13700007777"
    page = browser_for(office.receptionist)
    for said in ("13700007777", "137-0000-7777", "+86 137 0000 7777"):
        for by in ("", "household"):
            html = page.get(url(office, said, by=by)).content.decode()
            assert numbers(html) == [fire.number, tenant.number], (said, by)
            assert summary(html) == "从 13700007777 报来的工单：共 2 单", (said, by)
            assert reverse("desk-order", args=[elsewhere.pk]) not in html, (said, by)
    # The tenant rings from it too: the call's order joins them.
    clock.advance(hours=1)
    gate = logged(office, "13700007777", "北门道闸抬不起来")
    html = page.get(url(office, "13700007777")).content.decode()
    assert numbers(html) == [gate.number, fire.number, tenant.number]
    assert summary(html) == "从 13700007777 报来的工单：共 3 单"
    # Only whole numbers: a part of one finds no order by its reporter.
    html = page.get(url(office, "1370000")).content.decode()
    assert tenant.number not in html and fire.number not in html
    # The other community's desk finds its own order by the number, not these.
    html = browser_for(other_office.receptionist).get(url(other_office, "13700007777")).content
    assert numbers(html.decode()) == [elsewhere.number]


def test_a_residents_phone_finds_the_households_orders_and_what_it_reported_once(
    office, clock, open_order
) -> None:
    """张伟 of 3-2-1502 (13812345678) reported, through the API, his own leak and the garden's
    lamp: his number finds both, the first once though it is found both ways, counted once."""
    own = reported_through_the_api(office, "13812345678", "卫生间漏水", office.household)
    clock.advance(hours=1)
    lamp = reported_through_the_api(office, "138 1234 5678", "花园路灯不亮", location="花园")
    clock.advance(hours=1)
    quiet = open_order(description="门锁坏了")  # the household's, no reporter's phone
    page = browser_for(office.receptionist)
    html = page.get(url(office, "13812345678")).content.decode()
    assert numbers(html) == [quiet.number, lamp.number, own.number]
    assert summary(html) == "3-2-1502 的工单或从 13812345678 报来的工单：共 3 单"
    r = page.get("/api/work-orders/", {"q": "13812345678", "community": office.community.pk})
    assert r.status_code == 200 and r.json()["count"] == 3
    assert [o["number"] for o in r.json()["results"]] == [quiet.number, lamp.number, own.number]


def test_a_reporters_phone_finds_nothing_for_those_who_read_it_masked(office, clock) -> None:
    """A team member reads the reporter's phone masked on the team's order, company leadership
    on every order: neither finds it by the number, whole or in part, as they find no household
    by a resident's."""
    tenant = reported_through_the_api(office, "13700007777", "卫生间漏水", office.household)
    assert tenant.team == office.repair
    boss = f.UserFactory(username="boss", is_leadership=True, company=office.community.company)
    for who in (office.repair_member, office.repair_leader, boss):
        page = browser_for(who)
        for said in ("13700007777", "1370000"):
            for by in ("", "household"):
                html = page.get(url(office, said, by=by)).content.decode()
                assert numbers(html) == [], (who, said, by)
                assert "报来的工单" not in summary(html), (who, said, by)
        # The room still finds it for them.
        assert numbers(page.get(url(office, "3-2-1502")).content.decode()) == [tenant.number]


def test_the_front_desks_panel_shows_what_a_number_reported_without_a_call(office, clock) -> None:
    """The tenant whose number an API order gave rings for the first time: as the number is
    typed, the panel shows that order, as it shows what the number's calls reported."""
    tenant = reported_through_the_api(office, "13700007777", "卫生间漏水", office.household)
    page = browser_for(office.receptionist)
    panel = reverse("desk-intake-lookup", args=[office.community.pk])
    html = page.get(panel, {"caller_phone": "137 0000 7777", "field": "caller_phone"}).content
    html = html.decode()
    assert "没有匹配的住户" in html and "从这个号码报来的工单：共 1 单" in html
    assert re.findall(r'<a href="/desk/orders/(\d+)/"', html) == [str(tenant.pk)]
    found = search.reported_from(office.receptionist, office.community, "13700007777", limit=5)
    assert (found.caller_phone, found.total) == ("13700007777", 1)
    # A number nothing was reported from shows none, and is no caller's.
    html = page.get(panel, {"caller_phone": "13700008888", "field": "caller_phone"}).content
    assert "报来的工单" not in html.decode()
    found = search.reported_from(office.receptionist, office.community, "13700008888", limit=5)
    assert (found.caller_phone, found.total, found.rows) == ("", None, [])
    # Those who read it masked are told nothing by it.
    found = search.reported_from(office.repair_member, office.community, "13700007777", limit=5)
    assert (found.caller_phone, found.total, found.rows) == ("", None, [])


def test_a_whole_phone_reads_each_way_by_its_own_index(office, clock, open_order) -> None:
    """A whole phone finds a household's orders, its calls' and those reported from it without
    a call in one statement, each read by its own index (wo_household_time, wo_contact,
    wo_comm_reporter_phone: SQLite's MULTI-INDEX OR, PostgreSQL's BitmapOr), never by walking
    the community's orders; whether a number reported anything without a call is read from the
    partial index alone. Planned with the statements and parameters the search runs, on a
    community of a thousand households' orders, its statistics gathered as the worker does
    (SQLite) and autovacuum (PostgreSQL)."""
    from datetime import timedelta

    from propdesk.community.models import Household
    from propdesk.core.sqlite.stats import statistics_refresh

    model = open_order(description="门锁坏了")
    logged(office, "13812345678", "北门道闸抬不起来")
    reported_through_the_api(office, "13812345678", "花园路灯不亮", location="花园")
    reported_through_the_api(office, "13700007777", "卫生间漏水", office.household)
    homes = Household.objects.bulk_create(
        Household(
            community=office.community, unit=office.household.unit, room=str(i), code=f"9-{i}"
        )
        for i in range(1000)
    )
    row = {f.attname: getattr(model, f.attname) for f in WorkOrder._meta.concrete_fields}
    WorkOrder.objects.bulk_create(
        WorkOrder(
            **{
                **row,
                "id": None,
                "number": f"GD-20260101-{i:04d}",
                "household_id": homes[i % len(homes)].pk,
                "reporter_phone": f"1370001{i:04d}",
                "created_at": model.created_at - timedelta(minutes=i + 1),
            }
        )
        for i in range(3000)
    )
    statistics_refresh(connection)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE desk_workorder")
    seen: list[tuple[str, object]] = []

    def keep(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        both = search.search_orders(office.receptionist, office.community, "13812345678")
        alone = search.reported_from(office.receptionist, office.community, "13700007777", 5)
    assert (both.total, alone.total) == (4, 1)
    statements = [(sql, p) for sql, p in seen if '"reporter_phone" = ' in sql]
    assert len(statements) == 5, statements  # a count and a page each, and whether any
    for sql, params in statements:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                plan = "\n".join(str(r[-1]) for r in cursor.fetchall())
                assert "wo_comm_time" not in plan and "SCAN desk_workorder" not in plan, plan
                assert "INDEX wo_comm_reporter_phone (community_id=? AND reporter_phone=?)" in plan
                if " OR " in sql:
                    assert "MULTI-INDEX OR" in plan, plan
                    assert "USING INDEX wo_household_time (household_id=?)" in plan, plan
                    assert "USING INDEX wo_contact (contact_id=?)" in plan, plan
            else:
                cursor.execute("EXPLAIN " + sql, params)
                plan = "\n".join(r[0] for r in cursor.fetchall())
                assert "Seq Scan on desk_workorder" not in plan, plan
                assert "wo_comm_time" not in plan, plan
                assert "wo_comm_reporter_phone" in plan, plan
                if " OR " in sql:
                    assert "BitmapOr" in plan, plan
                    assert "Bitmap Index Scan on wo_household_time" in plan, plan
                    assert "Bitmap Index Scan on wo_contact" in plan, plan
                    assert "Bitmap Index Scan on wo_comm_reporter_phone" in plan, plan


def test_the_reporter_phone_index_holds_the_orders_opened_without_a_call(db) -> None:
    """desk 0034: an entry only for an order with no contact; the intake's orders write none."""
    with connection.cursor() as cur:
        constraints = connection.introspection.get_constraints(cur, "desk_workorder")
        index = constraints["wo_comm_reporter_phone"]
        assert index["columns"] == ["community_id", "reporter_phone"] and index["index"]
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'wo_comm_reporter_phone'"
            )
            (definition,) = cur.fetchone()
            assert definition.endswith(
                "btree (community_id, reporter_phone) WHERE (contact_id IS NULL)"
            ), definition
        else:
            cur.execute("SELECT sql FROM sqlite_schema WHERE name = 'wo_comm_reporter_phone'")
            (definition,) = cur.fetchone()
            assert definition.endswith('WHERE "contact_id" IS NULL'), definition


def test_a_search_of_too_many_words_is_refused_in_words_and_kept(office, clock) -> None:
    typed = "一 二 三 四 五 六 七 八 九"
    html = browser_for(office.receptionist).get(url(office, typed)).content.decode()
    assert "要查找的词太多：最多 8 个。" in html and f'value="{typed}"' in html
    assert "search-results" not in html


@pytest.mark.parametrize("word", ["漏水", "水龙头", "厨房 漏水", "led", "LED灯"])
def test_words_find_orders_by_their_description_or_location(
    office, clock, open_order, word
) -> None:
    leak = open_order(description="厨房水龙头漏水，LED灯也不亮")
    clock.advance(minutes=5)
    lamp = open_order(kind="housekeeping", description="清洁", location="3栋大堂 LED灯")
    open_order(description="门锁坏了")
    expected = {
        "漏水": [leak.number],
        "水龙头": [leak.number],
        "厨房 漏水": [leak.number],
        "led": [lamp.number, leak.number],  # whatever the case, newest first
        "LED灯": [lamp.number, leak.number],
    }[word]
    html = browser_for(office.receptionist).get(url(office, word)).content.decode()
    assert numbers(html) == expected
    assert summary(html) == f"描述或地点含有“{word}”的工单，最新的在前"


def test_words_are_matched_as_typed_not_as_patterns(office, clock, open_order) -> None:
    half = open_order(description="水压只有50%")
    open_order(description="水压正常")
    open_order(description="A_B栋")
    page = browser_for(office.receptionist)
    assert numbers(page.get(url(office, "50%")).content.decode()) == [half.number]
    assert numbers(page.get(url(office, "%")).content.decode()) == [half.number]
    assert len(numbers(page.get(url(office, "_")).content.decode())) == 1


def test_words_page_by_page_newest_first(office, clock, open_order) -> None:
    orders = []
    for i in range(PAGE + 1):
        orders.append(open_order(description=f"电梯异响{i}"))
        clock.advance(seconds=30)
    page = browser_for(office.administrator)
    first = page.get(url(office, "电梯")).content.decode()
    assert numbers(first) == [o.number for o in reversed(orders)][:PAGE]
    assert 'rel="next"' in first and 'rel="prev"' not in first
    href = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = page.get(reverse("desk-search", args=[office.community.pk]) + href).content.decode()
    assert numbers(second) == [orders[0].number]
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_words_are_found_as_typed_with_full_width_punctuation_and_digits(
    office, clock, open_order
) -> None:
    """A Chinese keyboard types ，（） and often ３: the description keeps them, and so does
    the search; a half-width 3 still finds a full-width ３ and the other way round."""
    full = open_order(description="厨房水龙头漏水，请尽快（３号楼）")
    clock.advance(minutes=1)
    half = open_order(description="3号楼电梯异响")
    page = browser_for(office.receptionist)
    for said, expected in (
        ("漏水，请", [full.number]),
        ("（３号楼）", [full.number]),
        ("３号楼", [half.number, full.number]),
        ("3号楼", [half.number]),
    ):
        html = page.get(url(office, said, by="words")).content.decode()
        assert numbers(html) == expected, said
        assert f"含有“{said}”" in summary(html), said


def test_every_word_must_be_there_however_many(office, clock, open_order) -> None:
    open_order(description="一 二 三 四 五 六")
    page = browser_for(office.receptionist)
    assert len(numbers(page.get(url(office, "一 二 三 四 五 六")).content.decode())) == 1
    assert numbers(page.get(url(office, "一 二 三 四 五 七")).content.decode()) == []


def test_a_page_past_the_last_says_so_and_a_huge_one_is_the_last_allowed(
    office, clock, open_order
) -> None:
    from propdesk.desk.search import WORD_PAGES

    open_order(description="电梯异响")
    page = browser_for(office.receptionist)
    html = page.get(url(office, "电梯", page="3")).content.decode()
    assert summary(html) == "本页已没有工单：找到的工单在前面几页。"
    assert 'rel="prev"' in html
    html = page.get(url(office, "电梯", page="999999999")).content.decode()
    assert f"第 {WORD_PAGES} 页" in html and 'rel="next"' not in html


@pytest.mark.parametrize("households", [20, 21])
def test_more_households_is_said_only_when_there_are_more(office, clock, households) -> None:
    from propdesk.desk.search import HOUSEHOLDS

    assert HOUSEHOLDS == 20
    for i in range(households):
        f.ResidentFactory(
            household=f.HouseholdFactory(unit=office.household.unit, community=office.community),
            name=f"欧阳{i}",
        )
    html = browser_for(office.receptionist).get(url(office, "欧阳", by="household")).content
    shown = re.search(r"(\S+) 的工单", summary(html.decode()))
    assert shown and len(shown.group(1).split()) >= 1
    assert ("匹配的住户较多" in html.decode()) == (households > HOUSEHOLDS)


def test_a_search_too_long_is_refused_in_words_and_kept_in_the_box(office, clock) -> None:
    typed = "漏" * (MAX_LENGTH + 1)
    r = browser_for(office.receptionist).get(url(office, typed))
    html = r.content.decode()
    assert r.status_code == 200
    assert f"要查找的内容太长：最多 {MAX_LENGTH} 个字。" in html
    assert f'value="{typed}"' in html and 'aria-invalid="true"' in html


def test_odd_input_finds_nothing_and_breaks_nothing(office, clock, open_order) -> None:
    open_order()
    page = browser_for(office.receptionist)
    for odd in (
        "\x00",
        "20261399",
        "GD-20261340-0001",
        "' OR 1=1 --",
        "<script>",
        "99999999999999",
    ):
        r = page.get(url(office, odd))
        assert r.status_code == 200, odd
        assert numbers(r.content.decode()) == [], odd
    # Nothing typed: the page says what it finds, and lists nothing.
    html = page.get(url(office)).content.decode()
    assert numbers(html) == [] and 'id="search-summary"' not in html


def test_the_magnifier_in_the_top_bar_leads_those_who_see_orders_to_the_search(office) -> None:
    target = reverse("desk-search", args=[office.community.pk])
    link = f'<a id="order-search" href="{target}" title="查找工单" aria-label="查找工单">'
    for who in (office.receptionist, office.head, office.repair_member):
        html = browser_for(who).get(reverse("desk-queue", args=[office.community.pk])).content
        assert link in html.decode(), who
    # On its own page it says so; the concierge, who sees no orders, has none.
    html = browser_for(office.head).get(target).content.decode()
    assert link.replace(">", ' aria-current="page">') in html
    concierge = f.UserFactory(username="concierge", roles=[(office.community, "concierge")])
    page = browser_for(concierge).get(reverse("desk-concierge", args=[office.community.pk]))
    assert page.status_code == 200 and 'id="order-search"' not in page.content.decode()


def test_the_trigram_index_is_there_on_postgresql(db) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's own index; SQLite reads the rows (the other tests run on both)")
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'wo_words_trgm'")
        (definition,) = cur.fetchone()
    assert "gin (description gin_trgm_ops, location gin_trgm_ops)" in definition


def test_a_short_words_planner_settings_end_with_the_search(office, clock, open_order) -> None:
    """PostgreSQL: a two-character word is planned without bitmap scans and every search of words
    for its own word (``_planned_for_the_words``); neither setting outlives the search, even in a
    transaction the caller holds, where ``SET LOCAL`` alone would last to its end."""
    from django.db import transaction

    from propdesk.desk.search import search_orders

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner settings; SQLite has none to set")
    leak = open_order(description="卫生间漏水")

    def settings() -> tuple[str, str]:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT current_setting('enable_bitmapscan'), current_setting('plan_cache_mode')"
            )
            return cur.fetchone()

    before = settings()
    with transaction.atomic():
        for word in ("漏水", "卫生间漏水"):
            found = search_orders(office.receptionist, office.community, word)
            assert [r.number for r in found.rows] == [leak.number]
            assert settings() == before == ("on", "auto")
    # A caller's own setting, in its own transaction, is its own again after the search.
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL enable_bitmapscan = off")
        search_orders(office.receptionist, office.community, "漏水")
        assert settings() == ("off", "auto")


@pytest.mark.django_db(transaction=True)
def test_the_migration_builds_again_an_index_a_failed_build_left_invalid() -> None:
    """A concurrent build cancelled or timed out leaves the index INVALID: written on every
    create, used by no search. Running the migration again builds it anew."""
    import importlib

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's own index; SQLite reads the rows (the other tests run on both)")
    migration = importlib.import_module("propdesk.desk.migrations.0030_workorder_text_trigrams")

    def valid() -> bool:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = 'wo_words_trgm'"
            )
            return cur.fetchone()[0]

    with connection.cursor() as cur:  # what a failed CREATE INDEX CONCURRENTLY leaves
        cur.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'wo_words_trgm'::regclass"
        )
    assert not valid()
    with connection.schema_editor(atomic=False) as editor:
        migration.forwards(None, editor)
    assert valid()


def test_the_front_desks_household_panel_leads_to_all_its_orders(office, clock, open_order) -> None:
    """On a call, the panel beside the form lists the household's open orders; its link opens all
    of them, closed ones too, in a new tab, so the form keeps what was typed."""
    done = closed(open_order(description="旧单"), office, clock)
    page = browser_for(office.receptionist)
    panel = page.get(
        reverse("desk-intake-lookup", args=[office.community.pk]), {"room": "3-2-1502"}
    ).content.decode()
    link = re.search(
        r'<a href="([^"]+)" target="_blank" rel="noopener" id="household-all-orders">', panel
    )
    assert link, "no link to the household's orders"
    assert done.number not in panel  # the panel lists the open ones only
    html = page.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert numbers(html) == [done.number]


def test_digits_that_are_neither_a_number_nor_a_day_say_how_to_type_one(office, clock) -> None:
    """0009 (the end of a number) and 20261304 (no such day) are looked for as words and found in
    none: the page says how a number and a day are typed."""
    page = browser_for(office.receptionist)
    for said in ("0009", "20261304"):
        html = page.get(url(office, said)).content.decode()
        assert "工单号请输入完整（含日期），例如 20261120-0003" in html, said
    html = page.get(url(office, "漏水")).content.decode()
    assert "search-digits-hint" not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout: PostgreSQL")
def test_a_search_past_its_time_is_logged_as_a_warning_without_its_text(
    office, clock, open_order, monkeypatch, caplog
) -> None:
    """The console's 503 for a search stopped past its time was logged at ERROR, as Django logs
    every 5xx (django.request), paging an operator for a user's too-broad search: it is logged
    once, at WARNING, with the community and the search's length, never its text."""
    from django.db.models import BooleanField, Q
    from django.db.models.expressions import RawSQL

    open_order(description="厨房水龙头漏水")
    slow = Q(RawSQL("pg_sleep(0.2) IS NOT NULL", [], output_field=BooleanField()))
    visible = search.work_orders_visible
    monkeypatch.setattr("propdesk.web.views.search.TIMEOUT_MS", 50)
    monkeypatch.setattr(search, "work_orders_visible", lambda user: visible(user).filter(slow))
    caplog.set_level(logging.INFO, logger="django.request")
    r = browser_for(office.receptionist).get(url(office, "漏水"))
    assert r.status_code == 503
    logged = [(x.levelname, x.getMessage()) for x in caplog.records if x.name == "django.request"]
    path = reverse("desk-search", args=[office.community.pk])
    assert logged == [
        ("WARNING", f"Search timed out: {path} (community {office.community.pk}, 2 characters)")
    ]
    assert not any("漏水" in x.getMessage() for x in caplog.records)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout: PostgreSQL")
def test_a_search_past_its_time_is_stopped_said_and_kept(
    office, clock, open_order, monkeypatch
) -> None:
    """A word few orders have, among very many, reads a community's table: on PostgreSQL the
    console's search is cancelled past ``search.TIMEOUT_MS``, says so, keeps the text, and the
    connection goes on with its own timeout (here a statement made slow, the bound made short)."""
    from django.db.models import BooleanField, Q
    from django.db.models.expressions import RawSQL

    leak = open_order(description="厨房水龙头漏水")
    slow = Q(RawSQL("pg_sleep(0.2) IS NOT NULL", [], output_field=BooleanField()))
    visible = search.work_orders_visible
    monkeypatch.setattr("propdesk.web.views.search.TIMEOUT_MS", 50)
    monkeypatch.setattr(search, "work_orders_visible", lambda user: visible(user).filter(slow))
    r = browser_for(office.receptionist).get(url(office, "漏水"))
    html = r.content.decode()
    assert r.status_code == 503
    assert "查找用时过长，已停止" in html and 'value="漏水"' in html
    assert "search-results" not in html
    monkeypatch.undo()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout')")
        assert cursor.fetchone()[0] == "0"
    assert numbers(browser_for(office.receptionist).get(url(office, "漏水")).content.decode()) == [
        leak.number
    ]


def test_fd2_a_callers_name_finds_what_they_reported_in_no_household(
    office, other_office, clock
) -> None:
    """FD-2: the call's caller is logged, and the order keeps the name as its 报事人. 王先生, a
    tenant in no household, rings back ("我是王先生，上周报的修"): his name, or its beginning,
    finds what he reported, closed too, and only in this community; the middle of a name is
    no name (先生 is every Mr.): it is looked for in the words."""
    lamp = closed(logged(office, "13900001111", "花园路灯不亮"), office, clock)
    clock.advance(hours=1)
    gate = logged(office, "13900002222", "北门道闸抬不起来")
    assert (lamp.household, lamp.reporter_name, gate.reporter_name) == (None, "王先生", "王先生")
    elsewhere = logged(other_office, "13900001111", "另一个小区的事")
    page = browser_for(office.receptionist)
    for said in ("王先生", "王", " 王先生 ", "王先生\u200b"):
        html = page.get(url(office, said)).content.decode()
        assert numbers(html) == [gate.number, lamp.number], said
        name = said.strip().replace("\u200b", "")
        assert summary(html) == f"报事人姓名以“{name}”开头的工单：共 2 单", said
        assert reverse("desk-order", args=[elsewhere.pk]) not in html, said
        # Read as words, the name is in no description.
        html = page.get(url(office, said, by="words")).content.decode()
        assert numbers(html) == [], said
    html = page.get(url(office, "先生")).content.decode()
    assert numbers(html) == [] and summary(html) == "没有工单的描述或地点含有“先生”。"
    # Asked for as a household, a name no one has says that neither was found.
    html = page.get(url(office, "李女士", by="household")).content.decode()
    assert numbers(html) == [] and summary(html) == "没有匹配的住户或报事人。"
    # The other community's desk finds its own 王先生's order, not these.
    html = browser_for(other_office.receptionist).get(url(other_office, "王先生")).content
    assert numbers(html.decode()) == [elsewhere.number]


def test_fd2_a_residents_name_finds_the_households_orders_and_what_they_reported_once(
    office, clock, open_order
) -> None:
    """张伟 of 3-2-1502 reported his own leak and, for the neighbour upstairs away on holiday,
    theirs: his name finds both, each once though the first is found both ways; the page says
    both ways it looked, and counts what it lists."""
    own = open_order(description="卫生间漏水", reporter_name="张伟")
    clock.advance(hours=1)
    quiet = open_order(description="门锁坏了")  # the household's, reported by no one named
    neighbour = f.HouseholdFactory(unit=office.household.unit, community=office.community)
    clock.advance(hours=1)
    upstairs = open_order(household=neighbour, description="楼上水管爆裂", reporter_name="张伟")
    open_order(household=neighbour, description="邻居的单", reporter_name="李女士")
    page = browser_for(office.receptionist)
    for said in ("张伟", "张"):
        html = page.get(url(office, said)).content.decode()
        assert numbers(html) == [upstairs.number, quiet.number, own.number], said
        assert summary(html) == f"3-2-1502 的工单或报事人姓名以“{said}”开头的工单：共 3 单", said
    # The API counts them the same way.
    r = page.get("/api/work-orders/", {"q": "张伟", "community": office.community.pk})
    assert r.status_code == 200 and r.json()["count"] == 3
    assert [o["number"] for o in r.json()["results"]] == [
        upstairs.number,
        quiet.number,
        own.number,
    ]


def test_fd2_a_reporters_name_is_found_by_those_who_read_residents_names_only(
    office, clock
) -> None:
    """The rule of the household lookup: a name is looked for by those who read residents'
    names, the office and company leadership. The repair team reads the reporter on its own
    order, but finds no one by a name: a resident's orders carry the resident's name."""
    gate = logged(office, "13900001111", "北门道闸抬不起来")
    assert gate.team == office.repair and gate.reporter_name == "王先生"
    boss = f.UserFactory(username="boss", is_leadership=True, company=office.community.company)
    for who in (office.receptionist, office.administrator, office.head, boss):
        html = browser_for(who).get(url(office, "王先生")).content.decode()
        assert numbers(html) == [gate.number], who
    member = browser_for(office.repair_member)
    assert "王先生" in member.get(reverse("desk-order", args=[gate.pk])).content.decode()
    for by in ("", "household"):
        html = member.get(url(office, "王先生", by=by)).content.decode()
        assert numbers(html) == [], by
    assert summary(html) == "没有匹配的住户。"
    assert gate.number in member.get(url(office, "道闸")).content.decode()  # words still find it


def test_the_reporter_name_index_is_there_on_postgresql(db) -> None:
    """``LIKE '王%'`` is a range of the index in the pattern operator class, whatever the
    database's collation (desk 0031)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's operator class; SQLite's index is created by the same migration")
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'wo_comm_reporter'")
        (definition,) = cur.fetchone()
    assert "btree (community_id, reporter_name varchar_pattern_ops)" in definition


@pytest.mark.django_db(transaction=True)
def test_the_reporter_index_is_built_again_where_a_concurrent_build_left_it_invalid() -> None:
    """desk 0031 builds its index CONCURRENTLY on PostgreSQL (``core.migration_ops``); a build
    cancelled or timed out leaves it INVALID, and running the migration again builds it anew.
    Backwards, it is dropped the same way; SQLite builds and drops an ordinary index."""
    import importlib

    from django.apps import apps
    from django.db.migrations.state import ProjectState

    name = "propdesk.desk.migrations.0031_workorder_reporter_name_index"
    operation = importlib.import_module(name).Migration.operations[0]
    executor_state = ProjectState.from_apps(apps)

    def index() -> bool | None:
        with connection.cursor() as cur:
            constraints = connection.introspection.get_constraints(cur, "desk_workorder")
        if "wo_comm_reporter" not in constraints:
            return None
        if connection.vendor != "postgresql":
            return True
        with connection.cursor() as cur:
            cur.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = 'wo_comm_reporter'"
            )
            return cur.fetchone()[0]

    assert index() is True
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # what a failed CREATE INDEX CONCURRENTLY leaves
            cur.execute(
                "UPDATE pg_index SET indisvalid = false "
                "WHERE indexrelid = 'wo_comm_reporter'::regclass"
            )
        assert index() is False
        with connection.schema_editor(atomic=False) as editor:
            operation.database_forwards("desk", editor, executor_state, executor_state)
        assert index() is True
    with connection.schema_editor(atomic=False) as editor:
        operation.database_backwards("desk", editor, executor_state, executor_state)
    assert index() is None
    with connection.schema_editor(atomic=False) as editor:
        operation.database_forwards("desk", editor, executor_state, executor_state)
    assert index() is True
