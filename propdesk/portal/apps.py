from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "propdesk.portal"
    label = "portal"
    verbose_name = _("Resident portal")

    def ready(self) -> None:
        from propdesk.portal import jobs  # noqa: F401 - registers the sign-in codes' purge
