from django.contrib import admin

from propdesk.calls.models import Call, Extension, PhoneSystem
from propdesk.community.backoffice import BackOfficeAdmin, GrowingList


@admin.register(PhoneSystem)
class PhoneSystemAdmin(BackOfficeAdmin):
    list_display = ("community", "enabled")
    list_filter = ("enabled",)


@admin.register(Extension)
class ExtensionAdmin(BackOfficeAdmin):
    list_display = ("community", "number", "user")
    list_filter = ("community",)
    raw_id_fields = ("user",)


@admin.register(Call)
class CallAdmin(GrowingList, BackOfficeAdmin):
    list_display = ("ringing_at", "community", "phone", "line", "state", "ring_ms", "answered_by")
    list_filter = ("community", "state", "direction", "ringing_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
