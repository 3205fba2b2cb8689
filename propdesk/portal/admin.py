from __future__ import annotations

from django.contrib import admin

from propdesk.community.backoffice import ReadOnlyAdmin
from propdesk.portal.models import SignIn


@admin.register(SignIn)
class SignInAdmin(ReadOnlyAdmin):
    list_display = ["at", "names", "phone", "client_ip", "method", "community"]
    list_filter = ["community", "method"]
    search_fields = ["phone", "names"]
    date_hierarchy = "at"
