"""The front desk screen (FD-2, FD-3, FD-4, FD-6, CP-1, CP-3): a call logged in one form, the
household found by number or room, bad input kept on the form, forbidden doors closed."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from propdesk.clocks.models import Clock
from propdesk.desk.models import Contact, WorkOrder
from propdesk.notify.models import Notification
from tests import factories as f
from tests.notify.helpers import run_telling
from tests.web.conftest import browser_for


def url(office, name: str = "desk-intake") -> str:
    return reverse(name, args=[office.community.pk])


def test_fd2_cp1_a_phone_complaint_becomes_a_work_order_with_its_clock(office, clock) -> None:
    page = browser_for(office.receptionist)
    r = page.post(
        url(office),
        {
            "channel": "phone",
            "caller_phone": "138 1234 5678",
            "caller_name": "张伟",
            "intent": "complaint",
            "complaint_type": "general",
            "content": "楼上装修噪音太大",
            "outcome": "work_order",
        },
    )
    assert r.status_code == 302 and r["Location"] == url(office)
    contact = Contact.objects.get()
    order = WorkOrder.objects.get()
    # The number alone found the household (one household has it).
    assert contact.household == office.household == order.household
    assert (order.kind, order.complaint_type, order.contact) == ("complaint", "general", contact)
    run_telling(clock)
    assert not Notification.objects.filter(kind="complaint_to_head").exists()  # not the head's
    cp1 = Clock.objects.get(order=order, rule_id="CP-1")
    assert cp1.due_at == clock.now() + timedelta(minutes=10)
    follow = page.get(url(office))
    assert order.number in follow.content.decode()  # the success message names it


def test_fd2_a_failed_submit_keeps_everything_typed_and_writes_nothing(office, clock) -> None:
    page = browser_for(office.receptionist)
    r = page.post(
        url(office),
        {
            "channel": "phone",
            "caller_phone": "13812345678",
            "room": "9-9-9999",
            "caller_name": "李娜",
            "intent": "repair",
            "content": "卫生间漏水很严重",
            "outcome": "promised",
            "promise_reason": "师傅在别处",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "卫生间漏水很严重" in html and "李娜" in html and "师傅在别处" in html
    assert "本小区没有房号 9-9-9999" in html  # the room's error, in Chinese
    assert "承诺的解决时间" in html  # the promised time is missing
    assert Contact.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_an_empty_submit_is_answered_with_the_forms_errors_not_a_server_error(
    office, clock
) -> None:
    """A POST with nothing in it (a form sent empty by a broken client, a replayed request) is a
    failed submit like any other: the page again with what is missing, nothing written."""
    r = browser_for(office.receptionist).post(url(office), {})
    assert r.status_code == 400
    html = r.content.decode()
    assert "errorlist" in html and 'name="caller_phone"' in html
    assert Contact.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_fd3_a_promise_is_logged_with_its_time_in_the_communitys_zone(office, clock) -> None:
    page = browser_for(office.receptionist)
    r = page.post(
        url(office),
        {
            "channel": "phone",
            "caller_phone": "13812345678",
            "intent": "consultation",
            "content": "问停车费标准",
            "outcome": "promised",
            "promised_at": "2026-11-26T15:30",  # Shanghai time
            "promise_reason": "需查询收费标准",
        },
    )
    assert r.status_code == 302
    contact = Contact.objects.get()
    assert contact.promised_at == clock.now() + timedelta(hours=5, minutes=30)


def test_fd4_an_agitated_visitor_tells_the_head_at_once(office, clock) -> None:
    page = browser_for(office.receptionist)
    r = page.post(
        url(office),
        {
            "channel": "visit",
            "room": "3-2-1502",
            "intent": "complaint",
            "content": "业主情绪激动投诉物业费",
            "outcome": "work_order",
            "owner_agitated": "on",
        },
    )
    assert r.status_code == 302
    run_telling(clock)
    assert Notification.objects.filter(recipient=office.head, kind="agitated_visitor").exists()


def test_cp3_a_written_complaint_carries_its_scanned_letter(office, clock) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    letter = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 scanned letter", "application/pdf")
    r = browser_for(office.receptionist).post(
        url(office),
        {
            "channel": "written",
            "room": "3-2-1502",
            "intent": "complaint",
            "complaint_type": "written",
            "content": "书面投诉：电梯多次困人",
            "outcome": "work_order",
            "letter": letter,
        },
    )
    assert r.status_code == 302
    order = WorkOrder.objects.get()
    assert [a.kind for a in order.attachments.all()] == ["letter"]
    assert Clock.objects.filter(order=order, rule_id="CP-3", state="running").exists()
    # Routed to the head at once, with the order to open.
    run_telling(clock)
    note = Notification.objects.get(recipient=office.head, kind="complaint_to_head")
    assert note.payload == {
        "order": order.pk,
        "number": order.number,
        "url": reverse("desk-order", args=[order.pk]),
    }
    assert order.number in note.title


def test_a_letter_that_is_not_a_scan_leaves_nothing_logged(office, clock) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = browser_for(office.receptionist).post(
        url(office),
        {
            "channel": "written",
            "room": "3-2-1502",
            "intent": "complaint",
            "complaint_type": "written",
            "content": "书面投诉",
            "outcome": "work_order",
            "letter": SimpleUploadedFile("x.exe", b"MZ\x90\x00", "application/octet-stream"),
        },
    )
    assert r.status_code == 400
    assert "书面投诉" in r.content.decode()
    assert Contact.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_the_lookup_finds_the_household_with_its_open_orders(office, clock, open_order) -> None:
    order = open_order()
    r = browser_for(office.receptionist).get(
        url(office, "desk-intake-lookup"), {"caller_phone": "1381234"}
    )
    html = r.content.decode()
    assert "3-2-1502" in html and "张伟" in html and order.number in html


def test_the_lookup_never_shows_another_communitys_household(office, other_office) -> None:
    from tests import factories as f

    f.ResidentFactory(household=other_office.household, name="赵敏", phone="13900001111")
    r = browser_for(office.receptionist).get(
        url(office, "desk-intake-lookup"), {"caller_phone": "13900001111"}
    )
    assert r.status_code == 200 and "赵敏" not in r.content.decode()
    # A receptionist of one community cannot open another community's front desk at all.
    assert browser_for(office.receptionist).get(url(other_office)).status_code == 404


def test_the_front_desk_is_not_for_a_team_member(office) -> None:
    r = browser_for(office.repair_member).get(url(office))
    assert r.status_code == 403
    assert reverse("desk-home") in r.content.decode()  # a way back


def test_signed_out_goes_to_the_sign_in_page(office, client) -> None:
    r = client.get(url(office))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_ds2_a_catalogue_item_is_taken_and_kept_through_a_failed_submit(
    office, other_office, clock
) -> None:
    """A submit is checked against the item it names; a failed one offers the whole catalogue
    again with the chosen item still chosen; another company's item is refused."""
    from tests import factories as f

    tap = f.ServiceItemFactory(company=office.community.company, name="更换水龙头")
    valve = f.ServiceItemFactory(company=office.community.company, name="更换阀门")
    foreign = f.ServiceItemFactory(company=f.CompanyFactory(), name="别家的项目")
    page = browser_for(office.receptionist)
    body = {
        "channel": "visit",
        "room": "3-2-1502",
        "intent": "repair",
        "content": "厨房水龙头漏水",
        "outcome": "work_order",
        "service_item": str(tap.pk),
    }
    failed = page.post(url(office), {**body, "content": ""})
    assert failed.status_code == 400
    html = failed.content.decode()
    # Each item says its kind (data-kind): the page offers only the items of the 诉求类别 chosen.
    assert (
        f'<option value="{tap.pk}" selected data-kind="repair">{tap.code} 更换水龙头</option>'
        in html
    )
    assert f'<option value="{valve.pk}" data-kind="repair">{valve.code} 更换阀门</option>' in html
    assert "别家的项目" not in html
    refused = page.post(url(office), {**body, "service_item": str(foreign.pk)})
    assert refused.status_code == 400
    assert "请从列表中选择服务项目" in refused.content.decode()
    assert WorkOrder.objects.count() == 0
    taken = page.post(url(office), body)
    assert taken.status_code == 302 and taken["Location"] == url(office)
    assert WorkOrder.objects.get().service_item == tap


