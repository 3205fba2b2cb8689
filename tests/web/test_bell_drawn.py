"""The notification bell is drawn by the server, with my unread count, on every console page:
without JavaScript (or before the first poll) it was not drawn at all. The live poll keeps the
number current and counts exactly as the page does."""

from __future__ import annotations

import re

from django.urls import reverse

from propdesk.notify.selectors import bell_count, unread_count
from tests import factories as f
from tests.web.conftest import browser_for
from tests.web.test_live import notify, poll

BELL = re.compile(r'<a id="notification-bell" href="([^"]+)" title="([^"]+)" aria-label="([^"]+)">')


def test_every_console_page_draws_the_bell_with_my_unread_count(
    office, other_office, clock
) -> None:
    first = notify(office, office.head, "t:1", clock=clock)
    notify(office, office.head, "t:2", clock=clock)
    notify(office, office.head, "t:3", clock=clock)
    notify(office, office.administrator, "t:4", clock=clock)  # someone else's
    notify(other_office, office.head, "t:5", clock=clock)  # not a community of his
    first.read_at = clock.now()
    first.save(update_fields=["read_at"])
    head = browser_for(office.head)
    cid = office.community.pk
    for url in (
        reverse("desk-queue", args=[cid]),
        reverse("desk-board", args=[cid]),
        reverse("desk-visits", args=[cid]),
        reverse("desk-notifications"),
    ):
        html = head.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        (href, title, label), *more = BELL.findall(html)
        assert more == [], url
        assert (href, title, label) == (reverse("desk-notifications"), "未读通知：2", "未读通知：2")
        bell = html.split('id="notification-bell"')[1].split("</a>")[0]
        assert '<span class="bell-count">2</span>' in bell and "<svg" in bell, url
    # The poll says the same number, so the script never makes it jump.
    assert poll(head)["unread"] == 2


def test_signed_out_there_is_no_bell(client) -> None:
    html = client.get(reverse("login")).content.decode()
    assert 'id="notification-bell"' not in html


def test_the_bells_count_agrees_with_the_inbox_for_every_kind_of_user(
    office, other_office, clock
) -> None:
    boss = f.UserFactory(username="boss", is_leadership=True, company=office.community.company)
    root = f.UserFactory(username="root", is_superuser=True)
    for user in (office.head, boss, root, other_office.head):
        for i in range(2):
            notify(office, user, f"t:{user.pk}:{i}", clock=clock)
        notify(other_office, user, f"t:{user.pk}:other", clock=clock)
    for user in (office.head, office.repair_member, boss, root, other_office.head):
        assert bell_count(user) == unread_count(user), user.username
