"""Template helpers of the console: a clock as a countdown chip, the notification bell."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, pgettext

from propdesk.clocks.models import Clock, ClockState
from propdesk.core.once import ONCE_FIELD, token_again
from propdesk.core.rule_names import escalation_level, missed_call_text, rule_name, rule_ref
from propdesk.notify.selectors import bell_count
from propdesk.policy.percent import figure_text

register = template.Library()


def _e(value: Any) -> str:
    """A value escaped for HTML as the template engine escapes it (``django.utils.html.escape``
    is the same function behind a check for lazy strings that costs more than the escaping)."""
    return html.escape(str(value))


@register.simple_tag(takes_context=True)
def clock_chip(context: Any, clock: Clock, now: datetime, person: bool = True) -> str:
    """A clock as a countdown chip: green while running, amber from the warning time, red once
    due or breached. console.js keeps counting between refreshes. Built in Python, not by an
    included template: the board draws hundreds of them. A clock a waiting state paused shows
    暂停计时 and does not count (no ``data-due``). A clock about one person names them
    (``person``: not where the line already does). One ``_Chips`` per page drawn."""
    chips = context.render_context.get(_Chips)
    if chips is None or chips.now != now:
        chips = context.render_context[_Chips] = _Chips(now)
    chip: str = chips(clock, person=person)
    return chip


class _Chips:
    """``clock_chip`` for the clocks of one page (the board: a hundred or more): the countdown
    words read once, each rule's name once (``rule_name`` translates on every call)."""

    def __init__(self, now: datetime, clocks: Iterable[Any] = ()) -> None:
        self.now = now
        self.words = _countdown_words()
        self.names: dict[tuple[str, str], tuple[str, str]] = {}
        # A clock about one person (its subject a user's id: EM-2's 到场 per responder) names
        # them beside the rule, or an emergency's three chips would read alike. The page's
        # people read at once (``clocks``), any other when first met.
        self.people: dict[str, str] = {}
        self._read_people(c.subject for c in clocks)

    def _read_people(self, subjects: Iterable[str]) -> None:
        from propdesk.community.models import User

        ids = {s for s in subjects if s.isdigit() and s not in self.people}
        if ids:
            for pk, name, username in User.objects.filter(pk__in=ids).values_list(
                "pk", "name", "username"
            ):
                self.people[str(pk)] = _e(name or username)

    def __call__(self, clock: Any, *, person: bool = True) -> str:
        key = (clock.rule_id, clock.title)
        named = self.names.get(key)
        if named is None:
            named = self.names[key] = (_e(rule_name(clock.rule_id, clock.title)), _e(clock.rule_id))
        name, rule = named
        subject = clock.subject
        if person and subject and subject.isdigit():
            if subject not in self.people:
                self._read_people([subject])
            who = self.people.get(subject)
            if who:
                name = f"{name} · {who}"
        if clock.paused_at is not None:
            paused = _e(pgettext("clock", "timing paused"))
            return mark_safe(  # noqa: S308 - every value is escaped (_e)
                f'<span class="clock paused" data-state="paused" data-rule="{rule}" title="{name}">'
                f'{name} <span class="t">{paused}</span></span>'
            )
        # The board's rows (ClockRow) are live clocks only, without these fields.
        if getattr(clock, "met_at", None) or getattr(clock, "cancelled_at", None):
            return self._settled(clock, name, rule)
        now = self.now
        left = (clock.due_at - now) / timedelta(seconds=1)
        breached = clock.state == ClockState.BREACHED or left <= 0
        amber = not breached and clock.warn_at is not None and now >= clock.warn_at
        color = "red" if breached else ("amber" if amber else "")
        warn = _e(clock.warn_at.isoformat()) if clock.warn_at else ""
        # The time left as console.js counts it (超时 once due), so that a page without the
        # script (or before it runs) shows it too.
        words = self.words
        left_text = _e(_span(left, words) if left > 0 else words[2] % {"left": _span(left, words)})
        return mark_safe(  # noqa: S308 - every value is escaped (_e)
            f'<span class="clock {color}" data-due="{_e(clock.due_at.isoformat())}"'
            f' data-warn="{warn}" data-state="{_e(clock.state)}"'
            f' data-rule="{rule}" data-label="{name}" title="{name}">{name}'
            f' <span class="t">{left_text}</span></span>'
        )

    def _settled(self, clock: Any, name: str, rule: str) -> str:
        """A clock met or cancelled: a fixed figure, never a countdown (no ``data-due``, which
        console.js counts): 按时, 超时完成 with how late, or 已取消. A breach met late stays a
        breach on record, but its time stops at the meeting."""
        if clock.met_at is None:
            color, text = "", pgettext("clock", "cancelled")
        elif clock.state == ClockState.BREACHED or clock.met_at > clock.due_at:
            late = (clock.met_at - clock.due_at) / timedelta(seconds=1)
            color = "red"
            text = f"{pgettext('clock', 'done late')} {_span(max(late, 0), self.words)}"
        else:
            color, text = "", pgettext("clock", "on time")
        return mark_safe(  # noqa: S308 - every value is escaped (_e)
            f'<span class="clock settled {color}" data-state="{_e(clock.state)}"'
            f' data-rule="{rule}" title="{name}">{name} <span class="t">{_e(text)}</span></span>'
        )