def test_intake_forms_open_at_once_keep_their_own_items_places_and_time_zone(office) -> None:
    # The form's fields are built once and shared by every form (web.forms.fields_shared), but
    # the ones a form changes: one desk's catalogue item, place and time zone are never
    # another's, whichever form was made last.
    from types import SimpleNamespace

    from propdesk.community.models import Community
    from propdesk.web.forms import IntakeForm

    typed = {
        "channel": "visit",
        "intent": "repair",
        "content": "门禁坏了",
        "outcome": "promised",
        "promised_at": "2026-11-27T09:30",
        "service_item": "7",
        "place": "3",
    }
    item, place = SimpleNamespace(pk=7, code="W01", name="换锁"), SimpleNamespace(pk=3, name="大堂")
    shanghai = IntakeForm(typed, community=office.community, items=[item], places=[place])
    urumqi = IntakeForm(typed, community=Community(time_zone="Asia/Urumqi"), items=[])
    assert shanghai.is_valid(), shanghai.errors
    assert not urumqi.is_valid()
    assert set(urumqi.errors) == {"service_item", "place"}  # not among its own
    zones = [f.fields[name].time_zone for f in (shanghai, urumqi) for name in ("promised_at",)]
    assert zones == ["Asia/Shanghai", "Asia/Urumqi"]
    assert urumqi.fields["appointment_at"].time_zone == "Asia/Urumqi"
    assert [c for c, _l in shanghai.fields["service_item"].choices] == ["", 7]
    assert [c for c, _l in IntakeForm.base_fields["service_item"].choices] == [""]  # "—" alone


