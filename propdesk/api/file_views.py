"""Stored files (work-order attachments, incident photos, notice photos), served only here:
each checks the access of the object the file belongs to (another community's file answers 404
like a missing one) and answers with the detected type, nosniff and a Content-Disposition
(core.uploads.stored_file_response). Nothing under MEDIA_ROOT is served any other way."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from propdesk.community.models import User
from propdesk.core.models import StoredFile
from propdesk.core.uploads import stored_file_response
from propdesk.desk.selectors import access_attachment
from propdesk.followup.selectors import access_notice_photo
from propdesk.incidents.selectors import access_incident_photo

_FILE = {
    (200, "application/octet-stream"): OpenApiResponse(
        response=OpenApiTypes.BINARY,
        description="The file, with its detected content type (JPEG, PNG, WebP or PDF)",
    )
}


def _serve(stored: StoredFile) -> FileResponse:
    return stored_file_response(
        stored.file,  # type: ignore[attr-defined]
        content_type=stored.content_type,
        original_name=stored.original_name,
    )


@extend_schema(responses=_FILE, summary="A work-order attachment (whoever may see the order)")
class AttachmentFileView(APIView):
    def get(self, request: Request, pk: int) -> FileResponse:
        user: User = request.user  # type: ignore[assignment]
        return _serve(access_attachment(user, pk))


@extend_schema(responses=_FILE, summary="An incident report's photo (whoever may read the report)")
class IncidentPhotoFileView(APIView):
    def get(self, request: Request, pk: int) -> FileResponse:
        user: User = request.user  # type: ignore[assignment]
        return _serve(access_incident_photo(user, pk))


@extend_schema(responses=_FILE, summary="A notice's photo on the lobby board")
class NoticePhotoFileView(APIView):
    def get(self, request: Request, pk: int) -> FileResponse:
        user: User = request.user  # type: ignore[assignment]
        return _serve(access_notice_photo(user, pk))
