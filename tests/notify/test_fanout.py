"""One cause for one recipient: one row per channel they have, each with its own key
(cause:recipient:channel), and one per community endpoint that takes the kind; written once."""

from __future__ import annotations

from datetime import timedelta

from propdesk.notify.models import Notification, NotificationPreference
from propdesk.notify.services import notifications_expand
from tests.clocks.conftest import Desk, sh
from tests.notify.helpers import deliver, endpoint, keys, notify


def reachable(office) -> None:
    """The head and the administrator have e-mail; the repair leader a phone and SMS chosen."""
    office.head.email = "head@jinxiu.example"
    office.head.save()
    office.administrator.email = "admin@jinxiu.example"
    office.administrator.phone = "13900000001"
    office.administrator.save()
    NotificationPreference.objects.create(user=office.administrator, email=False, sms=False)
    office.repair_leader.phone = "13900000002"
    office.repair_leader.save()
    NotificationPreference.objects.create(user=office.repair_leader, sms=True)


def test_one_row_per_channel_the_recipient_has_and_per_endpoint(office, other_office, clock):
    reachable(office)
    sms = endpoint(office, "sms_template", body_template='{"to":"{phone}","text":"{text}"}')
    group = endpoint(office, "generic", kinds=["clock_escalation"])
    wecom = endpoint(office, "wecom", kinds=["emergency"])  # not this kind
    endpoint(office, "dingtalk", active=False)  # turned off
    endpoint(other_office, "generic")  # another community's
    people = [office.head, office.administrator, office.repair_leader, office.receptionist]
    notify(office, people, clock, cause="clock:7:L1")

    report = deliver(clock, max_batches=0)  # only the in-app rows' turn

    assert report.expanded == 4
    assert keys() == {
        *(f"clock:7:L1:{u.pk}:in_app" for u in people),
        f"clock:7:L1:{office.head.pk}:email",
        f"clock:7:L1:{office.repair_leader.pk}:webhook",  # SMS through the gateway
        f"clock:7:L1:e{group.pk}:webhook",  # one for the group, not one per recipient
    }
    assert keys(channel="in_app", state="sent") == {f"clock:7:L1:{u.pk}:in_app" for u in people}
    assert (
        Notification.objects.get(dedupe_key__endswith=":webhook", recipient__isnull=False).endpoint
        == sms
    )
    assert not Notification.objects.filter(endpoint=wecom).exists()


def test_expanding_the_same_cause_again_writes_nothing(office, clock):
    reachable(office)
    endpoint(office, "generic")
    notify(office, [office.head, office.repair_leader], clock)
    deliver(clock, max_batches=0)
    before = keys()
    # Another worker (or a re-run after a crash) expands the same in-app rows again.
    notifications_expand(rows=list(Notification.objects.filter(channel="in_app")))
    notify(office, [office.head, office.repair_leader], clock)  # and the cause is written again
    deliver(clock, max_batches=0)
    assert keys() == before
    assert Notification.objects.count() == len(before) == 4


def test_channels_are_read_when_the_notification_goes_out(office, clock):
    """A staff member who turns e-mail on gets the next notification by e-mail."""
    reachable(office)
    notify(office, [office.administrator], clock, cause="c:1")
    deliver(clock, max_batches=0)
    NotificationPreference.objects.filter(user=office.administrator).update(email=True)
    notify(office, [office.administrator], clock, cause="c:2")
    deliver(clock, max_batches=0)
    assert keys(channel="email") == {f"c:2:{office.administrator.pk}:email"}


def test_em1_an_emergency_goes_on_every_channel_they_have(office, clock, settings):
    """EM-1: e-mail and SMS, though the administrator turned both off; a gateway that takes only
    other kinds still carries it. In the app always."""
    reachable(office)
    endpoint(office, "sms_template", body_template='{"to":"{phone}","text":"{text}"}', kinds=["x"])
    notify(
        office, [office.administrator, office.receptionist], clock, cause="em:1", kind="emergency"
    )
    deliver(clock, max_batches=0)
    uid = office.administrator.pk
    assert keys(recipient=office.administrator) == {
        f"em:1:{uid}:in_app",
        f"em:1:{uid}:email",
        f"em:1:{uid}:webhook",
    }
    assert keys(recipient=office.receptionist) == {f"em:1:{office.receptionist.pk}:in_app"}


def test_an_inactive_staff_member_gets_only_the_in_app_row(office, clock):
    reachable(office)
    office.head.is_active = False
    office.head.save()
    notify(office, [office.head], clock)
    deliver(clock, max_batches=0)
    assert keys() == {f"test:1:{office.head.pk}:in_app"}


def test_a_clock_escalation_from_the_sweeper_reaches_the_head_by_email(office, clock):
    """The sweeper writes in-app rows only; the delivery worker brings them to e-mail."""
    from propdesk.community.models import User

    User.objects.create(username="boss", company=office.community.company, is_leadership=True)
    reachable(office)
    desk = Desk(office, clock)
    t0 = sh(2026, 11, 26, 10, 0)
    order = desk.at(t0).open("complaint")
    desk.sweep(t0 + timedelta(minutes=10, seconds=1))
    c = desk.clock_of(order, "CP-1")
    deliver(clock, max_batches=0)
    assert keys(cause=f"clock:{c.pk}:L1", channel="email") == {
        f"clock:{c.pk}:L1:{office.head.pk}:email"  # the administrator turned e-mail off
    }
