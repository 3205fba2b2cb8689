"""EM-1, issue 12 (limits): the same emergency logged again within a minute is merged after
asking. Ten identical reports must not page everyone ten times: the second one within 60 s (the
same kind, the same place, the same community, the first still open) is refused with the
question; merged, it is recorded on the open one's work order and nobody is called again;
forced, it is a separate emergency. Boundaries on the injected clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from propdesk.desk.models import WorkOrderEvent
from propdesk.incidents.models import Emergency
from propdesk.incidents.services import DuplicateEmergency, emergency_resolve
from propdesk.notify.models import Notification
from tests.conftest import client_for
from tests.incidents.conftest import T_NIGHT

BASE = "/api/emergencies/"


def _calls() -> int:
    return Notification.objects.filter(kind="emergency", channel="in_app").count()


def test_em1_a_second_report_within_60_s_asks_and_at_61_s_does_not(duty) -> None:
    first = duty.log(at=T_NIGHT)
    calls = _calls()
    assert calls > 0
    for seconds in (1, 30, 60):  # the boundary second is still "within a minute"
        with pytest.raises(DuplicateEmergency) as asked:
            duty.log(at=T_NIGHT + timedelta(seconds=seconds), location=" 3栋地下车库 ")
        assert asked.value.existing.pk == first.pk
        assert "3栋地下车库" in asked.value.message
    assert Emergency.objects.count() == 1 and _calls() == calls  # nothing written on asking
    later = duty.log(at=T_NIGHT + timedelta(seconds=60, milliseconds=1))
    assert later.pk != first.pk and _calls() > calls


def test_em1_another_kind_place_or_a_resolved_one_is_no_duplicate(duty, office) -> None:
    first = duty.log(at=T_NIGHT)
    other_kind = duty.log(kind="flooding", at=T_NIGHT + timedelta(seconds=5))
    elsewhere = duty.log(location="5栋大堂", at=T_NIGHT + timedelta(seconds=6))
    assert len({first.pk, other_kind.pk, elsewhere.pk}) == 3
    emergency_resolve(
        emergency_id=elsewhere.pk, by=office.head, now=duty.clock.now(), note="已扑灭"
    )
    again = duty.log(location="5栋大堂", at=T_NIGHT + timedelta(seconds=20))
    assert again.pk != elsewhere.pk


def test_em1_merging_calls_nobody_again_and_records_the_report(duty, office) -> None:
    first = duty.log(at=T_NIGHT)
    calls = _calls()
    merged = duty.log(
        at=T_NIGHT + timedelta(seconds=40), duplicate="merge", description="二次来电：有浓烟"
    )
    assert merged.pk == first.pk and merged.merged
    assert _calls() == calls and Emergency.objects.count() == 1
    event = WorkOrderEvent.objects.get(order=first.order, action="emergency_merged")
    assert event.note == "二次来电：有浓烟"
    forced = duty.log(at=T_NIGHT + timedelta(seconds=41), duplicate="force")
    assert forced.pk != first.pk and _calls() > calls


def test_em1_the_api_answers_a_structured_conflict_unless_told_merge_or_force(duty, office):
    front = client_for(office.receptionist)
    body = {"community": office.community.pk, "kind": "fire", "location": "3栋地下车库"}
    duty.clock.at = T_NIGHT
    assert front.post(BASE, body, format="json").status_code == 201
    calls = _calls()
    duty.clock.at = T_NIGHT + timedelta(seconds=59)
    r = front.post(BASE, body, format="json")
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "duplicate_emergency"
    assert error["duplicate_of"] == Emergency.objects.get().pk
    assert error["choices"] == ["merge", "force"]
    assert _calls() == calls
    r = front.post(BASE, {**body, "duplicate": "merge"}, format="json")
    assert r.status_code == 200 and r.json()["id"] == error["duplicate_of"]
    assert _calls() == calls and Emergency.objects.count() == 1
    r = front.post(BASE, {**body, "duplicate": "twice"}, format="json")
    assert r.status_code == 400 and "duplicate" in r.json()["error"]["fields"]
    r = front.post(BASE, {**body, "duplicate": "force"}, format="json")
    assert r.status_code == 201 and Emergency.objects.count() == 2


def test_em1_the_console_asks_in_chinese_and_merges_on_confirmation(duty, office) -> None:
    desk = Client()
    desk.force_login(office.receptionist)
    form = {"community": office.community.pk, "kind": "fire", "location": "3栋地下车库"}
    duty.clock.at = T_NIGHT
    assert desk.post("/desk/emergency/", form).status_code == 302
    first = Emergency.objects.get()
    calls = _calls()
    duty.clock.at = T_NIGHT + timedelta(seconds=30)
    page = desk.post("/desk/emergency/", form, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 409
    text = page.content.decode()
    assert "1分钟内已登记同类紧急事件" in text and "是否合并？" in text
    assert 'name="duplicate" value="merge"' in text and first.order.number in text
    assert _calls() == calls and Emergency.objects.count() == 1
    done = desk.post("/desk/emergency/", {**form, "duplicate": "merge"})
    assert done.status_code == 302 and done["Location"] == f"/desk/emergencies/{first.pk}/"
    assert _calls() == calls and Emergency.objects.count() == 1


def test_em1_a_report_is_kept_whole_and_a_long_place_refused_not_cut(duty, office) -> None:
    """A second caller's account goes onto the order in their words, however long (it was cut to
    500); the callers' numbers as the desk stores them, an extension never cut into the number;
    a place or a name longer than its field is refused, nothing written (it was cut to fit)."""
    first = duty.log(at=T_NIGHT, caller_phone="0755-8888 1234 转 8012")
    assert first.caller_phone == "075588881234"
    account = "二次来电：" + "浓烟从车库入口往外冒，" * 60
    assert len(account) > 500
    duty.log(
        at=T_NIGHT + timedelta(seconds=30),
        duplicate="merge",
        description=account,
        caller_phone="+86 138-1234-5678",
    )
    event = WorkOrderEvent.objects.get(order=first.order, action="emergency_merged")
    assert event.note == account and event.data["caller_phone"] == "13812345678"
    with pytest.raises(ValidationError) as refused:
        duty.log(
            at=T_NIGHT + timedelta(minutes=5),
            location="北" * 201,
            caller_name="张" * 51,
            duplicate="force",
        )
    assert set(refused.value.message_dict) == {"location", "caller_name"}
    assert "最多 200 个字（现有 201 个）" in refused.value.message_dict["location"][0]
    said = "来电人姓名最多 50 个字（现有 51 个），请删减。"
    assert refused.value.message_dict["caller_name"] == [said]
    assert Emergency.objects.count() == 1
    at_limit = duty.log(
        at=T_NIGHT + timedelta(minutes=6), location="北" * 200, caller_name="张" * 50
    )
    assert at_limit.location == "北" * 200 and at_limit.caller_name == "张" * 50
