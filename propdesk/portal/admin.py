from __future__ import annotations

from django.contrib import admin

from propdesk.community.backoffice import GrowingList, ReadOnlyAdmin
from propdesk.portal.models import SignIn


@admin.register(SignIn)
class SignInAdmin(GrowingList, ReadOnlyAdmin):
    list_display = ["at", "names", "phone", "client_ip", "method", "community"]
    list_filter = ["community", "method", "at"]
    search_fields = ["phone", "names"]
