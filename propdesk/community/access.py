"""Who may see which community, with which roles: the one place that decides it.

Services, selectors, the API, the console and the back office ask here; nothing else reads
memberships to decide access. The rules:

- An inactive or anonymous user sees nothing.
- A superuser sees every community and holds every role in each.
- A staff member sees the communities where they hold a role (Membership), with those roles.
- Company leadership (``User.is_leadership``) also sees every community of its company and holds
  ``Role.LEADERSHIP`` there.
- Another community's object is "not found" (NotFound), never "forbidden": ids leak nothing. A
  visible community where the user's roles do not allow the thing is Forbidden.

Results are cached on the user object (one query per request for the roles)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from propdesk.community.models import Community, Membership, Team, TeamMember, User
from propdesk.core.errors import Forbidden, NotFound
from propdesk.core.rows import RowReader, ValuesReader
from propdesk.policy.phones import mask_phone
from propdesk.policy.workflow import DOING_STATES, OFFICE_ROLES, RESIDENT_ROLES, TEAM_ROLES, Role

ALL_ROLES = frozenset(Role)
# Community.objects.select_related("company").get(pk=…), its SQL built once (core.rows): every
# request that names a community reads it.
COMMUNITY = RowReader(Community, by=("id",), related=("company",), unique=True)
# Membership.objects.filter(user=…).values_list("community_id", "role"), likewise: every
# request of a signed-in user reads its roles once.
MEMBERSHIPS = ValuesReader(Membership, ("community", "role"), by=("user",))


def roles_read_with(conn: Any, user_id: str) -> str:
    """A scalar subquery for a statement that reads a user (``core.rows``' ``also``): that
    user's memberships as one text, ``"3:receptionist,5:administrator"`` (NULL for none), the
    id of the user being the column ``user_id``. Read with the user, the roles cost no statement
    of their own (``remember_roles``); on PostgreSQL a statement is a round trip."""
    qn = conn.ops.quote_name
    m = qn(Membership._meta.db_table)
    pair = f"{m}.{qn('community_id')} || ':' || {m}.{qn('role')}"
    joined = (
        f"string_agg({pair}, ',')" if conn.vendor == "postgresql" else f"group_concat({pair}, ',')"
    )
    return f"SELECT {joined} FROM {m} WHERE {m}.{qn('user_id')} = {user_id}"  # noqa: S608 - names from the models


def remember_roles(user: User, read: str | None) -> None:
    """Keep the roles ``roles_read_with`` read with ``user`` for the checks that follow, as
    ``_role_map`` would have read them."""
    roles: dict[int, set[Role]] = {}
    for pair in (read or "").split(","):
        if pair:
            community_id, role = pair.split(":", 1)
            roles.setdefault(int(community_id), set()).add(Role(role))
    user._propdesk_roles = {cid: frozenset(r) for cid, r in roles.items()}  # type: ignore[attr-defined]


def _role_map(user: User) -> dict[int, frozenset[Role]]:
    """community id → the user's roles there; loaded once per user object."""
    cached: dict[int, frozenset[Role]] | None = getattr(user, "_propdesk_roles", None)
    if cached is None:
        roles: dict[int, set[Role]] = {}
        for community_id, role in MEMBERSHIPS(user.pk):
            roles.setdefault(community_id, set()).add(Role(role))
        cached = {cid: frozenset(r) for cid, r in roles.items()}
        user._propdesk_roles = cached  # type: ignore[attr-defined]
    return cached


def preload_access(users: Iterable[User]) -> None:
    """Load the roles and teams of several users at once (two queries for all of them), for
    the checks that follow (``user_roles``, ``user_team_ids``, ``community_ids_visible``); a
    user already loaded is left as it is."""
    todo = {
        u.pk: u
        for u in users
        # (a request's own user has its roles, read with it, and not yet its teams)
        if getattr(u, "_propdesk_roles", None) is None
        or getattr(u, "_propdesk_teams", None) is None
    }
    if not todo:
        return
    roles: dict[int, dict[int, set[Role]]] = {uid: {} for uid in todo}
    for uid, community_id, role in Membership.objects.filter(user_id__in=list(todo)).values_list(
        "user_id", "community_id", "role"
    ):
        roles[uid].setdefault(community_id, set()).add(Role(role))
    teams: dict[int, set[int]] = {uid: set() for uid in todo}
    for team_id, leader_id in Team.objects.filter(leader_id__in=list(todo)).values_list(
        "id", "leader_id"
    ):
        teams[leader_id].add(team_id)
    for team_id, uid in TeamMember.objects.filter(user_id__in=list(todo)).values_list(
        "team_id", "user_id"
    ):
        teams[uid].add(team_id)
    for uid, user in todo.items():
        user._propdesk_roles = {  # type: ignore[attr-defined]
            cid: frozenset(r) for cid, r in roles[uid].items()
        }
        if getattr(user, "_propdesk_teams", None) is None:
            user._propdesk_teams = frozenset(teams[uid])  # type: ignore[attr-defined]


def forget(user: User) -> None:
    """Drop what was cached on ``user`` (after its memberships or flags changed)."""
    for attr in ("_propdesk_roles", "_propdesk_communities", "_propdesk_teams"):
        if hasattr(user, attr):
            delattr(user, attr)


def community_ids_visible(user: User) -> list[int] | None:
    """Ids of the communities the user may see; ``None`` means every community (superuser)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cached: list[int] | None = getattr(user, "_propdesk_communities", None)
    if cached is None:
        ids = set(_role_map(user))
        if user.is_leadership and user.company_id:
            ids |= set(
                Community.objects.filter(company_id=user.company_id).values_list("id", flat=True)
            )
        cached = sorted(ids)
        user._propdesk_communities = cached  # type: ignore[attr-defined]
    return cached


def community_ids_visible_query(user: User) -> QuerySet[Any, Any] | list[int] | None:
    """``community_ids_visible`` for use inside another query: the ids as a subquery, costing no
    query of its own (a list when they are already known, ``None`` for every community). For a
    statement that must be the only one of a request (the live screens' poll)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cached: list[int] | None = getattr(user, "_propdesk_communities", None)
    if cached is not None:
        return cached
    cond = Q(pk__in=Membership.objects.filter(user_id=user.pk).values("community_id"))
    if user.is_leadership and user.company_id:
        cond |= Q(company_id=user.company_id)
    return Community.objects.filter(cond).values("pk")


def scope(qs: QuerySet, user: User, field: str = "community_id") -> QuerySet:  # type: ignore[type-arg]
    """Narrow ``qs`` to the communities ``user`` may see, through ``field``."""
    ids = community_ids_visible(user)
    if ids is None:
        return qs
    return qs.filter(**{f"{field}__in": ids})


def user_roles(user: User, community_id: int) -> frozenset[Role]:
    """The user's roles in one community. Superusers hold every role; leadership its own."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return ALL_ROLES
    roles = _role_map(user).get(community_id, frozenset())
    if user.is_leadership:
        ids = community_ids_visible(user) or []
        if community_id in ids:
            roles = roles | {Role.LEADERSHIP}
    return roles


def has_role(user: User, community_id: int, roles: Iterable[Role]) -> bool:
    """Whether ``user`` holds one of ``roles`` in the community."""
    return bool(user_roles(user, community_id) & frozenset(roles))


def community_ids_with_roles(user: User, roles: Iterable[Role]) -> list[int] | None:
    """Ids of the visible communities where ``user`` holds one of ``roles``; ``None``: every
    community (superuser)."""
    ids = community_ids_visible(user)
    if ids is None:
        return None
    wanted = frozenset(roles)
    return [cid for cid in ids if user_roles(user, cid) & wanted]


def user_team_ids(user: User) -> frozenset[int]:
    """Ids of the teams the user leads or belongs to."""
    cached: frozenset[int] | None = getattr(user, "_propdesk_teams", None)
    if cached is None:
        cached = frozenset(
            Team.objects.filter(Q(leader=user) | Q(members=user)).values_list("id", flat=True)
        )
        user._propdesk_teams = cached  # type: ignore[attr-defined]
    return cached


def communities_visible(user: User) -> QuerySet[Community]:
    return scope(Community.objects.select_related("company"), user, "id").order_by("name")


def access_community(user: User, community_id: int | str) -> Community:
    """The community if ``user`` may see it; NotFound otherwise (hidden or missing alike).
    What ``communities_visible(user).get(pk=…)`` gives, the ids the user may see checked here
    (they are loaded once per request): a hidden community is not read at all."""
    try:
        pk = int(community_id)
        ids = community_ids_visible(user)
        if ids is not None and pk not in ids:
            raise Community.DoesNotExist
        return COMMUNITY.get(pk)
    except (Community.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound("Community not found") from exc


def require_roles(
    user: User, community_id: int, roles: Iterable[Role], message: str | None = None
) -> None:
    """Forbidden unless ``user`` holds one of ``roles`` in the (visible) community."""
    if not has_role(user, community_id, roles):
        raise Forbidden(message or _("Your role in this community may not see this."))


def access_community_with_roles(
    user: User, community_id: int | str, roles: Iterable[Role], message: str | None = None
) -> Community:
    """The community if ``user`` may see it (NotFound otherwise, hidden or missing alike) and
    holds one of ``roles`` there (Forbidden otherwise, with ``message`` or a general one)."""
    community = access_community(user, community_id)
    require_roles(user, community.pk, roles, message)
    return community


def resident_community_ids(user: User) -> list[int] | None:
    """Ids of the communities whose residents' names and phones ``user`` reads (a role in
    RESIDENT_ROLES there: front desk, administrators, office head, company leadership);
    ``None`` means every community (superuser)."""
    return community_ids_with_roles(user, RESIDENT_ROLES)


def may_read_residents(user: User, community_id: int) -> bool:
    """Whether ``user`` reads the names and whole phone numbers of the community's residents."""
    return has_role(user, community_id, RESIDENT_ROLES)


def owner_phone_community_ids(user: User) -> list[int] | None:
    """Ids of the communities whose owners' whole phone numbers ``user`` reads (``may_call_owners``
    there); ``None``: every community (superuser). Only there may a phone be searched for: a
    search that answers whether a number is someone's would give back, digit by digit, what the
    page shows masked (``138****1234``) to everyone else."""
    return community_ids_with_roles(user, OFFICE_ROLES)


def may_call_owners(user: User, community_id: int) -> bool:
    """Whether ``user`` reads owners' whole phone numbers in the community: the roles that call
    owners (front desk, administrators, office head; a superuser holds every role). Everyone
    else who sees a resident, caller or reporter (teams, concierge, company leadership) reads
    it masked."""
    return has_role(user, community_id, OFFICE_ROLES)


def phone_as_seen(user: User, community_id: int, number: str) -> str:
    """An owner's phone number as ``user`` may read it: whole for the roles that call owners
    (may_call_owners), else masked (138****1234). The one place staff lists, pages and the API
    mask phone numbers."""
    return number if may_call_owners(user, community_id) else mask_phone(number)


class AssignedOrder(Protocol):
    """What ``may_call_order_owner`` reads of a work order (desk.models.WorkOrder, which this
    module may not import): its community, assignee and state, all on the row in hand."""

    community_id: int
    assignee_id: int | None
    state: str


def may_call_order_owner(user: User, order: AssignedOrder) -> bool:
    """Whether ``user`` reads the whole phone number of ``order``'s reporter on that order's own
    pages (the order page, the phone job page) and in the API's detail of it: the roles that call
    owners (may_call_owners), and the order's assignee in a team role while the order is theirs
    and not yet completed (policy.workflow.DOING_STATES), to call ahead before going up. Every
    other surface (lists, queues, the board, search, prints, notifications) and every other
    order stay ``phone_as_seen``. No query: the order in hand and the user's roles (read once)
    decide."""
    if may_call_owners(user, order.community_id):
        return True
    # (has_role: an inactive or anonymous user holds no role)
    return (
        order.assignee_id is not None
        and order.assignee_id == user.pk
        and order.state in DOING_STATES
        and has_role(user, order.community_id, TEAM_ROLES)
    )


def caller_phone_as_seen(user: User | None, community_id: int, number: str) -> str:
    """``phone_as_seen`` where the reader may be unknown (a serializer without a request, a
    message for no one in particular): masked then."""
    if not number:
        return ""
    return mask_phone(number) if user is None else phone_as_seen(user, community_id, number)


# A missed call's call-back clock is kept per caller's number (calls.services.callback_subject).
CALLER_SUBJECT = "phone:"


def clock_subject_as_seen(user: User | None, community_id: int, subject: str) -> str:
    """A clock's subject as ``user`` may read it: a missed call's (``phone:138…``) with the
    caller's number through ``phone_as_seen`` (masked unless ``user`` calls owners; masked for no
    user at all); any other subject as it is."""
    if not subject.startswith(CALLER_SUBJECT):
        return subject
    return CALLER_SUBJECT + caller_phone_as_seen(
        user, community_id, subject.removeprefix(CALLER_SUBJECT)
    )


def staff_with_roles(community_id: int, roles: Iterable[Role]) -> QuerySet[User]:
    """The active staff who hold one of ``roles`` in the community (each once)."""
    return User.objects.filter(
        memberships__community_id=community_id,
        memberships__role__in=[Role(r).value for r in roles],
        is_active=True,
    ).distinct()


# --- granting: nobody gives what they do not hold ------------------------------------------------


def may_grant_role(user: User, community_id: int, role: Role | str) -> bool:
    """Whether ``user`` may give ``role`` in the community to someone: a superuser anything; a
    staff member only in a community where they are the office head or leadership, and never
    leadership itself (that is the company's, set by a superuser)."""
    if user.is_superuser:
        return True
    if Role(role) == Role.LEADERSHIP:
        return False
    return has_role(user, community_id, {Role.OFFICE_HEAD, Role.LEADERSHIP})


def may_manage_user(user: User, other: User) -> bool:
    """Whether ``user`` may change ``other``'s account (details, password, roles): a superuser
    anyone; otherwise only someone who is not a superuser or leadership, and whose every
    community is one where ``user`` may grant roles (an office head manages their office)."""
    if user.is_superuser:
        return True
    if other.pk == user.pk:
        return True
    if other.is_superuser or other.is_leadership:
        return False
    theirs = set(_role_map(other)) if other.pk else set()
    return all(has_role(user, cid, {Role.OFFICE_HEAD, Role.LEADERSHIP}) for cid in theirs) and bool(
        theirs or other.pk is None
    )
