"""Owners' phones are read whole only by the roles that call owners (front desk, administrators,
office head: community.access.may_call_owners); everyone else who sees them (a team, its leader,
company leadership) reads 138****1234 on every surface, through the one function
(community.access.phone_as_seen): the pages, the API, the printed work order and its PDF, the
monthly report's page, PDF and workbook. (The one exception, the assignee on the page of the
order they are doing: tests/access/test_assignee_calls_owner.py; its printed form stays masked.)"""

from __future__ import annotations

from django.test import Client

from tests import factories as f
from tests.conftest import Office, client_for
from tests.pdfs import pdf_text

REPORTER_PHONE = "13987654321"
REPORTER_MASKED = "139****4321"


def web_for(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _leadership(office: Office):  # type: ignore[no-untyped-def]
    return f.UserFactory(username="boss", company=office.community.company, is_leadership=True)


def _order(office: Office) -> int:
    r = client_for(office.receptionist).post(
        "/api/work-orders/",
        {
            "community": office.community.pk,
            "kind": "repair",
            "description": "楼道灯不亮",
            "household": office.household.pk,
            "reporter_name": "张伟",
            "reporter_phone": REPORTER_PHONE,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    return int(r.json()["id"])


def _printed(user, order_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    """The text of the order's printed form, from the console and from the API."""
    page = web_for(user).get(f"/desk/orders/{order_id}/print/")
    api = client_for(user).get(f"/api/work-orders/{order_id}/pdf/")
    assert page.status_code == api.status_code == 200, (user.username, page.status_code)
    assert page["Content-Type"] == api["Content-Type"] == "application/pdf"
    return [pdf_text(page.content), pdf_text(api.content)]


def test_the_printed_order_masks_the_reporters_phone_as_the_order_page_does(office, clock) -> None:
    order_id = _order(office)
    for user in (office.repair_member, office.repair_leader, _leadership(office)):
        # The order page and the API already mask it for these roles …
        body = client_for(user).get(f"/api/work-orders/{order_id}/").json()
        assert body["reporter_phone"] == REPORTER_MASKED, user.username
        # … and so does the paper form, whoever prints it, from either door.
        for text in _printed(user, order_id):
            assert "张伟" in text and REPORTER_MASKED in text, user.username
            assert REPORTER_PHONE not in text, user.username
    for user in (office.receptionist, office.administrator, office.head):
        for text in _printed(user, order_id):
            assert REPORTER_PHONE in text and REPORTER_MASKED not in text, user.username


# --- the monthly report: a missed call's number in the list of breaches ---------------------------

CALLER = "057185502210"  # a landline, as the office's phone system reports it
CALLER_MASKED = "057****2210"


def _missed_call_breached(office: Office) -> None:
    from datetime import datetime, timedelta

    from propdesk.calls.services import CallEventInput, call_event_record
    from propdesk.clocks.services import clocks_sweep

    at = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
    for e in (
        CallEventInput("c1:r", "c1", "ringing", at, CALLER),
        CallEventInput("c1:m", "c1", "missed", at + timedelta(seconds=30)),
    ):
        call_event_record(community=office.community, data=e, source="test", now=at)
    clocks_sweep(now=at + timedelta(days=1))


def _report_texts(user, office: Office) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The month's report as ``user`` reads it at each door: the console's page, PDF and
    workbook (its sheet 超时记录), and the API's JSON, PDF and workbook."""
    import io

    import openpyxl

    cid = office.community.pk
    web, api = web_for(user), client_for(user)
    month = {"month": "2026-11"}
    answers = {
        "page": web.get(f"/desk/{cid}/report/", month),
        "pdf": web.get(f"/desk/{cid}/report.pdf", month),
        "xlsx": web.get(f"/desk/{cid}/report.xlsx", month),
        "api": api.get("/api/reports/monthly/", {**month, "community": cid}),
        "api pdf": api.get("/api/reports/monthly/pdf/", {**month, "community": cid}),
        "api xlsx": api.get("/api/reports/monthly/xlsx/", {**month, "community": cid}),
    }
    texts = {}
    for door, r in answers.items():
        assert r.status_code == 200, (user.username, door, r.status_code)
        if door.endswith("pdf"):
            texts[door] = pdf_text(r.content)
        elif door.endswith("xlsx"):
            book = openpyxl.load_workbook(io.BytesIO(r.content))
            sheet = book["超时记录"]
            texts[door] = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
        else:
            texts[door] = r.content.decode()
    return texts


def test_the_monthly_report_masks_a_missed_callers_number_for_leadership(office, clock) -> None:
    """Company leadership reads owners' and callers' phones masked everywhere (residents,
    contacts, orders): the report's list of breaches too, at every door; the office head reads
    the number to call back whole."""
    _missed_call_breached(office)
    for door, text in _report_texts(_leadership(office), office).items():
        assert CALLER_MASKED in text and CALLER not in text, door
    for door, text in _report_texts(office.head, office).items():
        assert CALLER in text and CALLER_MASKED not in text, door


def test_a_report_read_for_no_one_in_particular_masks_the_number(office, clock) -> None:
    """The selector fails closed: without a viewer, the number is masked."""
    from propdesk.reports.selectors import monthly_report

    _missed_call_breached(office)
    report = monthly_report(office.community, 2026, 11, now=clock.now())
    assert [b.subject for b in report.breaches] == [f"phone:{CALLER_MASKED}"]
    seen = monthly_report(office.community, 2026, 11, now=clock.now(), viewer=office.head)
    assert [b.subject for b in seen.breaches] == [f"phone:{CALLER}"]


# --- the register export (back office → 导出住户名册) -----------------------------------------


def test_the_register_export_masks_residents_phones_for_leadership(office) -> None:
    """Leadership reads /api/residents/ with the phones masked; the exported register likewise.
    The office exports them whole (to edit and import again)."""
    from propdesk.community.selectors import household_export_rows

    def phones(user) -> list[str]:  # type: ignore[no-untyped-def]
        return [r.phone for r in household_export_rows(user, office.community.pk) if r.phone]

    assert phones(_leadership(office)) == ["138****5678"]
    for user in (office.receptionist, office.administrator, office.head):
        assert phones(user) == ["13812345678"], user.username


# --- the escalation of a missed call's call-back, to whoever a community's policy names ----------


def test_a_missed_calls_escalation_masks_the_number_for_recipients_who_do_not_call_owners(
    office, clock
) -> None:
    """A community may send the call-back's escalation past the office (here to company
    leadership): each notification names the caller's number as its recipient may read it."""
    from datetime import datetime, timedelta

    from propdesk.calls.services import CallEventInput, call_event_record
    from propdesk.clocks.models import Clock
    from propdesk.clocks.services import clocks_sweep
    from propdesk.notify.models import Notification

    office.community.policy = {
        "clocks": {
            "FD-1-callback": {
                "escalation": [
                    {"after_minutes": 0, "notify": ["receptionist", "leadership"]},
                ]
            }
        }
    }
    office.community.save()
    boss = _leadership(office)
    at = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
    for e in (
        CallEventInput("c1:r", "c1", "ringing", at, CALLER),
        CallEventInput("c1:m", "c1", "missed", at + timedelta(seconds=30)),
    ):
        call_event_record(community=office.community, data=e, source="test", now=at)
    callback = Clock.objects.get(rule_id="FD-1-callback")
    clocks_sweep(now=callback.due_at + timedelta(minutes=1))
    titles = dict(
        Notification.objects.filter(
            payload__rule="FD-1-callback", kind="clock_escalation"
        ).values_list("recipient__username", "title")
    )
    assert CALLER in titles[office.receptionist.username], titles
    assert CALLER_MASKED in titles[boss.username] and CALLER not in titles[boss.username]
