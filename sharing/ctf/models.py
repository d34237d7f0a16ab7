"""Uploaded Common Transfer Files, kept between the preview and the
confirmation. Writes go through ``sharing.ctf.services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.models import School
from sharing.dates import long_date
from sharing.disclosures.models import SHA256_RE

__all__ = ["CtfImportBatch", "CtfImportStatus"]


class CtfImportStatus(models.TextChoices):
    # Each heavy step runs in the worker (``sharing.ctf.tasks``): an upload
    # is checked, then waits for confirmation, then is imported.
    CHECKING = "checking", _("Being checked")
    PREVIEWED = "previewed", _("Waiting for confirmation")
    IMPORTING = "importing", _("Being imported")
    IMPORTED = "imported", _("Imported")
    REFUSED = "refused", _("Refused, nothing imported")
    DISCARDED = "discarded", _("Discarded without importing")


class CtfImportBatch(models.Model):
    """An uploaded CTF, kept between the preview and the confirmation."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="ctf_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    file_name = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("file"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CtfImportStatus.choices,
        default=CtfImportStatus.PREVIEWED,
    )
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("CTF import")
        verbose_name_plural = _("CTF imports")
        permissions = [
            ("import_ctf", _("Can import Common Transfer Files")),
            ("export_ctf", _("Can export Common Transfer Files")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=SHA256_RE), name="ctf_batch_sha256_is_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({long_date(timezone.localtime(self.uploaded_at))})"
