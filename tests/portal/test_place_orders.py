"""The place on a work order (issue 13, item 3): the front desk opens the intake from a place's
page with the place filled in; the order keeps it, shows it on its page and prints it on the
paper form; a place of another community, or a revoked one, is refused and nothing is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from propdesk.community.models import Place
from propdesk.desk.models import Contact, WorkOrder
from propdesk.desk.printing import work_order_pdf
from propdesk.desk.selectors import access_work_order
from propdesk.desk.services import WorkOrderDraft, work_order_create
from tests.pdfs import pdf_text
from tests.web.conftest import browser_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lift(office) -> Place:
    return Place.objects.create(
        community=office.community,
        building=office.household.unit.building,
        kind="lift",
        name="3栋2单元电梯",
    )


def intake(office) -> str:
    return f"/desk/{office.community.pk}/intake/"


def post(office, **extra) -> object:
    data = {
        "channel": "visit",
        "caller_name": "保安巡查",
        "intent": "repair",
        "content": "电梯运行有咔咔声",
        "outcome": "work_order",
        **extra,
    }
    return browser_for(office.receptionist).post(intake(office), data)


def test_the_intake_opened_from_a_place_has_it_filled_in(office, lift) -> None:
    html = browser_for(office.receptionist).get(f"{intake(office)}?place={lift.pk}")

    page = html.content.decode()
    assert 'name="location" value="3栋2单元电梯"' in page
    assert f'name="place" value="{lift.pk}"' in page
    assert 'id="intake-place"' in page


def test_the_intake_ignores_a_place_that_is_not_the_communitys(office, other_office) -> None:
    theirs = Place.objects.create(community=other_office.community, kind="garage", name="车库")

    page = browser_for(office.receptionist).get(f"{intake(office)}?place={theirs.pk}")

    assert "车库" not in page.content.decode()


def test_an_order_logged_at_a_place_keeps_it_and_shows_it(office, lift, clock) -> None:
    r = post(office, location="3栋2单元电梯", place=str(lift.pk))

    assert r.status_code == 302
    order = WorkOrder.objects.get()
    assert order.place == lift and order.location == "3栋2单元电梯"
    page = browser_for(office.head).get(f"/desk/orders/{order.pk}/").content.decode()
    assert 'id="order-place"' in page
    assert f"/desk/{office.community.pk}/places/{lift.pk}/" in page
    place_page = browser_for(office.head).get(f"/desk/{office.community.pk}/places/{lift.pk}/")
    assert order.number in place_page.content.decode()


def test_a_revoked_place_is_refused_at_the_intake_and_what_was_typed_stays(
    office, lift, clock
) -> None:
    lift.active = False
    lift.save()

    r = post(office, location="3栋2单元电梯", place=str(lift.pk))

    assert r.status_code == 400
    html = r.content.decode()
    assert "电梯运行有咔咔声" in html and "保安巡查" in html
    assert "该位置不是本小区启用中的张贴位置" in html
    assert Contact.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_the_service_refuses_another_communitys_place(office, other_office, clock) -> None:
    theirs = Place.objects.create(community=other_office.community, kind="garage", name="车库")

    with pytest.raises(ValidationError) as err:
        work_order_create(
            community=office.community,
            by=office.receptionist,
            now=clock.now(),
            draft=WorkOrderDraft(kind="repair", description="车库灯坏了", place=theirs),
        )

    assert "place" in err.value.message_dict
    assert WorkOrder.objects.count() == 0


def test_the_places_label_is_the_location_when_none_is_written(office, lift, clock) -> None:
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="电梯异响", place=lift),
    )

    assert order.location == "3栋2单元电梯" and order.place == lift


def test_the_paper_form_prints_the_place(office, lift, clock) -> None:
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="按钮失灵", location="轿厢内", place=lift),
    )
    pdf = work_order_pdf(
        access_work_order(office.head, order.pk),
        job_url="https://desk.example.cn/desk/jobs/1/",
        printed_at=clock.now(),
        printed_by=office.head,
    )

    assert "轿厢内（3栋2单元电梯）" in pdf_text(pdf)
