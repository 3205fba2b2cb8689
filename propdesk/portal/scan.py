"""Scanning a QR sticker (``/q/<code>/``): one URL for everyone, each sent where they act.

- a staff member of the place's community (or its company's leadership): the place's console
  page, its open orders and a way to log a new one there;
- a signed-in resident of a household in that community: the portal's report, the place filled
  in (``/portal/report/?where=<label>&place=<id>``);
- anyone else not signed in: the portal's login, coming back to that report;
- a staff member of another community, or a resident of one: "not found", as everywhere.

A code this installation did not sign is "not found" (404); a revoked place's (an inactive
place) says so (410). Neither changes anything."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from propdesk.community.models import Place
from propdesk.community.places import (
    StickerInvalid,
    StickerRevoked,
    staff_sees_place,
    sticker_place,
)
from propdesk.portal.access import resident

# The portal's report form (issue 13, item 2); it reads ``where`` into the location and
# ``place`` into the order's place (checked there with community.places.resident_place).


def report_url(place: Place) -> str:
    """Where a resident reports a problem at ``place``."""
    return f"{reverse('portal:report')}?{urlencode({'where': place.name, 'place': place.pk})}"


def _answer(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "portal/sticker.html", {"message": message}, status=status)


def scan(request: HttpRequest, code: str) -> HttpResponse:
    try:
        place = sticker_place(code)
    except StickerInvalid:
        return _answer(
            request,
            _("This QR code is not one of ours: please call the front desk to report it."),
            404,
        )
    except StickerRevoked:
        return _answer(
            request,
            _("This QR code is no longer in use: please call the front desk to report it."),
            410,
        )
    user = request.user
    if user.is_authenticated and staff_sees_place(user, place):
        return HttpResponseRedirect(reverse("desk-place", args=[place.community_id, place.pk]))
    who = resident(request)
    if who is not None:
        if who.households().filter(community_id=place.community_id).exists():
            return HttpResponseRedirect(report_url(place))
    elif not user.is_authenticated:
        login = reverse("portal:login")
        return HttpResponseRedirect(f"{login}?{urlencode({'next': report_url(place)})}")
    return _answer(request, _("There is no such page, or it is not in your communities."), 404)
