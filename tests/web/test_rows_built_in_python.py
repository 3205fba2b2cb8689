"""The board's rows and a team member's job cards are built in Python (``board_rows``,
``job_cards``), not by the template engine: they must read exactly as the templates wrote them,
for every kind of row (emergency, complaint, tags, an agitated owner, no room, the team's pool,
a member without a name, waiting, an appointment, paused and breached clocks, words that need
escaping, the Mon–Fri fallback)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from django.template import Context, Template
from django.utils import translation

from propdesk.clocks.models import Clock
from propdesk.desk.models import Contact, WorkOrder
from propdesk.desk.queues import BoardFilters, board, my_jobs
from propdesk.incidents.services import emergency_log
from propdesk.web.templatetags.console import board_rows
from tests import factories as f
from tests.web.conftest import act

# The rows as web/partials/board_rows.html and web/jobs.html wrote them before (main 777f688),
# since with the kind, the room number and the state each kept on one line (span.nowrap).
BOARD_ROW = """{% load i18n console %}{% translate "team" as l_team %}{% translate "assignee" as l_assignee %}{% translate "state" as l_state %}{% translate "important" as l_important %}{% translate "long-running" as l_long %}{% translate "construction legacy" as l_legacy %}{% translate "agitated owner" as l_agitated %}{% translate "in the team's pool" as l_pool %}{% translate "waiting" as l_waiting %}{% translate "urgent repair" as l_urgent %}{% for o in board.orders %}
<tr class="{% if o.is_emergency %}emergency{% endif %}" data-order="{{ o.number }}" data-live-id="{{ o.pk }}">
  <td class="num"><a href="{% url 'desk-order' o.pk %}">{{ o.number }}</a>{% if o.pk in board.calendar_fallback %} <span class="tag fallback" title="{% translate "Working days counted Monday to Friday: the calendar has no data for this year" %}">{% translate "Mon–Fri" %}</span>{% endif %}</td>
  <td>{% if o.is_emergency %}<span class="tag em">{{ o.kind_label }}</span>{% else %}<span class="nowrap">{{ o.kind_label }}</span>{% endif %}{% if o.is_urgent %} <span class="tag em">{{ l_urgent }}</span>{% endif %}{% if o.is_important %} <span class="tag imp">{{ l_important }}</span>{% endif %}{% if o.is_long_running %} <span class="tag">{{ l_long }}</span>{% endif %}{% if o.is_construction_legacy %} <span class="tag">{{ l_legacy }}</span>{% endif %}{% if o.contact.owner_agitated %} <a class="tag em" href="{% url 'desk-contact' o.contact_id %}">⚠ {{ l_agitated }}</a>{% endif %}</td>
  <td>{% if o.household.code %}<span class="nowrap">{{ o.household.code }}</span>{% else %}{{ o.location }}{% endif %}</td>
  <td class="desc">{{ o.description|truncatechars:50 }}</td>
  <td data-label="{{ l_team }}">{{ o.team.name|default:"—" }}</td>
  <td data-label="{{ l_assignee }}">{% if o.assignee %}{{ o.assignee.name|default:o.assignee.username }}{% elif o.team and o.state == "dispatched" %}<span class="tag">{{ l_pool }}</span>{% else %}—{% endif %}</td>
  <td data-label="{{ l_state }}"><span class="nowrap">{{ o.state_label }}</span>{% if o.waiting %} <span class="badge waiting">{{ l_waiting }}</span>{% endif %}</td>
  <td class="clocks">{% for c in o.live_clocks %}{% clock_chip c now %}{% endfor %}</td>
</tr>
{% endfor %}"""  # noqa: E501

JOB_CARD = """{% load i18n console %}{% translate "waiting" as l_waiting %}{% translate "urgent repair" as l_urgent %}{% for o in jobs.rows %}
<a class="card job" href="{% url 'desk-job' o.pk %}" data-order="{{ o.number }}" data-live-id="{{ o.pk }}">
  <div class="top"><strong>{% if o.is_emergency %}<span class="tag em">{{ o.kind_label }}</span> {% endif %}{{ o.household.code|default:o.location }}{% if o.is_urgent %} <span class="tag em">{{ l_urgent }}</span>{% endif %}</strong><span>{{ o.state_label }}{% if o.waiting %} <span class="badge waiting">{{ l_waiting }}</span>{% endif %}</span></div>
  <div>{% if o.appointment_at %}{% include "web/partials/appointment.html" %} {% endif %}{{ o.service_item.name|default:o.kind_label }} — {{ o.description|truncatechars:60 }}</div>
  <div>{% for c in o.live_clocks %}{% clock_chip c now %}{% endfor %}</div>
