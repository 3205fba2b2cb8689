"""Issue 13, items 2 and 4: a resident reports (报修, 家政服务, 投诉, 建议) and follows their
orders in the portal: the same contact and work order as the front desk's (channel 业主自助,
the same clocks), scoped to their own households, 催单 once per period, a text message on 派单,
到场 and 完工 from the outbox, and a timeline without the office's internal lines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from propdesk.clocks.models import Clock
from propdesk.desk.models import Attachment, Contact, WorkOrder, WorkOrderEvent
from propdesk.desk.services import (
    ContactInput,
    WorkOrderDraft,
    contact_log,
    work_order_transition,
)
from propdesk.notify.models import Notification, ResidentMessage
from propdesk.notify.residents import resident_messages_deliver
from propdesk.notify.sms import console_sent
from tests import factories as f
from tests.images import PNG
from tests.notify.helpers import run_telling
from tests.portal.test_activities import announced

PHONE = "13812345678"  # 张伟 of 3-2-1502 (tests/conftest.py make_office)


def not_ours(other_office) -> None:
    """make_office registers the same number in every community: the other one's resident gets
    another, so that its household is not this resident's."""
    other_office.household.residents.update(phone="13600000000")


def photo(name: str = "leak.png", data: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def report(client, home, **kw):
    data = {
        "household": str(home.pk),
        "kind": "repair",
        "description": "卫生间水管漏水",
        "location": "",
        "appointment_at": "",
    }
    data.update(kw)
    return client.post(reverse("portal:report"), data)


def desk_logged(office, clock, kind: str) -> WorkOrder:
    contact = contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=ContactInput(
            channel="phone",
            intent=kind,
            content="前台登记",
            outcome="work_order",
            caller_name="张伟",
            caller_phone=PHONE,
            room_text="3-2-1502",
            work_orders=[WorkOrderDraft(kind=kind, description="前台登记")],
        ),
    )
    return contact.work_orders.get()


def client_for_staff(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def clocks_of(order: WorkOrder) -> set[tuple[str, object, str]]:
    return {(c.rule_id, c.due_at, c.state) for c in Clock.objects.filter(order=order)}


def act(order: WorkOrder, action: str, by, clock, **kw) -> WorkOrder:
    order.refresh_from_db()
    return work_order_transition(
        order_id=order.pk, action=action, by=by, now=clock.now(), version=order.version, **kw
    )


# --- report --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "rules"),
    [
        ("repair", {"DS-1", "FD-6", "DS-1-take"}),
        ("housekeeping", {"DS-1", "FD-6", "DS-1-take"}),
        ("complaint", {"CP-1", "CP-6"}),
        ("suggestion", set()),
    ],
)
def test_each_kind_becomes_a_contact_and_an_order_on_channel_resident_with_the_desks_clocks(
    office, clock, resident_client, kind, rules
) -> None:
    """DS-1, FD-6, CP-1, CP-6: a resident's report starts the clocks a front-desk one does."""
    client = resident_client(PHONE)
    response = report(client, office.household, kind=kind)
    order = WorkOrder.objects.get(contact__channel="resident")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:order", args=[order.pk])
    contact = order.contact
    assert (contact.channel, contact.intent, contact.household, contact.taken_by) == (
        "resident",
        kind,
        office.household,
        None,
    )
    assert (contact.caller_name, contact.caller_phone, contact.outcome) == (
        "张伟",
        PHONE,
        "work_order",
    )
    assert (order.kind, order.household, order.created_by) == (kind, office.household, None)
    assert (order.reporter_name, order.reporter_phone) == ("张伟", PHONE)
    assert order.number.startswith(f"{office.community.order_prefix}-20261126-")
    created = order.events.get(action="create")
    assert created.actor is None
    assert created.data["resident"] == "张伟"
    # The office's timeline names the resident where a staff member would be.
    staff_view = office.administrator
    staff_page = client_for_staff(staff_view).get(reverse("desk-order", args=[order.pk]))
    assert "业主自助 张伟" in staff_page.content.decode()
    # Exactly the clocks (rule, deadline, state) of the same kind logged by the front desk.
    desk = desk_logged(office, clock, kind)
    assert {r for r, _d, _s in clocks_of(order)} >= rules
    assert clocks_of(order) == clocks_of(desk)
    assert (order.team_id, order.state) == (desk.team_id, desk.state)


