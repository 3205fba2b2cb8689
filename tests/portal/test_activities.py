"""CS-3 in the resident portal: the announced activities of the resident's communities, not yet
begun, with their places left, and sign-up for their own household (once, within capacity,
closed when it begins); another community's activity is not found."""

from __future__ import annotations

from datetime import timedelta

from propdesk.concierge.models import ActivitySignup
from tests.concierge.conftest import Acts
from tests.followup.conftest import sh

T0 = sh(2026, 11, 26, 10, 0)
PHONE = "13812345678"  # 张伟 of 3-2-1502 (tests/conftest.py make_office)


def announced(office, clock, *, capacity: int = 30, starts_in=timedelta(days=10)):
    acts = Acts(office, clock).at(T0)
    return acts.announce(acts.plan(T0 + starts_in, capacity=capacity))


def test_cs3_a_resident_sees_the_announced_activity_and_signs_up_once(
    office, clock, resident_client
) -> None:
    activity = announced(office, clock, capacity=2)
    c = resident_client(PHONE)
    page = c.get("/portal/activities/").content.decode()
    assert "中秋游园会" in page and "剩余 2 个名额" in page
    assert "中秋游园会" in c.get("/portal/notices/").content.decode()  # under the notices too
    r = c.post(f"/portal/activities/{activity.pk}/signup/", {"household": office.household.pk})
    assert r.status_code == 302
    assert ActivitySignup.objects.filter(activity=activity, household=office.household).exists()
    page = c.get("/portal/activities/").content.decode()
    assert "剩余 1 个名额" in page and "已报名" in page
    # A second press: said, and still one sign-up.
    c.post(f"/portal/activities/{activity.pk}/signup/", {"household": office.household.pk})
    page = c.get("/portal/activities/").content.decode()
    assert "已报名" in page
    assert ActivitySignup.objects.filter(activity=activity).count() == 1


def test_cs3_sign_up_closes_when_the_activity_begins(office, clock, resident_client) -> None:
    activity = announced(office, clock, starts_in=timedelta(hours=1))
    c = resident_client(PHONE)
    clock.at = activity.starts_at
    assert "中秋游园会" not in c.get("/portal/activities/").content.decode()
    c.post(f"/portal/activities/{activity.pk}/signup/", {"household": office.household.pk})
    assert not ActivitySignup.objects.exists()


def test_another_communitys_activity_or_household_is_not_found(
    office, other_office, clock, resident_client
) -> None:
    theirs = announced(other_office, clock)
    other_office.household.residents.update(phone="13600000000")
    c = resident_client(PHONE)
    assert "中秋游园会" not in c.get("/portal/activities/").content.decode()
    r = c.post(f"/portal/activities/{theirs.pk}/signup/", {"household": office.household.pk})
    assert r.status_code == 404
    mine = announced(office, clock)
    r = c.post(f"/portal/activities/{mine.pk}/signup/", {"household": other_office.household.pk})
    assert r.status_code == 404
    assert not ActivitySignup.objects.exists()
