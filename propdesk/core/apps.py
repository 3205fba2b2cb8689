from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "propdesk.core"
    label = "core"
    verbose_name = "core"

    def ready(self) -> None:
        from propdesk.core import (
            housekeeping,  # noqa: F401 - registers core.sessions
            once,  # noqa: F401 - registers core.once
        )
