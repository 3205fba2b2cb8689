"""QR stickers (二维码) for the community's places: the office picks places (or a building) and
prints an A4 sheet of stickers; a staff member who scans a sticker lands on the place's page,
its open orders and a way to log a new one there."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from propdesk.community.models import Place
from propdesk.community.places import places_for_stickers, places_visible, sticker_code
from propdesk.community.stickers import stickers_pdf
from propdesk.desk.selectors import open_orders_by_place, place_open_orders
from propdesk.policy.workflow import OFFICE_ROLES
from propdesk.web.views._common import Desk, console, not_found, now, posted_id


def _places_page(
    request: HttpRequest, desk: Desk, *, error: str = "", status: int = 200
) -> HttpResponse:
    rows = list(places_visible(desk.user).filter(community_id=desk.community.pk))
    counts = open_orders_by_place(desk.user, desk.community.pk)
    buildings = sorted(
        {p.building for p in rows if p.building is not None and p.active}, key=lambda b: b.number
    )
    return render(
        request,
        "web/places.html",
        {
            "desk": desk,
            "nav_active": "places",
            "title": _("Places and QR codes"),
            "rows": [(p, counts.get(p.pk, 0)) for p in rows],
            "buildings": buildings,
            "error": error,
        },
        status=status,
    )


@console(*OFFICE_ROLES)
def places(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The community's places: each with its open orders; tick places (or pick a building) and
    print their stickers."""
    return _places_page(request, desk)


@console(*OFFICE_ROLES)
def stickers(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The A4 PDF of stickers: ``?place=ID`` (repeated) the places ticked, else ``?building=ID``
    a building's, else every active place of the community. Nothing to print: the list again
    with why (400)."""
    ids = [i for i in (posted_id(v) for v in request.GET.getlist("place")) if i]
    building = posted_id(request.GET.get("building")) or None
    chosen = places_for_stickers(
        desk.user, desk.community.pk, place_ids=ids, building_id=None if ids else building
    )
    if not chosen:
        return _places_page(
            request,
            desk,
            error=_("No active place was chosen: tick the places to print, or pick a building."),
            status=400,
        )

    def url_of(place: Place) -> str:
        return request.build_absolute_uri(reverse("place-scan", args=[sticker_code(place)]))

    pdf = stickers_pdf(
        desk.community, chosen, url_of=url_of, printed_at=now(), printed_by=str(desk.user)
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="stickers-{desk.community.code}.pdf"'
    return response


@console()
def place(request: HttpRequest, desk: Desk, place_id: int) -> HttpResponse:
    """A place's page (where scanning its sticker takes a staff member): its open orders that this
    user may see, and for the office a button to log a new order there."""
    found = places_visible(desk.user).filter(community_id=desk.community.pk, pk=place_id).first()
    if found is None:
        return not_found(request)
    orders = list(place_open_orders(desk.user, found))
    return render(
        request,
        "web/place.html",
        {
            "desk": desk,
            "nav_active": "places",
            "title": found.name,
            "place": found,
            "orders": orders,
            "may_log": desk.is_office,
        },
    )