def _countdown_words() -> tuple[str, str, str, str]:
    """How a countdown is written in the reader's language: days and hours, hours and minutes,
    an overdue time, and minutes and seconds (2天3小时, 3小时05分, 超时 …, 7分04秒: "超时 7:04"
    read as a time of day). Read once per language: the board draws hundreds of chips.
    console.js reads the same four from ``countdown_words``."""
    language = get_language() or ""
    words = _WORDS.get(language)
    if words is None:
        words = _WORDS[language] = (
            pgettext("countdown", "%(d)sd %(h)sh"),
            pgettext("countdown", "%(h)sh %(m)sm"),
            pgettext("countdown", "+%(left)s"),
            pgettext("countdown", "%(m)s:%(s)s"),
        )
    return words


_WORDS: dict[str, tuple[str, str, str, str]] = {}


def _span(seconds: float, words: tuple[str, str, str, str]) -> str:
    """The time left as console.js's ``fmt`` writes it: 2天3小时, 3小时05分, 7分04秒."""
    s = abs(round(seconds))
    d, h, m, sec = s // 86400, s % 86400 // 3600, s % 3600 // 60, s % 60
    if d:
        return words[0] % {"d": d, "h": h}
    if h:
        return words[1] % {"h": h, "m": f"{m:02d}"}
    return words[3] % {"m": m, "s": f"{sec:02d}"}


@register.simple_tag
def countdown_words() -> str:
    """The page's countdown words for console.js (on ``<body>``), as ``_countdown_words``."""
    from django.forms.utils import flatatt

    days, hours, over, minutes = _countdown_words()
    return flatatt(
        {
            "data-countdown-days": days,
            "data-countdown-hours": hours,
            "data-countdown-over": over,
            "data-countdown-minutes": minutes,
        }
    )


@register.filter
def percent(value: Decimal | None) -> str:
    """A percentage as the monthly report prints it (90%, 95.9%; — for no data): the
    communities' comparison and the report read alike."""
    return "—" if value is None else f"{figure_text(value)}%"


@register.filter
def clock_subject(subject: str) -> str:
    """A clock's subject where it has no order (a missed call's number: 未接来电 138…)."""
    return missed_call_text(subject)


@register.simple_tag
def rule_label(rule_id: str, fallback: str = "") -> str:
    """A rule as a person reads it: its glossary name, the rule's ID small beside it (DS-1 for
    the clock DS-1-take: ``rule_ref``)."""
    if not rule_id:
        return ""
    return format_html(
        '{} <small class="rule-id">{}</small>', rule_name(rule_id, fallback), rule_ref(rule_id)
    )


@register.filter
def escalation_words(level: int) -> str:
    """一级/二级/三级 升级, as the office says it (``core.rule_names.escalation_level``)."""
    return escalation_level(level)


@register.filter
def local(value: datetime | None, tz: str) -> datetime | None:
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(tz)) if value else None


@register.filter
def iso_local(value: str | None, tz: str) -> str:
    """An ISO datetime stored in an event's data (the agreed time of ``appoint``), as
    "YYYY-MM-DD HH:MM" in the community's zone; "" when empty or unreadable."""
    from zoneinfo import ZoneInfo

    if not value:
        return ""
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    if when.tzinfo is None:
        return ""
    return when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


@register.filter
def get(mapping: Any, key: str) -> Any:
    """``mapping[key]`` in a template, or None (e.g. the errors of one field)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag
def upload_limit() -> str:
    """The data attributes of a file input for the browser's size check (static/web/uploads.js):
    the server's limit and its message."""
    from django.forms.utils import flatatt

    from propdesk.web.forms import upload_limit_attrs

    return flatatt(upload_limit_attrs())


