from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClocksConfig(AppConfig):
    name = "propdesk.clocks"
    label = "clocks"
    verbose_name = _("Time rules")

    def ready(self) -> None:
        from propdesk.clocks import jobs  # noqa: F401 - registers the sweeper with the worker
