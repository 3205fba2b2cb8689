"""Issue 15: a summary's items move from its JSON payload into DigestItem rows; the payload keeps
only ``{"count": n}``. Backwards: the rows (the first 200, as the payload held) go back into the
payload and are deleted."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DIGEST_KIND = "digest"
MAX_ITEMS = 200
BATCH = 500


def items_to_rows(apps: Any, schema_editor: Any) -> None:
    Notification = apps.get_model("notify", "Notification")
    DigestItem = apps.get_model("notify", "DigestItem")
    digests = Notification.objects.filter(kind=DIGEST_KIND, payload__has_key="items")
    for digest in digests.only("pk", "payload", "created_at").iterator(chunk_size=BATCH):
        body = dict(digest.payload or {})
        items = [i for i in body.pop("items", None) or [] if isinstance(i, dict)]
        seen: set[str] = set()
        rows = []
        for item in items:
            cause = str(item.get("cause", ""))[:100]
            if cause in seen:
                continue
            seen.add(cause)
            payload = item.get("payload")
            rows.append(
                DigestItem(
                    digest_id=digest.pk,
                    cause=cause,
                    kind=str(item.get("kind", ""))[:20],
                    title=str(item.get("title", ""))[:200],
                    payload=payload if isinstance(payload, dict) else {},
                    created_at=digest.created_at,
                )
            )
        DigestItem.objects.bulk_create(rows, ignore_conflicts=True)
        body["count"] = int(body.get("count", len(items)))
        Notification.objects.filter(pk=digest.pk).update(payload=body)


def rows_to_items(apps: Any, schema_editor: Any) -> None:
    Notification = apps.get_model("notify", "Notification")
    DigestItem = apps.get_model("notify", "DigestItem")
    digest_ids = DigestItem.objects.values_list("digest_id", flat=True).distinct().order_by()
    for digest in Notification.objects.filter(pk__in=digest_ids).only("pk", "payload"):
        items = [
            {"cause": i.cause, "kind": i.kind, "title": i.title, "payload": i.payload}
            for i in DigestItem.objects.filter(digest_id=digest.pk).order_by("id")[:MAX_ITEMS]
        ]
        body = dict(digest.payload or {})
        body["items"] = items
        body["count"] = int(body.get("count", len(items)))
        Notification.objects.filter(pk=digest.pk).update(payload=body)
    DigestItem.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0006_digest_items"),
    ]

    operations = [
        migrations.RunPython(items_to_rows, rows_to_items, elidable=True),
    ]
