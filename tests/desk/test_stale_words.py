"""The office's words where a page was stale, an incident report approved, or a resident signs
in: what changed (the last step, by whom, the state now), never internal versions; a mobile's
advice where an SMS is needed, never a landline's."""

from __future__ import annotations

import pytest
from django.utils import translation

from propdesk.core.errors import Conflict
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition
from propdesk.portal.signin import SignInRefused, mobile_phone


def test_a_stale_page_hears_what_changed_not_versions(office, clock):
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="漏水", household=office.household),
    )
    seen = order.version
    work_order_transition(
        order_id=order.pk,
        action="cancel",
        by=office.head,
        now=clock.now(),
        version=seen,
        note="业主撤回",
    )
    with translation.override("zh-hans"), pytest.raises(Conflict) as stale:
        work_order_transition(
            order_id=order.pk,
            action="claim",
            by=office.repair_member,
            now=clock.now(),
            version=seen,
        )
    message = str(stale.value.message)
    assert "版本" not in message
    assert "已取消" in message and (office.head.name or office.head.username) in message


def test_sign_in_advice_names_a_mobile_only(db):
    with translation.override("zh-hans"), pytest.raises(SignInRefused) as refused:
        mobile_phone("12345")
    assert "座机" not in str(refused.value) and "手机号" in str(refused.value)
