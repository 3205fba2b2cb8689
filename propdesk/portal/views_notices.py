"""The notices a resident reads (公告, the posted notices of RV-7): their communities' notices for
the whole community or for their own building, newest first, with the photo of the board."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from propdesk.core.uploads import stored_file_response
from propdesk.followup.selectors import notices_for_households
from propdesk.portal.access import resident, resident_required


def community_activities(households: list[Any]) -> list[Any]:
    """The community activities (CS-3) the households may sign up for now, under the notices."""
    from propdesk.portal.views_activities import upcoming_activities

    return [row["activity"] for row in upcoming_activities(households)]


@resident_required
def notices(request: HttpRequest) -> HttpResponse:
    households = list(request.resident.households())  # type: ignore[attr-defined]
    rows = list(notices_for_households(households)[:50])
    return render(
        request,
        "portal/notices/list.html",
        {
            "notices": rows,
            "activities": community_activities(households),
            "several": len({h.community_id for h in households}) > 1,
        },
    )


@resident_required
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    households = list(request.resident.households())  # type: ignore[attr-defined]
    notice = notices_for_households(households).select_related("community").filter(pk=notice_id)
    found = notice.first()
    if found is None:
        raise Http404
    return render(request, "portal/notices/detail.html", {"notice": found})


def notice_photo(request: HttpRequest, notice_id: int, photo_id: int) -> FileResponse:
    """The photo of a notice the resident reads; anything else, or no resident signed in, is
    not found (an image's address sends nobody to a sign-in page)."""
    who = resident(request)
    found = (
        notices_for_households(list(who.households())).filter(pk=notice_id).first() if who else None
    )
    photo = found.photos.filter(pk=photo_id).first() if found else None
    if photo is None:
        raise Http404
    return stored_file_response(
        photo.file, content_type=photo.content_type, original_name=photo.original_name
    )
