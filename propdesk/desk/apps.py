from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "propdesk.desk"
    label = "desk"
    verbose_name = _("Front desk and work orders")

    def ready(self) -> None:
        from propdesk.desk import jobs  # noqa: F401 - registers the staff's telling with the worker
