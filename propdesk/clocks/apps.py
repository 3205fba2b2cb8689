from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClocksConfig(AppConfig):
    name = "propdesk.clocks"
    label = "clocks"
    verbose_name = _("Time rules")

    def ready(self) -> None:
        from propdesk.clocks import jobs  # noqa: F401 - registers the sweeper with the worker
        from propdesk.clocks.services import team_hours_changed
        from propdesk.community import signals

        # A team's new week moves the running clocks counted in its hours (issue 16).
        signals.team_hours_changed.connect(
            lambda sender, team, now, **kw: team_hours_changed(team=team, now=now),
            dispatch_uid="clocks.team_hours_changed",
            weak=False,
        )
