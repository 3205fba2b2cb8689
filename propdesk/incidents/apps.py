from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "propdesk.incidents"
    label = "incidents"
    verbose_name = _("Emergencies")

    def ready(self) -> None:
        from propdesk.incidents import jobs  # noqa: F401 - registers the repeat with the worker
