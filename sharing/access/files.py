"""Response PDFs (and drafts) produced by a background job, kept in the
database so that any web server can hand them to staff, whichever machine
the worker ran on.

A file is kept until the retention schedule's period for generated PDFs
ends (``sharing.retention``: purged by ``manage.py retention --apply``), and
goes at once when its pupil's record is erased. Only staff who may produce
the response, at the request's school, can download it
(``views.file_view``); each download is written to the trail.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.models import Job, Pupil, School

from .models import AccessRequest, AccessResponse

__all__ = ["ResponseFile"]


class ResponseFile(models.Model):
    """One pupil's response PDF, or a draft, as the job produced it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="files")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, related_name="+")
    response = models.ForeignKey(
        AccessResponse, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    draft = models.BooleanField(_("draft, not for sending"))
    content = models.BinaryField(_("file"))
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("produced at"), default=timezone.now)

    class Meta:
        ordering = ["pupil_id", "id"]
        verbose_name = _("produced response file")
        indexes = [models.Index(fields=["school", "created_at"])]
        constraints = [
            # A job run twice (at least once delivery) stores one file per pupil.
            models.UniqueConstraint(
                fields=["job", "pupil"],
                condition=Q(job__isnull=False),
                name="sar_file_once_per_job",
            ),
            models.CheckConstraint(
                condition=Q(draft=True, response__isnull=True) | Q(draft=False),
                name="sar_file_draft_is_no_response",
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def filename(self) -> str:
        prefix = "draft-subject-access" if self.draft else "subject-access"
        return f"{prefix}-{self.request_id}-{self.pupil_id}.pdf"
