"""Template helpers of the console: a clock as a countdown chip."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import pgettext

from propdesk.clocks.models import Clock, ClockState
from propdesk.core.rule_names import rule_name

register = template.Library()


def _span(seconds: float) -> str:
    s = abs(int(seconds))
    d, h, m, sec = s // 86400, s % 86400 // 3600, s % 3600 // 60, s % 60
    if d:
        return f"{d}d {h}h"
    if h:
        return f"{h}h {m:02d}m"
    return f"{m}:{sec:02d}"


@register.simple_tag
def clock_chip(clock: Clock, now: datetime) -> str:
    """A clock as a countdown chip: green while running, amber from the warning time, red once
    due or breached. console.js keeps counting between refreshes. Built in Python, not by an
    included template: the board draws hundreds of them. A clock a waiting state paused shows
    暂停计时 and does not count (no ``data-due``)."""
    if clock.paused_at is not None:
        name = rule_name(clock.rule_id, clock.title)
        return format_html(
            '<span class="clock paused" data-state="paused" data-rule="{}" title="{}">{} '
            '<span class="t">{}</span></span>',
            clock.rule_id,
            name,
            name,
            pgettext("clock", "timing paused"),
        )
    left = (clock.due_at - now) / timedelta(seconds=1)
    breached = clock.state == ClockState.BREACHED or left <= 0
    amber = not breached and clock.warn_at is not None and now >= clock.warn_at
    name = rule_name(clock.rule_id, clock.title)
    return format_html(
        '<span class="clock {}" data-due="{}" data-warn="{}" data-state="{}" data-over="+"'
        ' data-rule="{}" data-label="{}" title="{}">{} <span class="t">{}</span></span>',
        "red" if breached else ("amber" if amber else ""),
        clock.due_at.isoformat(),
        clock.warn_at.isoformat() if clock.warn_at else "",
        clock.state,
        clock.rule_id,
        name,
        name,
        name,
        clock.rule_id,
        ("+" if left <= 0 else "") + _span(left),
    )


@register.simple_tag
def rule_label(rule_id: str, fallback: str = "") -> str:
    """A rule as a person reads it: its glossary name, the ID small beside it."""
    if not rule_id:
        return ""
    return format_html(
        '{} <small class="rule-id">{}</small>', rule_name(rule_id, fallback), rule_id
    )


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
    open orders, ✓ when on duty, the suggested one selected."""
    from django.utils.html import format_html_join
    from django.utils.translation import gettext

    suggested = desk.suggested.user.pk if desk.suggested else None
    word = gettext("suggested")
    return format_html_join(
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