def test_ds1_a_repair_reported_here_is_routed_to_the_repair_team_and_its_leader_is_told(
    office, clock, resident_client
) -> None:
    """DS-1: straight to the repair team's pool; its leader hears of it like a desk order."""
    report(resident_client(PHONE), office.household)
    order = WorkOrder.objects.get()
    assert (order.team, order.state) == (office.repair, "dispatched")
    run_telling(clock)
    assert Notification.objects.filter(
        recipient=office.repair_leader, kind="order_routed", payload__order=order.pk
    ).exists()


def test_the_photos_are_attached_and_the_appointment_and_the_qr_place_kept(
    office, clock, resident_client
) -> None:
    client = resident_client(PHONE)
    response = client.post(
        reverse("portal:report"),
        {
            "household": str(office.household.pk),
            "kind": "repair",
            "description": "电梯按钮失灵",
            "location": "3栋电梯厅",
            "appointment_at": "2026-11-26T15:30",
            "photos": [photo("a.png"), photo("b.png")],
        },
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.location == "3栋电梯厅"
    assert order.household == office.household
    assert order.appointment_at is not None
    assert order.appointment_at.isoformat() == "2026-11-26T07:30:00+00:00"  # 15:30 Shanghai
    photos = list(Attachment.objects.filter(order=order))
    assert [(a.kind, a.uploaded_by, a.original_name) for a in photos] == [
        ("photo", None, "a.png"),
        ("photo", None, "b.png"),
    ]


def test_the_form_is_filled_from_a_qr_sticker(office, clock, resident_client) -> None:
    page = resident_client(PHONE).get(reverse("portal:report") + "?where=2号楼地下车库B12&place=7")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="2号楼地下车库B12"' in html
    assert 'name="place" value="7"' in html
    assert "3-2-1502" in html


@pytest.mark.parametrize(
    ("fields", "files", "bad"),
    [
        ({"description": "  "}, {}, "description"),
        ({"kind": "emergency"}, {}, "kind"),
        ({"kind": ""}, {}, "kind"),
        ({"appointment_at": "2026-11-26T09:00"}, {}, "appointment_at"),  # an hour ago
        ({"appointment_at": "明天下午"}, {}, "appointment_at"),
        ({}, {"photos": [photo("x.png", b"<html>not a photo</html>")]}, "photos"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_everything_typed_kept(
    office, clock, resident_client, fields, files, bad
) -> None:
    typed = {
        "household": str(office.household.pk),
        "kind": "repair",
        "description": "厨房水槽堵塞，已经两天",
        "location": "厨房",
        "appointment_at": "2026-11-27T10:00",
        **fields,
    }
    response = resident_client(PHONE).post(reverse("portal:report"), {**typed, **files})
    assert response.status_code == 400
    assert bad in response.context["errors"]
    assert response.context["errors"][bad][0]
    html = response.content.decode()
    for name in ("description", "location", "appointment_at"):
        if typed[name].strip():
            assert typed[name] in html, name
    assert (WorkOrder.objects.count(), Contact.objects.count(), Attachment.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_photo_too_large_is_refused_at_the_server_too(
    office, clock, resident_client, settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 50
    response = resident_client(PHONE).post(
        reverse("portal:report"),
        {
            "household": str(office.household.pk),
            "kind": "repair",
            "description": "漏水",
            "photos": [photo()],
        },
    )
    assert response.status_code == 400
    assert "photos" in response.context["errors"]
    assert WorkOrder.objects.count() == 0


def test_a_resident_reports_only_for_their_own_household(
    office, other_office, clock, resident_client
) -> None:
    """A tampered household id (another household, another community's, nonsense) is 404."""
    not_ours(other_office)
    stranger = f.HouseholdFactory(
        unit=office.household.unit, community=office.community, room="1503", code="3-2-1503"
    )
    client = resident_client(PHONE)
    for posted in (stranger.pk, other_office.household.pk, "9" * 30, "１"):
        assert report(client, office.household, household=str(posted)).status_code == 404
    assert WorkOrder.objects.count() == 0


def test_a_resident_with_two_households_chooses_one(office, clock, resident_client) -> None:
    second = f.HouseholdFactory(
        unit=office.household.unit, community=office.community, room="1601", code="3-2-1601"
    )
    f.ResidentFactory(household=second, name="张伟", phone=PHONE)
    client = resident_client(PHONE)
    page = client.get(reverse("portal:report")).content.decode()
    assert "3-2-1502" in page and "3-2-1601" in page
    report(client, second)
    assert WorkOrder.objects.get().household == second


def test_the_portal_is_for_signed_in_residents_only(office, client) -> None:
    for url in (
        reverse("portal:report"),
        reverse("portal:orders"),
        reverse("portal:order", args=[1]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portal:login"))


# --- follow --------------------------------------------------------------------------------------


def test_the_list_shows_every_order_of_the_household_open_first_newest_first(
    office, other_office, clock, resident_client
) -> None:
    not_ours(other_office)
    old_done = desk_logged(office, clock, "repair")
    clock.advance(minutes=5)
    old_open = desk_logged(office, clock, "housekeeping")
    clock.advance(minutes=5)
    new_done = desk_logged(office, clock, "repair")
    act(old_done, "cancel", office.administrator, clock, note="业主自行修好")
    act(new_done, "cancel", office.administrator, clock, note="重复")
    clock.advance(minutes=5)
    new_open = desk_logged(office, clock, "complaint")
    desk_logged(other_office, clock, "repair")  # another community's household
    rows = resident_client(PHONE).get(reverse("portal:orders")).context["rows"]
    assert [r["order"] for r in rows] == [new_open, old_open, new_done, old_done]
    assert [r["open"] for r in rows] == [True, True, False, False]


def test_another_households_order_is_not_found(
    office, other_office, clock, resident_client
) -> None:
    not_ours(other_office)
    theirs = desk_logged(other_office, clock, "repair")
    client = resident_client(PHONE)
    assert client.get(reverse("portal:order", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("portal:order-urge", args=[theirs.pk])).status_code == 404
    assert not theirs.events.filter(action="urge").exists()


def test_the_list_reads_a_fixed_number_of_queries(
    office, clock, resident_client, django_assert_max_num_queries
) -> None:
    """Session, households, orders, the staff's roles: no query per row."""
    second = f.UserFactory(username="a-repair-2", roles=[(office.community, "team_member")])
    office.repair.members.add(second)
    for i in range(6):
        order = desk_logged(office, clock, "repair")
        act(order, "assign", office.repair_leader, clock,
            assignee=second if i % 2 else office.repair_member)  # fmt: skip
    client = resident_client(PHONE)
    with django_assert_max_num_queries(4):
        rows = client.get(reverse("portal:orders")).context["rows"]
    assert len(rows) == 6 and all(r["who"].startswith("维修工 ") for r in rows)


def test_the_timeline_says_each_step_in_plain_words_and_hides_the_offices_notes(
    office, clock, resident_client
) -> None:
    report(resident_client(PHONE), office.household)
    order = WorkOrder.objects.get()
    office.repair_member.name = "李师傅"
    office.repair_member.phone = "13700001111"
    office.repair_member.save()
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    act(order, "return", office.repair_member, clock, note="内部备注：业主难缠，换人")
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    act(order, "accept", office.repair_member, clock)
    act(order, "check_in", office.repair_member, clock)
    act(order, "resolve", office.repair_member, clock, note="更换阀门，内部记录")
    page = resident_client(PHONE).get(reverse("portal:order", args=[order.pk]))
    texts = [line.text for line in page.context["timeline"]]
    assert texts == [
        "您在这里提交，已转交维修班",
        "已派单给 维修工 李师傅",
        "已派单给 维修工 李师傅",
        "维修工 李师傅 已接单",
        "维修工 李师傅 已到场",
        "已完工",
    ]
    html = page.content.decode()
    assert "业主难缠" not in html and "内部记录" not in html
    assert "13700001111" not in html
    assert page.context["state"] == "已完工"


def test_the_answer_to_the_owner_is_shown_and_who_is_coming_by_name_and_role(
    office, clock, resident_client
) -> None:
    report(resident_client(PHONE), office.household, kind="complaint", description="噪音扰民")
    order = WorkOrder.objects.get()
    office.administrator.name = "王管理员"
    office.administrator.phone = "13911112222"
    office.administrator.save()
    act(order, "take", office.administrator, clock)
    answer = "已联系楼上住户，今晚起注意"
    act(order, "reply", office.administrator, clock, note=answer, channel="phone")
    page = resident_client(PHONE).get(reverse("portal:order", args=[order.pk]))
    lines = page.context["timeline"]
    assert lines[-1].note == answer
    assert page.context["who"] == "客服管理员 王管理员"
    assert "13911112222" not in page.content.decode()


# --- 催单 ----------------------------------------------------------------------------------------


def test_urge_once_per_period_at_its_boundary(office, clock, resident_client) -> None:
    """The policy's portal.urge_period_minutes (120): a press one second before the period ends
    is refused with the time to press again; at the boundary and after it is taken."""
    client = resident_client(PHONE)
    report(client, office.household)
    order = WorkOrder.objects.get()
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    url = reverse("portal:order-urge", args=[order.pk])
    first = clock.now()
    assert client.post(url).status_code == 302
    assert order.events.filter(action="urge").count() == 1
    run_telling(clock)
    told = Notification.objects.filter(kind="order_urged", channel="in_app")
    assert set(told.values_list("recipient_id", flat=True)) == {
        office.repair_member.pk,
        office.repair_leader.pk,
    }
    clock.at = first + timedelta(minutes=120) - timedelta(seconds=1)
    page = client.post(url, follow=True)
    assert order.events.filter(action="urge").count() == 1
    assert "2026-11-26 12:00" in page.content.decode()  # 10:00 + 2 h, Shanghai
    run_telling(clock)
    assert told.count() == 2
    clock.at = first + timedelta(minutes=120)
    client.post(url)
    assert order.events.filter(action="urge").count() == 2
    clock.advance(seconds=1)
    client.post(url)
    assert order.events.filter(action="urge").count() == 2
    run_telling(clock)
    assert told.count() == 4


def test_urge_period_is_policy(office, clock, resident_client) -> None:
    office.community.policy = {"portal": {"urge_period_minutes": 30}}
    office.community.save()
    client = resident_client(PHONE)
    report(client, office.household, kind="complaint")
    order = WorkOrder.objects.get()
    url = reverse("portal:order-urge", args=[order.pk])
    client.post(url)
    clock.advance(minutes=30)
    client.post(url)
    assert order.events.filter(action="urge").count() == 2
    # Nobody has the complaint yet: its team's leader (客服中心: the office head) is told.
    run_telling(clock)
    told = Notification.objects.filter(kind="order_urged", channel="in_app")
    assert list(told.values_list("recipient_id", flat=True)) == [office.head.pk] * 2


def test_a_closed_order_cannot_be_urged(office, clock, resident_client) -> None:
    client = resident_client(PHONE)
    report(client, office.household)
    order = WorkOrder.objects.get()
    act(order, "cancel", office.administrator, clock, note="业主撤回")
    client.post(reverse("portal:order-urge", args=[order.pk]))
    assert not order.events.filter(action="urge").exists()


# --- messages to the resident --------------------------------------------------------------------


def test_sms_on_dispatch_arrival_and_completion_once_per_cause(
    office, clock, resident_client
) -> None:
    report(resident_client(PHONE), office.household)
    order = WorkOrder.objects.get()
    assert ResidentMessage.objects.count() == 0  # logged, nobody sent yet
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    # Written in the transaction of the change, not sent yet.
    row = ResidentMessage.objects.get()
    assert (row.phone, row.kind, row.state) == (PHONE, "dispatched", "pending")
    assert row.order_id == order.pk
    act(order, "accept", office.repair_member, clock)
    act(order, "check_in", office.repair_member, clock)
    act(order, "resolve", office.repair_member, clock, note="修好了")
    assert list(ResidentMessage.objects.order_by("id").values_list("kind", flat=True)) == [
        "dispatched",
        "arrived",
        "completed",
    ]
    before = len(console_sent(PHONE))
    assert resident_messages_deliver(now=clock.now()) == 3
    assert resident_messages_deliver(now=clock.now()) == 0  # never twice
    sent = console_sent(PHONE)[before:]
    assert len(sent) == 3
    link = f"http://127.0.0.1:8000/portal/orders/{order.pk}/"
    assert link in sent[0] and order.number in sent[0] and "派单" in sent[0]
    assert "到场" in sent[1]
    assert f"{link}rate/?t=" in sent[2] and "完工" in sent[2]
    # The 完工 message's link is the one-tap rating link: it opens the rating page unsigned-in.
    rate_url = sent[2][sent[2].index(f"{link}rate/?t=") :].split()[0]
    page = Client().get(rate_url.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200 and "服务态度" in page.content.decode()
    # The same cause written again (a retried transaction) is one row.
    from propdesk.desk.services.telling import tell_resident

    order.refresh_from_db()
    assert tell_resident(order, "resolve", now=clock.now()) is False
    assert ResidentMessage.objects.count() == 3


def test_a_failed_sms_is_retried_later(office, clock, resident_client, settings) -> None:
    settings.SMS_BACKEND = "tests.portal.test_orders.Broken"
    report(resident_client(PHONE), office.household)
    order = WorkOrder.objects.get()
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    assert resident_messages_deliver(now=clock.now()) == 0
    row = ResidentMessage.objects.get()
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.next_attempt_at > clock.now()
    assert resident_messages_deliver(now=clock.now()) == 0  # not due yet
    settings.SMS_BACKEND = "propdesk.notify.sms.ConsoleGateway"
    assert resident_messages_deliver(now=row.next_attempt_at) == 1


class Broken:
    def __init__(self, **_options: object) -> None:
        pass

    def send(self, phone: str, text: str, **_provider: object) -> None:
        from propdesk.notify.sms import SmsError

        raise SmsError("gateway down")


def test_a_landline_reporter_gets_no_sms(office, clock) -> None:
    contact = contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=ContactInput(
            channel="phone",
            intent="repair",
            content="漏水",
            outcome="work_order",
            caller_name="张伟",
            caller_phone="0755-88881234",
            room_text="3-2-1502",
            work_orders=[WorkOrderDraft(kind="repair", description="漏水")],
        ),
    )
    order = contact.work_orders.get()
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    assert ResidentMessage.objects.count() == 0
    assert WorkOrderEvent.objects.filter(order=order, action="assign").exists()


def test_a_report_from_a_scanned_sticker_carries_its_place(
    office, other_office, clock, resident_client
) -> None:
    from propdesk.community.models import Place

    lift = Place.objects.create(community=office.community, kind="lift", name="3栋2单元电梯")
    c = resident_client(PHONE)
    form = c.get(reverse("portal:report"), {"where": lift.name, "place": lift.pk}).content.decode()
    assert f'name="place" value="{lift.pk}"' in form and lift.name in form
    r = report(c, office.household, place=str(lift.pk), location=lift.name)
    assert r.status_code == 302
    order = WorkOrder.objects.get()
    assert (order.place_id, order.location) == (lift.pk, "3栋2单元电梯")
    # Another community's place, or a revoked one, is no place of this report.
    theirs = Place.objects.create(community=other_office.community, kind="lift", name="别处电梯")
    lift.active = False
    lift.save()
    for place in (theirs, lift):
        assert report(c, office.household, place=str(place.pk)).status_code == 302
        assert WorkOrder.objects.order_by("-id").first().place_id is None


def test_a_portal_page_says_what_just_happened_once(office, clock, resident_client) -> None:
    """On a phone a message said twice reads as two reports: the page after 报事 names the new
    order's number once."""
    client = resident_client(PHONE)
    page = client.get(report(client, office.household)["Location"]).content.decode()
    number = WorkOrder.objects.get().number
    assert page.count(f"已提交，工单号 {number}") == 1


def test_a_refusal_in_the_portal_is_said_once_as_an_alert(office, clock, resident_client) -> None:
    activity = announced(office, clock, capacity=2)
    client = resident_client(PHONE)
    url = f"/portal/activities/{activity.pk}/signup/"
    first = client.post(url, {"household": office.household.pk}, follow=True).content.decode()
    assert first.count("报名成功，活动见！") == 1
    again = client.post(url, {"household": office.household.pk}, follow=True).content.decode()
    assert again.count("该住户已报名。") == 1
    assert 'role="alert">该住户已报名。' in again


def test_a_suggestion_is_handled_to_the_end_without_a_rating_link_or_an_arrival(
    office, clock, resident_client
) -> None:
    """RV-5: a suggestion is answered, not rated (only a repair or a housekeeping job is: RV-6,
    RV-2): its 办结 message links its page, never the rating page that refuses it; and nobody
    arrives at the door for a suggestion (no 到场 message)."""
    report(resident_client(PHONE), office.household, kind="suggestion", description="建议加装路灯")
    order = WorkOrder.objects.get()
    act(order, "take", office.administrator, clock)
    act(order, "check_in", office.administrator, clock)
    act(order, "resolve", office.administrator, clock, note="已安排加装")
    assert list(ResidentMessage.objects.order_by("id").values_list("kind", flat=True)) == [
        "dispatched",
        "completed",
    ]
    resident_messages_deliver(now=clock.now())
    done = console_sent(PHONE)[-1]
    assert "rate/" not in done and "评价" not in done and "完工" not in done
    assert "建议" in done and "办结" in done
    assert f"http://127.0.0.1:8000/portal/orders/{order.pk}/" in done


def test_a_residents_suggestion_waits_in_the_administrators_queue_and_they_are_told(
    office, clock, resident_client
) -> None:
    """A resident's suggestion from the portal has an owner: the administrators on duty hear of
    it, it waits in 我的待办 (建议待受理) and an administrator takes it (受理) from there."""
    report(resident_client(PHONE), office.household, kind="suggestion", description="建议加装路灯")
    order = WorkOrder.objects.get()
    run_telling(clock)
    told = Notification.objects.filter(
        recipient__in=[office.administrator, office.head], title__contains=order.number
    )
    assert told.exists()
    page = client_for_staff(office.administrator).get(
        reverse("desk-queue", args=[office.community.pk])
    )
    html = page.content.decode()
    assert order.number in html and "待受理的建议" in html
    taken = act(order, "take", office.administrator, clock)
    assert (taken.state, taken.assignee) == ("accepted", office.administrator)


def test_the_order_page_says_how_many_photos_in_words(office, clock, resident_client) -> None:
    """The owner reads 「照片 共2张」 on their order, not a bare 「2」 under 照片."""
    client = resident_client(PHONE)
    client.post(
        reverse("portal:report"),
        {
            "household": str(office.household.pk),
            "kind": "repair",
            "description": "电梯按钮失灵",
            "photos": [photo("a.png"), photo("b.png")],
        },
    )
    order = WorkOrder.objects.get()
    html = client.get(reverse("portal:order", args=[order.pk])).content.decode()
    assert "<dt>照片</dt><dd" in html
    assert html.split("<dt>照片</dt>", 1)[1].split("</dd>", 1)[0].endswith(">共2张")
