from django.db import models


class WorkerHeartbeat(models.Model):
    """The last tick of each background worker, so /health/ shows whether jobs are running."""

    name = models.CharField(max_length=100, unique=True)
    last_tick = models.DateTimeField()
    ticks = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
