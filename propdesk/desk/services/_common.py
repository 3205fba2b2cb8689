"""What the desk services share: the office-role check, numbering, phones, events, routing."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils.translation import gettext as _

from propdesk.community.access import require_roles, user_roles
from propdesk.community.models import Community, Team, User
from propdesk.core.bulk import create_many, insert_many
from propdesk.core.errors import policy_message
from propdesk.core.rows import RowReader
from propdesk.desk.models import (
    EventAction,
    ServiceItem,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderSequence,
)
from propdesk.policy.phones import InvalidPhone, parse_phone
from propdesk.policy.routing import team_kind_for
from propdesk.policy.workflow import (
    OFFICE_ROLES,
    Role,
)

# --- helpers ------------------------------------------------------------------------------------


def _require_office_role(user: User, community: Community) -> frozenset[Role]:
    require_roles(
        user,
        community.pk,
        OFFICE_ROLES,
        _("Only front-desk and office staff of this community may do this."),
    )
    return user_roles(user, community.pk)


def _local_day(community: Community, at: datetime) -> datetime:
    return at.astimezone(ZoneInfo(community.time_zone))


def _number_prefix(community: Community, day: date) -> str:
    return f"{community.order_prefix}-{day:%Y%m%d}-"


def _next_number(community: Community, now: datetime) -> str:
    """PREFIX-YYYYMMDD-NNNN, counted per community and community-local day."""
    day = _local_day(community, now).date()
    last = _bump_sequence(community.pk, day)
    if last is None:
        # The day's first order makes the counter. Another request may make it at the same
        # moment (on PostgreSQL it waits for that one's commit): its row is skipped (ON CONFLICT
        # DO NOTHING) and it counts on the other's, with no failed statement in the transaction
        # and no savepoint to catch one.
        made = insert_many(
            WorkOrderSequence,
            ("community", "day", "last"),
            [(community.pk, day, 1)],
            ignore_conflicts=True,
        )
        last = 1 if made else _bump_sequence(community.pk, day)
    if last is None:  # pragma: no cover - the row exists by now
        raise RuntimeError(f"no order sequence for community {community.pk} on {day}")
    return f"{_number_prefix(community, day)}{last:04d}"


def _number_order(order: WorkOrder, community: Community, now: datetime) -> None:
    """Give a just-written order its number (``_next_number``): the day's counter taken and
    the number stored, the last of its create on PostgreSQL (the counter row stays locked
    until the commit; SQLite numbers first, ``_write_order``). One statement, the counter's
    UPDATE in a WITH; the day's first order, which finds no counter, makes it
    (``_next_number``) and stores the number apart."""
    q = connection.ops.quote_name
    if connection.vendor == "postgresql":
        day = _local_day(community, now).date()
        seq, last = q(WorkOrderSequence._meta.db_table), q("last")
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH n AS (UPDATE {seq} SET {last} = {last} + 1 "  # noqa: S608 - names from the models, values bound
                f"WHERE {q('community_id')} = %s AND {q('day')} = %s RETURNING {last}) "
                f"UPDATE {q(WorkOrder._meta.db_table)} SET {q('number')} = "
                # {last:04d}: four digits at least, more when the day has more orders.
                f"%s || lpad(n.{last}::text, greatest(4, length(n.{last}::text)), '0') "
                f"FROM n WHERE {q(WorkOrder._meta.db_table)}.{q('id')} = %s "
                f"RETURNING {q('number')}",
                [
                    community.pk,
                    connection.ops.adapt_datefield_value(day),
                    _number_prefix(community, day),
                    order.pk,
                ],
            )
            row = cursor.fetchone()
        if row is not None:
            order.number = row[0]
            return
    order.number = _next_number(community, now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {q(WorkOrder._meta.db_table)} SET {q('number')} = %s WHERE {q('id')} = %s",  # noqa: S608
            [order.number, order.pk],
        )


def _bump_sequence(community_id: int, day: date) -> int | None:
    """Add one to the community's counter of ``day`` and read it, in one statement (UPDATE …
    RETURNING: PostgreSQL, and SQLite since 3.35); None when the day has no row yet."""
    q = connection.ops.quote_name
    table, last, community, on = (
        q(WorkOrderSequence._meta.db_table),
        q("last"),
        q("community_id"),
        q("day"),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {last} = {last} + 1 WHERE {community} = %s AND {on} = %s "  # noqa: S608
            f"RETURNING {last}",
            [community_id, connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _normalise_phone(
    value: str, field_name: str, errors: dict[str, list[str]], area_code: str = ""
) -> tuple[str, str]:
    """(number, extension) as stored, by ``parse_phone`` (a local landline takes the community's
    ``area_code``); a bad number adds its message to ``errors[field_name]`` and gives ("", "")."""
    if not value.strip():
        return "", ""
    try:
        phone = parse_phone(value, area_code=area_code)
    except InvalidPhone as exc:
        errors.setdefault(field_name, []).append(policy_message(exc))
        return "", ""
    return phone.number, phone.extension


def order_event_write(
    order: WorkOrder,
    *,
    by: User | None,
    now: datetime,
    action: EventAction | str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, object] | None = None,
) -> WorkOrderEvent:
    """Append one line to ``order``'s timeline (the event log is append-only). ``action`` is one
    of EventAction, the one vocabulary of the timeline; anything else is a programming error."""
    action = EventAction(action)
    event = WorkOrderEvent(
        order=order,
        community_id=order.community_id,
        at=now,
        actor=by,
        action=action.value,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )
    create_many([event])  # WorkOrderEvent.objects.create, lean (core.bulk): a new row only
    return event


# Team.objects.filter(community=…, kind=…).order_by("id").first(), its SQL built once
# (core.rows): every create routes its order.
TEAM_OF_KIND = RowReader(Team, by=("community", "kind"), order_by=("id",))


def _route_team(community: Community, kind: str, service_item: ServiceItem | None) -> Team | None:
    team_kind = service_item.team_kind if service_item else team_kind_for(kind, community.policy)
    if not team_kind:
        return None
    return TEAM_OF_KIND.first(community.pk, team_kind)


def stale_conflict(order: WorkOrder) -> Exception:
    """The answer to a page that was read before someone else changed ``order``: what changed,
    in the office's words (the last step, who took it, the state now), never the internal
    versions."""
    from propdesk.core.errors import Conflict

    last = order.events.select_related("actor").order_by("-at", "-id").first()
    state = order.get_state_display()
    if last is None:
        return Conflict(
            _("This work order has changed since you opened it: it is now %(state)s. Reload it.")
            % {"state": state},
            code="stale",
        )
    who = last.actor.name or last.actor.username if last.actor else _("the owner")
    return Conflict(
        _(
            "This work order has changed since you opened it: %(what)s by %(who)s; it is now "
            "%(state)s. Reload it and try again."
        )
        % {"what": EventAction.label_for(last.action, order.kind), "who": who, "state": state},
        code="stale",
    )
