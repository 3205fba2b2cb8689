"""A team's working hours (班组工作时间) in the back office: one line per weekday and one for
holidays, typed as "08:30-12:00, 13:30-17:30", checked by propdesk.policy.hours before anything is
saved, and the team's week shown as a table."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from propdesk.community.models import Team
from propdesk.core.errors import policy_message
from propdesk.policy.hours import ROW_KEYS, HoursError, WeekHours, parse_row_text

ROW_LABELS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
    "holiday": _("Statutory holidays and days off"),
}
HOURS_FIELDS = [f"hours_{key}" for key in ROW_KEYS]


def week_of(team: Team) -> WeekHours | None:
    """The team's week, or None when none is set (or, never expected, the stored one is bad)."""
    if not team.working_hours:
        return None
    try:
        week = WeekHours.from_mapping(team.working_hours)
    except HoursError:
        return None
    return None if week.is_empty else week


def _row_text(rows: Any) -> str:
    return ", ".join(f"{a}-{b}" for a, b in rows or [])


def _line(key: str) -> forms.CharField:
    return forms.CharField(
        label=ROW_LABELS[key],
        required=False,
        max_length=200,
        help_text=_("e.g. 08:30-12:00, 13:30-17:30 (the gap is the lunch break)")
        if key == "mon"
        else "",
    )


class TeamForm(forms.ModelForm[Team]):
    """The team with its working hours: each line is checked, and a bad one is refused with the
    day and the fault; nothing is saved then, and what was typed stays in the form."""

    hours_mon = _line("mon")
    hours_tue = _line("tue")
    hours_wed = _line("wed")
    hours_thu = _line("thu")
    hours_fri = _line("fri")
    hours_sat = _line("sat")
    hours_sun = _line("sun")
    hours_holiday = _line("holiday")

    class Meta:
        model = Team
        fields = ["community", "kind", "name", "leader"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.working_hours or {}
        for key, name in zip(ROW_KEYS, HOURS_FIELDS, strict=True):
            self.fields[name].initial = _row_text(stored.get(key))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mapping: dict[str, Any] = {}
        for key, name in zip(ROW_KEYS, HOURS_FIELDS, strict=True):
            try:
                mapping[key] = parse_row_text(key, data.get(name) or "")
                WeekHours.from_mapping({key: mapping[key]})
            except HoursError as exc:
                exc.params["day"] = str(ROW_LABELS[key])
                self.add_error(name, policy_message(exc))
        if not self.errors:
            week = WeekHours.from_mapping(mapping)
            self.instance.working_hours = {} if week.is_empty else week.to_mapping()
        return data


def week_table(team: Team) -> SafeString:
    """The team's week as a small table (day, hours, counted hours), for the change page."""
    week = week_of(team)
    if week is None:
        return format_html(
            "<p>{}</p>",
            gettext("No working hours set: clocks that count team hours count the wall clock."),
        )
    rows = [*week.days, week.holiday]
    body = format_html_join(
        "",
        "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
        (
            (
                ROW_LABELS[key],
                ", ".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in row)
                or gettext("Off"),
                gettext("%(hours)s h") % {"hours": f"{sum(b - a for a, b in row) / 60:g}"},
            )
            for key, row in zip(ROW_KEYS, rows, strict=True)
        ),
    )
    return format_html(
        '<table class="team-week"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
        "<tbody>{}</tbody></table><p>{}</p><p>{}</p>",
        gettext("Day"),
        gettext("Working hours"),
        gettext("Counted"),
        body,
        gettext("Counted in a week: %(hours)s h") % {"hours": f"{week.weekly_minutes() / 60:g}"},
        gettext(
            "An adjusted working weekend (a make-up working day) uses Monday's hours; "
            "statutory holidays and the office's days off use the holiday line."
        ),
    )
