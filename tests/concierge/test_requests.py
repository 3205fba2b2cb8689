"""CS-2 (礼宾协助): a request at any hour goes to the concierge on duty from the roster, is
accepted and done with its times; scoped by community; bad input refused in Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from propdesk.concierge.models import ConciergeRequest, RequestSource, RequestState
from propdesk.concierge.selectors import requests_open
from propdesk.concierge.services.requests import (
    concierge_request_accept,
    concierge_request_create,
    concierge_request_done,
)
from propdesk.core.errors import Conflict, Forbidden
from propdesk.core.jobs import registered_jobs
from propdesk.notify.models import Notification
from tests.concierge.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


STAFF = object()


def create(cart, *, at, by=STAFF, **kw):
    args = {
        "community": cart.office.community,
        "kind": "luggage",
        "location": "北门",
        "household": cart.office.household,
        "by": cart.office.receptionist if by is STAFF else by,
        "now": at,
    }
    args.update(kw)
    return concierge_request_create(**args)


def worker_tick(at) -> None:
    """The worker's desk.tell job (issue 15): the concierges hear of the request."""
    registered_jobs()["desk.tell"](at)


def test_cs2_a_request_at_0300_goes_to_the_night_concierge_on_duty(cart) -> None:
    request = create(cart, at=local(27, 3))
    assert request.assignee == cart.night_concierge
    assert not Notification.objects.exists()  # the request only announces it
    worker_tick(local(27, 3, 0, 1))
    assert (request.state, request.assigned_at, request.source) == (
        RequestState.NEW,
        local(27, 3),
        RequestSource.FRONT_DESK,
    )
    told = Notification.objects.filter(kind="concierge_request", channel="in_app")
    assert list(told.values_list("recipient_id", "payload__url")) == [
        (cart.night_concierge.pk, f"/desk/{cart.office.community.pk}/concierge/")
    ]
    assert told.get().title == "礼宾协助：搬运行李至电梯口，3-2-1502"


@pytest.mark.parametrize(
    ("at", "who"),
    [
        (local(26, 19, 59, 59), "day"),  # the day shift ends at 20:00
        (local(26, 20), "night"),
        (local(27, 7, 59, 59), "night"),
        (local(26, 8), "day"),
    ],
)
def test_cs2_the_shift_boundaries_decide_who_gets_it(cart, at, who) -> None:
    expected = cart.day_concierge if who == "day" else cart.night_concierge
    assert create(cart, at=at).assignee == expected


def test_cs2_a_request_for_later_goes_to_whoever_is_on_duty_then(cart) -> None:
    request = create(cart, at=local(26, 15), wanted_at=local(26, 22))
    assert request.assignee == cart.night_concierge


@pytest.mark.parametrize(
    ("logged", "wanted", "title"),
    [
        # For tonight, logged in the afternoon: the note says when, in Shanghai's time.
        (local(26, 15), local(26, 22), "礼宾协助：搬运行李至电梯口，3-2-1502，11-26 22:00"),
        # Past midnight, community-local (16:30 UTC is still the 26th).
        (local(26, 23, 59), local(27, 0, 30), "礼宾协助：搬运行李至电梯口，3-2-1502，11-27 00:30"),
        # Wanted a minute on: later. Within the minute it is now, and says no time.
        (local(26, 15), local(26, 15, 1), "礼宾协助：搬运行李至电梯口，3-2-1502，11-26 15:01"),
        (local(26, 15), local(26, 15, 0, 59), "礼宾协助：搬运行李至电梯口，3-2-1502"),
    ],
)
def test_cs2_the_concierges_note_of_a_request_for_later_says_when(
    cart, logged, wanted, title
) -> None:
    """A 23:30 request logged in the morning was told as 礼宾协助：搬运行李至电梯口，1-1-1201,
    the words of one waiting at the gate now."""
    request = create(cart, at=logged, wanted_at=wanted)
    worker_tick(logged + timedelta(seconds=1))
    told = Notification.objects.filter(kind="concierge_request", channel="in_app")
    assert list(told.values_list("recipient_id", "title")) == [(request.assignee_id, title)]


def test_cs2_with_nobody_on_duty_every_concierge_is_told_and_the_first_to_accept_has_it(
    cart,
) -> None:
    request = create(cart, at=local(27, 9))  # after the night shift, no day shift on the 27th
    assert request.assignee is None
    worker_tick(local(27, 9, 0, 1))
    told = set(
        Notification.objects.filter(kind="concierge_request").values_list("recipient_id", flat=True)
    )
    assert told == {cart.day_concierge.pk, cart.night_concierge.pk}
    concierge_request_accept(
        community=cart.office.community,
        request_id=request.pk,
        by=cart.day_concierge,
        now=local(27, 9, 1),
    )
    with pytest.raises(Conflict):
        concierge_request_accept(
            community=cart.office.community,
            request_id=request.pk,
            by=cart.night_concierge,
            now=local(27, 9, 2),
        )
    request.refresh_from_db()
    assert (request.assignee, request.accepted_at) == (cart.day_concierge, local(27, 9, 1))


