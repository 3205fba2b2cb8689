"""A time typed on a console form (an appointment, a promised call-back, a retry, a home visit, an
activity) is read in the community's own time zone, and shown again in it: Django's field read it
in settings.TIME_ZONE (Beijing) whatever the community's zone, so 09:30 typed in a community an
hour east (Asia/Tokyo) was stored as 09:30 Beijing time, an hour late."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from propdesk.web.forms import AppointmentForm, LocalDateTimeField
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("zone", "utc_hour"),
    [("Asia/Tokyo", 0), ("Asia/Shanghai", 1), ("Asia/Urumqi", 3)],
)
def test_a_typed_time_is_the_communitys_own(zone: str, utc_hour: int) -> None:
    community = f.CommunityFactory(time_zone=zone)
    form = AppointmentForm(
        {"version": "1", "appointment_at": "2026-12-03T09:30"}, community=community
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["appointment_at"] == datetime(2026, 12, 3, utc_hour, 30, tzinfo=UTC)


def test_a_stored_time_is_shown_again_in_the_communitys_zone() -> None:
    community = f.CommunityFactory(time_zone="Asia/Tokyo")
    at = datetime(2026, 12, 3, 0, 30, tzinfo=UTC)
    form = AppointmentForm(initial={"version": 1, "appointment_at": at}, community=community)
    assert 'value="2026-12-03T09:30"' in str(form["appointment_at"])


def test_a_time_the_zone_skips_is_refused_with_words() -> None:
    # 2026-03-08 02:30 does not exist in New York (the clocks go from 02:00 to 03:00).
    field = LocalDateTimeField()
    field.time_zone = "America/New_York"
    with pytest.raises(ValidationError) as exc:
        field.clean("2026-03-08T02:30")
    assert "America/New_York" in str(exc.value)
