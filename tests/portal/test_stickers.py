"""The sheets of QR stickers the office prints from the console (issue 13, item 3): A4, 12 a
page, each sticker the community's name, the QR code of the place's signed URL and its label;
only active places, only the office's own community's, and a clear answer when nothing is chosen."""

from __future__ import annotations

import pytest
from django.test import Client

from propdesk.community.models import Place
from propdesk.community.places import sticker_code
from propdesk.community.stickers import CELL_HEIGHT, CELL_WIDTH, PER_PAGE, sticker_cell
from propdesk.core.pdf import qr_matrix
from tests import factories as f
from tests.conftest import Office
from tests.pdfs import A4_MEDIABOX, Page, page_count, pages, pdf_text, qr_cells

pytestmark = pytest.mark.django_db


def places_of(office: Office, n: int, *, building=None, prefix: str = "") -> list[Place]:
    building = building or office.household.unit.building
    return [
        Place.objects.create(
            community=office.community,
            building=building,
            kind="lift",
            name=f"{prefix}{building.number}栋{i}单元电梯",
        )
        for i in range(1, n + 1)
    ]


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def stickers(office: Office, user=None, **query) -> object:
    return client_of(user or office.receptionist).get(
        f"/desk/{office.community.pk}/places/stickers.pdf", query
    )


def cell_symbol(page: Page, index: int) -> set[tuple[int, int]]:
    """The dark modules drawn inside the ``index``-th sticker of the page."""
    x, y = sticker_cell(index)
    inside = [
        b
        for b in page.boxes
        if x <= b.x < x + CELL_WIDTH and y <= b.y < y + CELL_HEIGHT and b.colour == (0, 0, 0)
    ]
    return qr_cells(Page(boxes=inside))[0]


def dark(url: str) -> set[tuple[int, int]]:
    return {(r, c) for r, row in enumerate(qr_matrix(url)) for c, on in enumerate(row) if on}


def test_each_sticker_has_the_community_the_label_and_the_places_signed_url(office) -> None:
    lift, corridor = places_of(office, 2)

    r = stickers(office, place=[str(lift.pk), str(corridor.pk)])

    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("inline")
    pdf = r.content
    assert A4_MEDIABOX in pdf and page_count(pdf) == 1
    (page,) = pages(pdf)
    texts = [t.text for t in page.texts]
    assert texts.count("锦绣花园") == 2
    assert "3栋1单元电梯" in texts and "3栋2单元电梯" in texts
    for i, place in enumerate((lift, corridor)):
        url = f"http://testserver/q/{sticker_code(place)}/"
        assert cell_symbol(page, i) == dark(url), place.name
    assert cell_symbol(page, 0) != cell_symbol(page, 1)


def test_a_building_prints_its_active_places_twelve_a_page(office) -> None:
    places = places_of(office, PER_PAGE + 2)  # 13 active: a page and one more
    places[0].active = False
    places[0].save()
    elsewhere = places_of(
        office, 1, building=f.BuildingFactory(community=office.community, number="9")
    )

    r = stickers(office, building=str(office.household.unit.building.pk))

    pdf = r.content
    assert page_count(pdf) == 2
    text = pdf_text(pdf)
    assert places[0].name not in text  # revoked: never printed
    assert all(p.name in text for p in places[1:])
    assert elsewhere[0].name not in text
    assert "第1页，共2页" in text and "第2页，共2页" in text


def test_nothing_to_print_says_why_and_prints_nothing(office, other_office) -> None:
    (revoked,) = places_of(office, 1)
    revoked.active = False
    revoked.save()
    (theirs,) = places_of(other_office, 1)

    for query in ({"place": str(revoked.pk)}, {"place": str(theirs.pk)}, {"place": "abc"}):
        r = stickers(office, **query)
        assert r.status_code == 400, query
        assert r["Content-Type"].startswith("text/html")
        assert "没有选择启用中的位置" in r.content.decode()


def test_another_communitys_places_are_left_out_of_a_sheet(office, other_office) -> None:
    (mine,) = places_of(office, 1)
    (theirs,) = places_of(other_office, 1, prefix="滨江")

    text = pdf_text(stickers(office, place=[str(mine.pk), str(theirs.pk)]).content)

    assert mine.name in text and theirs.name not in text


def test_only_the_office_prints_stickers(office) -> None:
    places_of(office, 1)

    assert stickers(office, office.repair_leader).status_code == 403
    assert stickers(office, office.head).status_code == 200


def test_the_places_list_shows_each_place_and_its_revoked_ones(office) -> None:
    lift, corridor = places_of(office, 2)
    corridor.active = False
    corridor.save()

    page = client_of(office.head).get(f"/desk/{office.community.pk}/places/").content.decode()

    assert f'name="place" value="{lift.pk}"' in page
    assert f'name="place" value="{corridor.pk}"' not in page  # a revoked place is not printed
    assert "已停用" in page and corridor.name in page