def test_cp3_the_head_hears_of_a_written_complaint_once(office, clock, open_order) -> None:
    """CP-1, CP-3: with no administrator on duty, a new complaint is the head's to hear of; a
    written one reaches them as 书面投诉 (the more specific), not also as 新投诉."""
    written = open_order("complaint", complaint_type="written", description="书面投诉：电梯困人")
    general = open_order("complaint", complaint_type="general", description="夜间施工噪音")
    run_telling(clock)
    told = list(
        Notification.objects.filter(recipient=office.head, channel="in_app").values_list(
            "kind", "payload__order"
        )
    )
    assert sorted(k for k, o in told if o == written.pk) == ["complaint_to_head"], told
    assert [k for k, o in told if o == general.pk] == ["complaint_created"], told


def test_fd2_a_room_said_alone_is_logged_with_the_building_chosen_beside_the_panel(
    office, clock
) -> None:
    """The panel asks for the building of a room typed alone (1502): the building chosen there
    goes with the submit, and the call is logged to the household. Without it, the form says
    what is missing, not that 1502 is written wrong."""
    building_5 = f.BuildingFactory(community=office.community, number="5")
    f.HouseholdFactory(  # 1502 in two buildings: the room alone names neither
        unit=f.UnitFactory(building=building_5, number="1"),
        community=office.community,
        room="1502",
        code="5-1-1502",
    )
    page = browser_for(office.receptionist)
    form = {
        "channel": "phone",
        "caller_phone": "13900001111",
        "room": "1502",
        "intent": "repair",
        "content": "卫生间漏水",
        "outcome": "work_order",
    }
    html = page.get(url(office)).content.decode()
    assert 'name="building" form="intake-form"' in html
    r = page.post(url(office), form)
    assert r.status_code == 400
    assert "房号 1502 不完整：请选择楼栋，或写成 楼栋-单元-房间" in r.content.decode()
    assert WorkOrder.objects.count() == 0
    building = office.household.unit.building_id
    r = page.post(url(office), {**form, "building": str(building)})
    assert r.status_code == 302
    assert WorkOrder.objects.get().household == office.household
