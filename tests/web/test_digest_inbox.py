"""Issue 12 (leftover) / 15: the bell's page lists what was folded into a summary, each item
with its title and its link; a summary is its recipient's own."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from propdesk.notify.models import Notification
from tests.notify.helpers import notify
from tests.web.conftest import browser_for


def _fold(office, clock, causes, **kw) -> Notification:
    for i in range(20):
        notify(office, [office.head], clock, cause=f"own:{i}")
    for cause in causes:
        notify(office, [office.head], clock, cause=cause, **kw.get(cause, {}))
    return Notification.objects.get(recipient=office.head, kind="digest")


def _page(user) -> tuple[str, int]:
    c = browser_for(user)
    with CaptureQueriesContext(connection) as q:
        r = c.get(reverse("desk-notifications"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200
    return r.content.decode(), len(q.captured_queries)


def test_the_inbox_lists_a_summarys_items_with_their_links(office, other_office, clock) -> None:
    with translation.override("zh-hans"):
        _fold(
            office,
            clock,
            ["c:1", "c:2", "c:3", "c:4"],
            **{
                "c:1": {"title": "工单一超时", "payload": {"order": 1, "url": "/desk/orders/1/"}},
                "c:2": {"title": "<b>无链接</b>", "payload": {"order": 2}},
                "c:3": {"title": "外站链接", "payload": {"url": "//evil.example/x"}},
                "c:4": {"title": "斜杠链接", "payload": {"url": "/\\evil.example/y"}},
            },
        )
    html, _n = _page(office.head)
    assert "近10分钟内另有4条通知，已汇总于此" in html
    assert "汇总的通知 (4)" in html
    assert '<a href="/desk/orders/1/">工单一超时</a>' in html
    assert "&lt;b&gt;无链接&lt;/b&gt;" in html and "<b>无链接</b>" not in html  # escaped, no link
    # Another site's link is not followed, however it is spelt.
    assert "外站链接" in html and "斜杠链接" in html and "evil.example" not in html
    assert "仅列出前" not in html
    # Nobody else sees them: not the head of another community, not a colleague.
    for user in (other_office.head, office.administrator):
        other_html, _n = _page(user)
        assert "工单一超时" not in other_html and "汇总的通知" not in other_html


def test_the_inbox_reads_a_summarys_items_in_one_query_however_many(office, clock) -> None:
    _fold(office, clock, ["c:0"])
    _html, few = _page(office.head)
    for i in range(1, 40):
        notify(office, [office.head], clock, cause=f"c:{i}", title=f"第{i}条")
    html, many = _page(office.head)
    assert "第39条" in html
    assert many == few
    # A page without any summary asks nothing more for items.
    Notification.objects.filter(kind="digest").delete()
    _html, none = _page(office.head)
    assert none == few - 1


def test_a_summary_past_200_says_only_the_first_200_are_listed(office, clock) -> None:
    office.community.policy = {"notify_cap": {"per_person": 1, "window_minutes": 60}}
    office.community.save(update_fields=["policy"])
    notify(office, [office.head], clock, cause="own:0")
    for i in range(205):
        clock.at += timedelta(milliseconds=1)
        notify(office, [office.head], clock, cause=f"c:{i}", title=f"第{i}条")
    html, _n = _page(office.head)
    assert "汇总的通知 (200)" in html
    assert "仅列出前200条。" in html
    assert "第199条" in html and "第200条" not in html