def test_cs2_accepted_and_done_with_their_times(cart) -> None:
    community = cart.office.community
    request = create(cart, at=local(27, 3), by=cart.night_concierge)
    assert request.source == RequestSource.CONCIERGE
    with pytest.raises(Conflict):  # not accepted yet
        concierge_request_done(
            community=community, request_id=request.pk, by=cart.night_concierge, now=local(27, 3, 1)
        )
    concierge_request_accept(
        community=community, request_id=request.pk, by=cart.night_concierge, now=local(27, 3, 2)
    )
    done = concierge_request_done(
        community=community,
        request_id=request.pk,
        note="已送至电梯口",
        by=cart.night_concierge,
        now=local(27, 3, 15),
    )
    assert (done.state, done.accepted_at, done.done_at, done.done_note) == (
        RequestState.DONE,
        local(27, 3, 2),
        local(27, 3, 15),
        "已送至电梯口",
    )
    assert list(requests_open(cart.night_concierge, community.pk)) == []


def test_cs2_a_concierge_sees_their_own_and_the_unassigned_not_anothers(cart) -> None:
    community = cart.office.community
    mine = create(cart, at=local(27, 3))
    theirs = create(cart, at=local(26, 10))
    nobodys = create(cart, at=local(27, 9))
    assert set(requests_open(cart.night_concierge, community.pk)) == {mine, nobodys}
    assert set(requests_open(cart.office.receptionist, community.pk)) == {mine, theirs, nobodys}
    assert list(requests_open(cart.office.repair_member, community.pk)) == []
    with pytest.raises(Conflict):
        concierge_request_accept(
            community=community, request_id=theirs.pk, by=cart.night_concierge, now=local(27, 3)
        )
    with pytest.raises(Forbidden):
        concierge_request_accept(
            community=community, request_id=mine.pk, by=cart.office.receptionist, now=local(27, 3)
        )


def test_cs2_another_communitys_request_is_not_found_and_its_staff_log_nothing_here(
    cart, other_cart
) -> None:
    from propdesk.core.errors import NotFound

    theirs = create(other_cart, at=local(27, 3))
    with pytest.raises(NotFound):
        concierge_request_accept(
            community=cart.office.community,
            request_id=theirs.pk,
            by=cart.night_concierge,
            now=local(27, 3),
        )
    with pytest.raises(Forbidden):
        create(cart, at=local(27, 3), by=other_cart.office.receptionist)
    with pytest.raises(ValidationError) as exc:  # a household of the other community
        create(cart, at=local(27, 3), household=other_cart.office.household)
    assert exc.value.message_dict == {"household": ["请选择本小区的房号。"]}
    assert ConciergeRequest.objects.filter(community=cart.office.community).count() == 0


def test_cs2_bad_input_is_refused_in_chinese_and_changes_nothing(cart) -> None:
    with pytest.raises(ValidationError) as exc:
        create(cart, at=local(27, 3), kind="dance", location="  ", requester_phone="12")
    errors = exc.value.message_dict
    assert errors["kind"] == ["请选择协助类别。"]
    assert errors["location"] == ["请写明礼宾员要去的地点（如北门）。"]
    assert set(errors) == {"kind", "location", "requester_phone"}
    assert ConciergeRequest.objects.count() == 0
    assert Notification.objects.count() == 0


def test_cs2_the_portal_logs_a_residents_request(cart) -> None:
    request = create(cart, at=local(27, 3), by=None)
    assert (request.source, request.logged_by, request.assignee) == (
        RequestSource.RESIDENT,
        None,
        cart.night_concierge,
    )
    with pytest.raises(ValidationError):
        create(cart, at=local(27, 3), by=None, household=None)
    assert ConciergeRequest.objects.count() == 1
    assert request.wanted_at == local(27, 3)


def test_cs2_the_request_is_announced_and_the_worker_tells_with_the_same_words_and_link(
    cart,
) -> None:
    """Issue 15: logging a request writes one announcement and tells nobody itself; the
    worker's desk.tell job tells the concierge on duty (or, nobody on duty, every active
    concierge, not a deactivated one), with the request's words and the concierge page, at the
    request's time."""
    from propdesk.desk.models import Announcement
    from tests import factories as f

    gone = f.UserFactory(
        username="c-gone", roles=[(cart.office.community, "concierge")], is_active=False
    )
    given = create(cart, at=local(27, 3))
    waiting = create(cart, at=local(27, 9), location="南门")
    rows = {a.cause: a for a in Announcement.objects.filter(cause__startswith="concierge")}
    assert {c: (a.event, a.recipient_ids, a.created_at) for c, a in rows.items()} == {
        f"concierge_request:{given.pk}": (
            "concierge_request",
            [cart.night_concierge.pk],
            local(27, 3),
        ),
        f"concierge_request:{waiting.pk}": ("concierge_request_open", None, local(27, 9)),
    }
    assert not Notification.objects.exists()
    worker_tick(local(27, 9, 0, 1))
    url = f"/desk/{cart.office.community.pk}/concierge/"
    told = Notification.objects.filter(kind="concierge_request", channel="in_app")
    assert sorted(
        (n.cause, n.recipient_id, n.title, n.payload, n.created_at) for n in told
    ) == sorted(
        [
            (
                f"concierge_request:{given.pk}",
                cart.night_concierge.pk,
                "礼宾协助：搬运行李至电梯口，3-2-1502",
                {"concierge_request": given.pk, "url": url},
                local(27, 3),
            ),
        ]
        + [
            (
                f"concierge_request:{waiting.pk}",
                uid,
                "礼宾协助：搬运行李至电梯口，3-2-1502",
                {"concierge_request": waiting.pk, "url": url},
                local(27, 9),
            )
            for uid in (cart.day_concierge.pk, cart.night_concierge.pk)
        ]
    )
    assert not told.filter(recipient=gone).exists()
