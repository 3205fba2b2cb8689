"""What the POST matrix (tests/access/test_post_matrix.py) sends to each console route: the form
a person with the right role would send to change something, so that a refusal is shown to
refuse a real change, not an empty form. ``{name}`` is filled in with the asked community's ids
(test_post_matrix._fill); a route with no entry is sent an empty form. ``@png``: a photo (a
small PNG file)."""

from __future__ import annotations

BODIES: dict[str, dict[str, str]] = {
    # EM-1: a new emergency in the asked community (a kind the seed has none of: no merging).
    "POST /desk/emergency/": {
        "community": "{community_id}",
        "kind": "gas_leak",
        "location": "9栋地下车库",
        "description": "闻到燃气味",
    },
    # EM-1: resolving the emergency (the office head, or whoever the service lets).
    "POST /desk/emergencies/<int:emergency_id>/": {"action": "resolve", "note": "已处理"},
    "POST /desk/emergencies/<int:emergency_id>/responders/": {"action": "resolve", "note": "x"},
    # EM-3: the incident report saved with a cause.
    "POST /desk/incidents/<int:emergency_id>/": {
        "action": "save",
        "version": "{report_version}",
        "cause": "燃气管老化",
    },
    "POST /desk/incidents/": {"action": "save", "version": "{report_version}", "cause": "x"},
    # The office head's notification marked read (only its recipient may).
    "POST /desk/notifications/": {"id": "{notification_id}"},
    "POST /desk/language/": {"language": "en", "next": "/desk/"},
    # FD-2: a consultation resolved on the spot, logged at the front desk.
    "POST /desk/<int:community_id>/intake/": {
        "channel": "phone",
        "caller_phone": "13912345678",
        "caller_name": "王先生",
        "intent": "consultation",
        "content": "问停水时间",
        "outcome": "resolved",
        "resolution": "已告知周六停水",
    },
    "POST /desk/<int:community_id>/intake/lookup/": {"q": "{room}"},
    # An order's reply to the owner (FD-6): every role that works on orders may give one.
    "POST /desk/orders/<int:order_id>/": {
        "action": "reply",
        "channel": "phone",
        "note": "已电话答复业主",
        "version": "{version}",
    },
    "POST /desk/jobs/<int:order_id>/": {
        "action": "reply",
        "channel": "phone",
        "note": "已电话答复业主",
        "version": "{version}",
    },
    "POST /desk/orders/<int:order_id>/print/": {"action": "reply", "version": "{version}"},
    "POST /desk/contacts/<int:contact_id>/": {"action": "reply", "note": "x"},
    # DS-1: the repair leader hands the order to a member.
    "POST /desk/<int:community_id>/queue/assign/<int:order_id>/": {
        "action": "assign",
        "assignee": "{member_id}",
        "note": "你去",
        "version": "{version}",
    },
    "POST /desk/<int:community_id>/queue/": {"action": "assign", "version": "{version}"},
    "POST /desk/<int:community_id>/queue/<slug:section>/": {"action": "take"},
    "POST /desk/<int:community_id>/jobs/": {"action": "claim", "version": "{version}"},
    # CS-2: a concierge request logged.
    "POST /desk/<int:community_id>/concierge/": {
        "form": "new",
        "kind": "luggage",
        "location": "3栋大堂",
        "room": "{room}",
        "note": "两个大箱子",
    },
    # CS-1: the service cart's first item lent to the household.
    "POST /desk/<int:community_id>/cart/": {
        "form": "lend",
        "item": "{cart_item_id}",
        "room": "{room}",
        "due_at": "2026-11-27T18:00",
    },
    # RV-1: a monthly return visit of the household, answered.
    "POST /desk/<int:community_id>/visits/new/": {
        "household": "{household_id}",
        "channel": "phone",
        "outcome": "answered",
        "level": "satisfied",
        "opinion": "还行",
    },
    "POST /desk/<int:community_id>/visits/": {"household": "{household_id}", "outcome": "answered"},
    # RV-5: a suggestion answered in writing.
    "POST /desk/<int:community_id>/suggestions/": {
        "id": "{suggestion_id}",
        "reply": "已安排",
        "channel": "phone",
    },
    # RV-7: the written notice marked posted on the lobby board, with its photo.
    "POST /desk/<int:community_id>/issues/": {
        "form": "post",
        "notice": "{notice_id}",
        "photo": "@png",
    },
    # CS-3: an activity planned.
    "POST /desk/<int:community_id>/activities/": {
        "title": "亲子运动会",
        "starts_at": "2026-12-20T09:00",
        "place": "中心广场",
        "capacity": "30",
    },
    # CS-3: the planned activity cancelled (it rains).
    "POST /desk/<int:community_id>/activities/<int:activity_id>/": {
        "form": "cancel",
        "reason": "天气预报有暴雨",
    },
    "POST /desk/<int:community_id>/report/": {"month": "2026-11"},
    "POST /desk/<int:community_id>/staff/<int:staff_id>/": {"action": "reply"},
    "POST /desk/<int:community_id>/places/<int:place_id>/": {"active": "0"},
    # The portal: staff sign-ins are no resident session, whatever they post.
    "POST /portal/report/": {"kind": "repair", "description": "水管漏水"},
    "POST /portal/me/family/<int:resident_id>/remove/": {},
    "POST /portal/orders/<int:order_id>/urge/": {},
    "POST /portal/orders/<int:order_id>/rate/": {"level": "satisfied"},
    "POST /portal/orders/<int:order_id>/reopen/": {"reason": "又漏了"},
}
