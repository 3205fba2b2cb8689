"""Shapes of the notifications API: a staff member's inbox, their channels, and the office
head's failed deliveries."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from propdesk.api.params import LIMIT
from propdesk.api.serializers import UserBriefOut
from propdesk.notify.models import DigestItem, Notification, NotificationEndpoint
from propdesk.notify.selectors import digest_items

_WHEN = serializers.DateTimeField()


class NotificationOut(serializers.ModelSerializer[Notification]):
    community_name = serializers.CharField(source="community.name", read_only=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "community",
            "community_name",
            "kind",
            "cause",
            "title",
            "payload",
            "created_at",
            "read_at",
            "unread",
        ]
        extra_kwargs = {
            "payload": {
                "help_text": (
                    "What the notification is about (e.g. order, url). A summary (kind digest): "
                    "count (how many were folded into it) and items, the first 200 of them, "
                    "first folded first, each {cause, kind, title, payload, created_at}; "
                    "all of them: /api/notifications/{id}/items/"
                )
            }
        }

    def get_unread(self, obj: Notification) -> bool:
        return obj.read_at is None

    def to_representation(self, instance: Notification) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        items = digest_items(instance)
        if items:
            # Issue 15: the items live in rows now; clients keep reading payload.items.
            data["payload"] = {
                **(data["payload"] or {}),
                "items": [
                    {
                        "cause": i.cause,
                        "kind": i.kind,
                        "title": i.title,
                        "payload": i.payload,
                        "created_at": _WHEN.to_representation(i.created_at),
                    }
                    for i in items
                ],
            }
        return data


class DigestItemOut(serializers.ModelSerializer[DigestItem]):
    """One notification folded into a summary: what it would have said."""

    class Meta:
        model = DigestItem
        fields = ["cause", "kind", "title", "payload", "created_at"]


class EndpointBriefOut(serializers.ModelSerializer[NotificationEndpoint]):
    class Meta:
        model = NotificationEndpoint
        fields = ["id", "name", "kind"]


class FailedDeliveryOut(serializers.ModelSerializer[Notification]):
    recipient = UserBriefOut(allow_null=True)
    endpoint = EndpointBriefOut(allow_null=True)
    # A plain string in the schema: "channel" names other choice sets elsewhere in the API.
    channel = serializers.CharField(help_text="email or webhook")

    class Meta:
        model = Notification
        fields = [
            "id",
            "community",
            "kind",
            "cause",
            "title",
            "channel",
            "recipient",
            "endpoint",
            "state",
            "attempts",
            "last_error",
            "dedupe_key",
            "created_at",
        ]


class ReadAllIn(serializers.Serializer[Any]):
    # Bounded as a database id (an integer over 2^63 reached SQLite as a 500).
    community = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=-LIMIT + 1, max_value=LIMIT - 1
    )


class ReadAllOut(serializers.Serializer[Any]):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class ChannelsOut(serializers.Serializer[Any]):
    in_app = serializers.BooleanField(help_text="always on")
    email = serializers.BooleanField(help_text="chosen; sent only with an e-mail address")
    sms = serializers.BooleanField(help_text="chosen; sent only with a phone and an SMS gateway")
    email_address = serializers.CharField()
    phone = serializers.CharField()


class ChannelsIn(serializers.Serializer[Any]):
    email = serializers.BooleanField(required=False, allow_null=True, default=None)
    sms = serializers.BooleanField(required=False, allow_null=True, default=None)
