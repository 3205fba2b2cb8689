from __future__ import annotations

from typing import Any

from propdesk.notify.models import Notification, NotificationEndpoint
from propdesk.notify.services import DeliveryReport, notifications_create, notifications_deliver
from tests.notify.conftest import SECRET


def endpoint(office: Any, kind: str = "generic", url: str = "http://127.0.0.1:9/", **kw: Any):
    kw.setdefault("name", f"{kind}-{NotificationEndpoint.objects.count()}")
    kw.setdefault("secret", SECRET if kind == "generic" else "")
    e = NotificationEndpoint(community=office.community, kind=kind, url=url, **kw)
    e.full_clean()
    e.save()
    return e


def notify(office: Any, recipients: list[Any], clock: Any, cause: str = "test:1", **kw: Any) -> int:
    return notifications_create(
        community_id=office.community.pk,
        recipient_ids=[u.pk for u in recipients],
        cause=cause,
        kind=kw.pop("kind", "clock_escalation"),
        title=kw.pop("title", "CP-1 投诉10分钟内安排管理员处理：GD-20261126-0001 已超时（1级）"),
        payload=kw.pop("payload", {"order": 1}),
        now=clock.now(),
    )


def deliver(clock: Any, **kw: Any) -> DeliveryReport:
    return notifications_deliver(now=clock.now(), **kw)


def keys(**filters: Any) -> set[str]:
    return set(Notification.objects.filter(**filters).values_list("dedupe_key", flat=True))


def states() -> dict[str, tuple[str, int]]:
    return {
        n.dedupe_key: (n.state, n.attempts) for n in Notification.objects.exclude(channel="in_app")
    }


def run_telling(clock: Any) -> int:
    """Run the worker's ``desk.tell`` job once (issue 15): the staff's notifications of the
    work orders and contacts announced so far are written now, as the worker would."""
    from propdesk.desk.services.telling import announcements_tell

    return announcements_tell(now=clock.now())
