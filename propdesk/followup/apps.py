from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "propdesk.followup"
    label = "followup"
    verbose_name = _("Follow-up and return visits")

    def ready(self) -> None:
        from propdesk.followup import jobs  # noqa: F401 - registers the month start with the worker