@register.filter
def room_codes(households: Iterable[Any]) -> str:
    """The households' rooms on one line (4-1-901 4-1-902), each kept whole where the line wraps:
    a narrow screen broke 5-1-1001 after its hyphens."""
    return format_html_join(
        " ", '<span class="room-code">{}</span>', ((h.code,) for h in households)
    )


@register.filter
def pairs(mapping: Any) -> list[tuple[Any, Any]]:
    """``{% for k, v in errors|pairs %}``: a dict's items even when one of its keys is "items"
    (a field of that name), which ``errors.items`` would look up instead (a 500, issue 12)."""
    return list(mapping.items()) if hasattr(mapping, "items") and callable(mapping.items) else []


@register.simple_tag
def page_query(query: Any, page: int) -> str:
    """The query string of a list's page ``page`` keeping its filters: ``query`` (the request's
    GET) without its ``page``, then ``page=N`` unless it is the first."""
    from django.http import QueryDict

    q = query.copy() if isinstance(query, QueryDict) else QueryDict(mutable=True)
    q.pop("page", None)
    if int(page) > 1:
        q["page"] = str(int(page))
    return q.urlencode()


@register.simple_tag
def member_options(desk: Any) -> str:
    """The ``<option>``s of a team leader's "who takes it" list (a ``TeamDesk``): the same for
    every order of the team, so built once per team, not once per row. Each member with their
    open orders, ✓ when on duty, the suggested one selected. With none to suggest (nobody on
    duty is free), a first line asks for a choice: the browser would otherwise pick the first
    member, whoever that is (off duty, say), and a click on 派单 would give the order to them."""
    from django.utils.html import format_html, format_html_join
    from django.utils.translation import gettext

    suggested = desk.suggested.user.pk if desk.suggested else None
    word = gettext("suggested")
    ask = (
        format_html(
            '<option value="" selected disabled>{}</option>', gettext("Choose who takes it")
        )
        if suggested is None and desk.members
        else ""
    )
    members = format_html_join(
        "",
        '<option value="{}"{}>{} ({}){}{}</option>',
        (
            (
                m.user.pk,
                " selected" if m.user.pk == suggested else "",
                m.user.name or m.user.username,
                m.open_orders,
                " ✓" if m.on_duty else "",
                f" · {word}" if m.user.pk == suggested else "",
            )
            for m in desk.members
        ),
    )
    return format_html("{}{}", ask, members)


def _clocks(order: Any, chips: _Chips) -> str:
    return "".join(chips(c) for c in order.live_clocks)


def _urls(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])``, escaped, for each row of a page: reversed once, each row's
    key then written where the marker was (as the int converter writes it: its digits)."""
    from django.urls import reverse

    head, marker, tail = reverse(name, args=[_MARKER]).rpartition(str(_MARKER))
    assert marker, name
    head, tail = _e(head), _e(tail)
    return lambda pk: f"{head}{int(pk)}{tail}"


_MARKER = 918273645


class _KindLabels(dict[tuple[str, str], str]):
    """``order.kind_label`` escaped, once per kind and complaint type of a page's rows."""

    def of(self, order: Any) -> str:
        key = (order.kind, order.complaint_type)
        if key not in self:
            self[key] = _e(order.kind_label)
        return self[key]


def _place(order: Any) -> str:
    """The room number, else where it is (``household.code|default:location``)."""
    return getattr(order.household, "code", "") or order.location


def _place_html(order: Any) -> str:
    """``_place`` escaped, a room number kept on one line (4-1-901, not 4-1- / 901)."""
    code = getattr(order.household, "code", "")
    return f'<span class="nowrap">{_e(code)}</span>' if code else _e(order.location)


@register.simple_tag
def filter_options(choices: Any, chosen: Any) -> str:
    """A filter's ``<option>`` list from ``(value, label)`` pairs, the one equal to ``chosen``
    selected, written as the board's template wrote them (``<option value="v" selected>l``,
    ``<option value="v" >l`` for the others), built here: the full board's four lists (some
    fifty options) were a third of what its page costs beyond the live refresh's rows."""
    return mark_safe(  # noqa: S308 - every value is escaped (_e)
        "".join(
            f'<option value="{_e(value)}" {"selected" if value == chosen else ""}>{_e(label)}'
            "</option>"
            for value, label in choices
        )
    )


