from django.db import connection
from django.http import HttpRequest, JsonResponse

from propdesk.core.models import WorkerHeartbeat


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for the web process and the last sign of life of each worker."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    workers = [
        {"name": hb.name, "last_tick": hb.last_tick.isoformat()}
        for hb in WorkerHeartbeat.objects.order_by("name")
    ]
    return JsonResponse({"ok": True, "workers": workers})
