"""What the register tells the apps above it, which it may not import (pyproject's layers).

``team_hours_changed``: a team's working hours (班组工作时间) were changed, sent with ``team``
and ``now`` inside the saving transaction; the clocks app recomputes the running clocks counted
in them (propdesk.clocks.services.calendar.team_hours_changed)."""

from django.dispatch import Signal

team_hours_changed = Signal()