@register.simple_tag
def board_rows(board: Any, now: datetime) -> str:
    """The board's rows (a ``Board``'s page: up to a hundred), written as the template wrote
    them, built here: the template engine spent ~0.12 ms a row looking each value up, on a page
    the live refresh redraws. The words are translated once for all the rows; every value is
    escaped as the template escaped it (``_e``)."""
    from django.utils.text import Truncator
    from django.utils.translation import gettext

    def tag(css: str, word: str) -> str:
        return f' <span class="{css}">{_e(gettext(word))}</span>'

    calendar = _e(
        gettext("Working days counted Monday to Friday: the calendar has no data for this year")
    )
    fallback = f' <span class="tag fallback" title="{calendar}">{_e(gettext("Mon–Fri"))}</span>'
    important = tag("tag imp", "important")
    long_running = tag("tag", "long-running")
    legacy = tag("tag", "construction legacy")
    urgent = tag("tag em", "urgent repair")
    waiting = tag("badge waiting", "waiting")
    agitated = _e(gettext("agitated owner"))
    in_pool = _e(gettext("in the team's pool"))
    pool = f'<span class="tag">{in_pool}</span>'
    l_team, l_assignee, l_state = (_e(gettext(w)) for w in ("team", "assignee", "state"))
    kinds = _KindLabels()
    chips = _Chips(now, (c for o in board.orders for c in o.live_clocks))
    order_url, contact_url = _urls("desk-order"), _urls("desk-contact")
    out = []
    for o in board.orders:
        kind = kinds.of(o)
        # A kind, a room number and a state are read whole: never broken over two lines.
        kind = f'<span class="{"tag em" if o.is_emergency else "nowrap"}">{kind}</span>'
        if o.is_urgent:
            kind += urgent
        if o.is_important:
            kind += important
        if o.is_long_running:
            kind += long_running
        if o.is_construction_legacy:
            kind += legacy
        if o.contact is not None and o.contact.owner_agitated:
            kind += f' <a class="tag em" href="{contact_url(o.contact_id)}">⚠ {agitated}</a>'
        if o.assignee is not None:
            who = _e(o.assignee.name or o.assignee.username)
        elif o.team is not None and o.state == "dispatched":
            who = pool
        else:
            who = "—"
        number = _e(o.number)
        out.append(
            f'\n<tr class="{"emergency" if o.is_emergency else ""}" data-order="{number}"'
            f' data-live-id="{o.pk}">\n'
            f'  <td class="num"><a href="{order_url(o.pk)}">{number}</a>'
            f"{fallback if o.pk in board.calendar_fallback else ''}</td>\n"
            f"  <td>{kind}</td>\n"
            f"  <td>{_place_html(o)}</td>\n"
            f'  <td class="desc">{_e(Truncator(o.description).chars(50))}</td>\n'
            f'  <td data-label="{l_team}">{_e((o.team.name if o.team else "") or "—")}</td>\n'
            f'  <td data-label="{l_assignee}">{who}</td>\n'
            f'  <td data-label="{l_state}"><span class="nowrap">{_e(o.state_label)}</span>'
            f"{waiting if o.waiting else ''}</td>\n"
            f'  <td class="clocks">{_clocks(o, chips)}</td>\n'
            "</tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped (_e)


@register.simple_tag(takes_context=True)
def job_cards(context: Any, jobs: Any, now: datetime) -> str:
    """A team member's jobs (a ``Page``: up to a hundred) as cards, written as the template wrote
    them, built here for the same reason as ``board_rows``. An agreed appointment is drawn by its
    own partial (web/partials/appointment.html), as before."""
    from django.utils.text import Truncator
    from django.utils.translation import gettext

    waiting = f' <span class="badge waiting">{_e(gettext("waiting"))}</span>'
    urgent = f' <span class="tag em">{_e(gettext("urgent repair"))}</span>'
    appointment = context.template.engine.get_template("web/partials/appointment.html")
    kinds = _KindLabels()
    chips = _Chips(now, (c for o in jobs.rows for c in o.live_clocks))
    job_url = _urls("desk-job")
    out = []
    for o in jobs.rows:
        em = f'<span class="tag em">{kinds.of(o)}</span> ' if o.is_emergency else ""
        appt = ""
        if o.appointment_at:
            with context.push(o=o):
                appt = appointment.render(context) + " "
        item = getattr(o.service_item, "name", "")
        out.append(
            f'\n<a class="card job" href="{job_url(o.pk)}"'
            f' data-order="{_e(o.number)}" data-live-id="{o.pk}">\n'
            f'  <div class="top"><strong>{em}{_e(_place(o))}'
            f"{urgent if o.is_urgent else ''}</strong>"
            f"<span>{_e(o.state_label)}{waiting if o.waiting else ''}</span></div>\n"
            f"  <div>{appt}{_e(item) if item else kinds.of(o)} —"
            f" {_e(Truncator(o.description).chars(60))}</div>\n"
            f"  <div>{_clocks(o, chips)}</div>\n"
            "</a>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped (_e)


# The bell, drawn (an office PC without an emoji font showed U+1F514 as a box); live.js draws the
# same where a page has none.
BELL_ICON = mark_safe(
    '<svg class="bell-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"'
    ' focusable="false" fill="none" stroke="currentColor" stroke-width="2"'
    ' stroke-linecap="round" stroke-linejoin="round"><path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3'
    ' 9h18s-3-2-3-9"/><path d="M13.7 21a2 2 0 0 1-3.4 0"/></svg>'
)


SEARCH_ICON = mark_safe(
    '<svg class="search-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"'
    ' focusable="false" fill="none" stroke="currentColor" stroke-width="2"'
    ' stroke-linecap="round" stroke-linejoin="round"><circle cx="11" cy="11" r="7"/>'
    '<path d="m20 20-4-4"/></svg>'
)


@register.simple_tag
def search_icon() -> str:
    """查找工单's magnifier in the top bar: drawn, not an emoji an office PC's fonts may lack."""
    return SEARCH_ICON


@register.simple_tag(takes_context=True)
def notification_bell(context: Any) -> str:
    """The bell with the signed-in user's unread count, drawn by the server so that a page
    without its script (or before the first poll) shows it; live.js keeps the number current.
    Nothing for a visitor who is not signed in."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    unread = bell_count(user)
    label = gettext("Unread notifications:")
    # As live.js says it: "未读通知：3", "Unread notifications: 3".
    said = f"{label}{' ' if label.endswith(':') else ''}{unread}"
    return format_html(
        '<a id="notification-bell" href="{}" title="{}" aria-label="{}">{}'
        '<span class="bell-count">{}</span></a>',
        reverse("desk-notifications"),
        said,
        said,
        BELL_ICON,
        unread,
    )


@register.simple_tag(takes_context=True)
def once_field(context: template.Context, form: str = "") -> str:
    """A form's one-time token (core.once) as a hidden field: a new one for a form drawn fresh,
    the posted one for a form drawn again with its errors (so the corrected form is still the
    same submit). On a page of several forms, ``form`` names this one (its hidden ``form``
    field): only the form that was posted takes the posted token back, the others a new one."""
    request = context.get("request")
    posted = (
        request.POST.get(ONCE_FIELD, "")
        if request is not None
        and request.method == "POST"
        and (not form or request.POST.get("form") == form)
        else ""
    )
    return format_html(
        '<input type="hidden" name="{}" value="{}">', ONCE_FIELD, token_again(posted)
    )


@register.simple_tag
def community_links(desk: Any, nav_active: str = "") -> list[tuple[str, str]]:
    """(name, url) of the user's other communities, for the community's name in the top bar to
    open: the same screen there where the user has it (the board for the board), else the first
    of their screens there. Company leadership and a staff member of several communities switch
    by it; for one community, nothing (and no query: the ids are known already)."""
    from propdesk.community.access import communities_visible, community_ids_visible, user_roles
    from propdesk.policy.workflow import Role
    from propdesk.web.views._common import Desk

    if desk is None:
        return []
    user = desk.user
    ids = community_ids_visible(user)
    if ids is not None and len(ids) < 2:
        return []
    here = {key: url for key, _label, url in desk.nav()}
    links = []
    for community in communities_visible(user):
        if community.pk == desk.community.pk:
            continue
        roles = set(user_roles(user, community.pk))
        if user.is_leadership:
            roles.add(Role.LEADERSHIP)
        items = Desk(user=user, community=community, roles=frozenset(roles)).nav() if roles else []
        # That community's own screens: not one every community shares (the comparison, the
        # emergencies), which would leave the user where they are.
        own = [(key, url) for key, _label, url in items if here.get(key) != url]
        url = next((u for key, u in own if key == nav_active), own[0][1] if own else None)
        if url:
            links.append((community.name, url))
    return links
