from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last tick of each background worker, so /health/ shows whether jobs are running."""

    name = models.CharField(max_length=100, unique=True)
    last_tick = models.DateTimeField()
    ticks = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class StoredFile(models.Model):
    """What every uploaded file records beside the file itself (whose path each kind chooses):
    its name as uploaded, its type as read from its content, its size, who and when."""

    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class SubmittedForm(models.Model):
    """A form's one-time token (a hidden field drawn with the form), consumed in the same
    transaction as what the form writes: a second POST of the same form (a double click, Ctrl+Enter
    twice, a retry on a slow network) finds the row and is answered with the first one's redirect
    and message instead of writing again (core.once). ``owner`` is who posted it (``user:12``)."""

    owner = models.CharField(max_length=64)
    key = models.CharField(max_length=64)
    at = models.DateTimeField()
    url = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="core_submittedform_once")
        ]
        indexes = [models.Index(fields=["at"], name="core_submittedform_at")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"
