from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConciergeConfig(AppConfig):
    name = "propdesk.concierge"
    label = "concierge"
    verbose_name = _("Convenience services")

    def ready(self) -> None:
        from propdesk.concierge import jobs  # noqa: F401 - the CS-3 quarter start, the cart's reminders
