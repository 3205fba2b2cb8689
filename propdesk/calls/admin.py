from django.contrib import admin

from propdesk.calls.models import Call, Extension, PhoneSystem
from propdesk.community.backoffice import BackOfficeAdmin, GrowingList, ReadOnlyAdmin


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
class CallAdmin(GrowingList, ReadOnlyAdmin):
    """The phone system's calls, as it reported them: FD-1's figures (answered within three
    rings) and the missed calls' call-back clocks come from them, so none is deleted here."""

    list_display = ("ringing_at", "community", "phone", "line", "state", "ring_ms", "answered_by")
    list_filter = ("community", "state", "direction", "ringing_at")