</a>
{% endfor %}"""  # noqa: E501

ODD = (
    "水管<爆裂> & \"急\" 业主说'马上'来人，"
    "楼下也在漏水，天花板已经湿了一大片，请尽快安排维修师傅上门查看处理"
)


def _varied_orders(office, clock, open_order) -> list[WorkOrder]:
    item = f.ServiceItemFactory(company=office.community.company, name="更换<水龙头>")
    tagged = open_order(
        description=ODD,
        is_important=True,
        is_long_running=True,
        is_construction_legacy=True,
        service_item=item,
    )
    clock.advance(minutes=1)
    no_room = open_order("complaint", household=None, location="3栋大堂 <门口>", description="噪音")
    clock.advance(minutes=1)
    emergency = emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋地下车库",
        description="冒烟",
    ).order
    clock.advance(minutes=1)
    mine = open_order(
        appointment_at=clock.now() + timedelta(days=1), description="预约上门", is_urgent=True
    )
    act(mine, "assign", office.repair_leader, clock, assignee=office.repair_member)
    unnamed = open_order(description="无名")
    act(unnamed, "assign", office.repair_leader, clock, assignee=office.repair_member)
    office.repair_member.name = ""
    office.repair_member.save(update_fields=["name"])
    contact = Contact.objects.create(
        community=office.community,
        channel="visit",
        received_at=clock.now(),
        created_at=clock.now(),
        intent="complaint",
        content="业主情绪激动",
        outcome="order",
        owner_agitated=True,
    )
    WorkOrder.objects.filter(pk=no_room.pk).update(contact=contact)
    WorkOrder.objects.filter(pk=mine.pk).update(waiting="parts")
    Clock.objects.filter(order=unnamed).update(paused_at=clock.now())
    Clock.objects.filter(order=tagged).update(state="breached")
    clock.advance(hours=30)  # some clocks past due: red, with a "+"
    return [tagged, no_room, emergency, mine, unnamed]


def test_the_board_rows_read_as_the_template_wrote_them(office, clock, open_order) -> None:
    orders = _varied_orders(office, clock, open_order)
    with translation.override("zh-hans"):
        page = board(
            office.administrator, office.community.pk, now=clock.now(), filters=BoardFilters()
        )
        page = dataclasses.replace(page, calendar_fallback={orders[0].pk: [2031]})
        assert {o.pk for o in page.orders} == {o.pk for o in orders}
        expected = Template(BOARD_ROW).render(Context({"board": page, "now": clock.now()}))
        built = board_rows(page, clock.now())
    assert built == expected
    for word in (
        "紧急事件",
        "⚠",
        "维修班",
        "3栋大堂 &lt;门口&gt;",
        '<span class="tag em">急修</span>',  # 急修 (an urgent repair)
        "水管&lt;爆裂&gt; &amp; &quot;急&quot;",
    ):
        assert word in built


def test_the_job_cards_read_as_the_template_wrote_them(office, clock, open_order) -> None:
    _varied_orders(office, clock, open_order)
    office.repair_member.refresh_from_db()
    desk = type("Desk", (), {"community": office.community})()
    with translation.override("zh-hans"):
        page = my_jobs(office.repair_member, office.community.pk)
        assert len(page.rows) == 2
        context = Context({"jobs": page, "now": clock.now(), "desk": desk})
        expected = Template(JOB_CARD).render(context)
        template = Template("{% load console %}{% job_cards jobs now %}")
        built = template.render(Context({"jobs": page, "now": clock.now(), "desk": desk}))
    assert built == expected
    assert "data-appointment=" in built and "暂停计时" in built and "急修" in built
