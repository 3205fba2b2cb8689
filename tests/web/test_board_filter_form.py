"""The full board's filter form: its options are written by ``filter_options`` (in Python), not
by the template engine, and must read exactly as the template wrote them: each list, the chosen
filter selected, in Chinese and in English, names that need escaping, a building without a name
(its number). Issue 15: the form's four lists were a third of what the full page cost beyond
the live refresh's rows."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from propdesk.community.models import Building, Team
from propdesk.desk.models import OrderKind, OrderState
from propdesk.desk.queues import BoardFilters
from propdesk.policy.workflow import OPEN_STATES
from propdesk.web.templatetags.console import filter_options
from tests import factories as f
from tests.web.conftest import browser_for

# The form as web/board.html wrote it before (main bc8561a).
OLD_FORM = """{% load i18n %}<form class="filters card" method="get" hx-get="{% url 'desk-board' desk.community.pk %}" hx-target="#board-rows" hx-trigger="change" hx-push-url="true">
  <label>{% translate "kind" %} <select name="kind"><option value="">{% translate "all" %}</option>{% for v, l in kinds %}<option value="{{ v }}" {% if filters.kind == v %}selected{% endif %}>{{ l }}</option>{% endfor %}</select></label>
  <label>{% translate "team" %} <select name="team"><option value="">{% translate "all" %}</option>{% for t in teams %}<option value="{{ t.pk }}" {% if filters.team_id == t.pk %}selected{% endif %}>{{ t.name }}</option>{% endfor %}</select></label>
  <label>{% translate "state" %} <select name="state"><option value="">{% translate "all open" %}</option>{% for v, l in states %}<option value="{{ v }}" {% if filters.state == v %}selected{% endif %}>{{ l }}</option>{% endfor %}</select></label>
  <label>{% translate "building" %} <select name="building"><option value="">{% translate "all" %}</option>{% for b in buildings %}<option value="{{ b.pk }}" {% if filters.building_id == b.pk %}selected{% endif %}>{{ b.name|default:b.number }}</option>{% endfor %}</select></label>
  <label class="inline"><input type="checkbox" name="overdue" value="1" {% if filters.overdue %}checked{% endif %}> {% translate "overdue only" %}</label>
  <noscript><button>{% translate "Filter" %}</button></noscript>
</form>"""  # noqa: E501


def _form(html: str) -> str:
    return re.search(r'<form class="filters card".*?</form>', html, re.S).group(0)


def _old(office, filters: BoardFilters) -> str:
    community = office.community
    return Template(OLD_FORM).render(
        Context(
            {
                "desk": type("Desk", (), {"community": community}),
                "filters": filters,
                "kinds": OrderKind.choices,
                "states": [(s, label) for s, label in OrderState.choices if s in OPEN_STATES],
                "teams": Team.objects.filter(community=community).order_by("name"),
                "buildings": Building.objects.filter(community=community).order_by("number"),
            }
        )
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_board_filter_form_reads_as_the_template_wrote_it(office, language) -> None:
    named = f.BuildingFactory(community=office.community, number="12", name='东区<A&B> "甲"')
    f.TeamFactory(community=office.community, kind="security", name="秩序班 <夜> & '班'")
    admin = office.administrator
    admin.language = language
    admin.save(update_fields=["language"])
    url = reverse("desk-board", args=[office.community.pk])
    building = Building.objects.get(community=office.community, number="3")
    cases = [
        ({}, BoardFilters()),
        ({"kind": "complaint"}, BoardFilters(kind="complaint")),
        ({"team": office.repair.pk}, BoardFilters(team_id=office.repair.pk)),
        ({"state": "dispatched"}, BoardFilters(state="dispatched")),
        ({"building": named.pk}, BoardFilters(building_id=named.pk)),
        (
            {"building": building.pk, "overdue": "1"},
            BoardFilters(building_id=building.pk, overdue=True),
        ),
        ({"kind": "nonsense", "team": "x"}, BoardFilters(team_id=0)),
    ]
    browser = browser_for(admin)
    for query, filters in cases:
        html = browser.get(url, query).content.decode()
        with translation.override(language):
            want = _old(office, filters)
        got = _form(html)
        assert got == _form(want), query
        assert got.count(" selected>") == sum(
            1 for v in (filters.kind, filters.team_id, filters.state, filters.building_id) if v
        ), query


def test_filter_options_escape_and_select_as_the_template_did() -> None:
    pairs = [(1, '东区<A&B> "甲"'), (2, "3"), ("x'y", "秩序班 & '班'")]
    old = Template(
        '{% for v, l in pairs %}<option value="{{ v }}" '
        "{% if chosen == v %}selected{% endif %}>{{ l }}</option>{% endfor %}"
    )
    for chosen in (None, 0, 1, 2, "x'y", ""):
        want = old.render(Context({"pairs": pairs, "chosen": chosen}))
        assert filter_options(pairs, chosen) == want, chosen
