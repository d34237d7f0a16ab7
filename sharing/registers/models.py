"""The record of processing activities (UK GDPR Art 30): what the DPO adds
that the data cannot know (``ProcessingNote``), and each published version,
kept as it was (``ProcessingRecordVersion``).

The record itself is generated from the application's data each time it is
shown (``sharing.registers.ropa``); publishing stores a snapshot of its rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.models import School, SchoolScopedQuerySet
from sharing.disclosures.models import AppendOnlyError

__all__ = ["ProcessingNote", "ProcessingRecordVersion", "RecordSection"]


class RecordSection(models.TextChoices):
    """The sections of the record, in Art 30(1)'s order."""

    CONTROLLER = "controller", _("The controller and the DPO")
    PURPOSES = "purposes", _("Purposes and lawful bases")
    PEOPLE = "people", _("Categories of people")
    DATA = "data", _("Categories of personal data")
    RECIPIENTS = "recipients", _("Recipients")
    TRANSFERS = "transfers", _("Transfers outside the UK and their safeguards")
    RETENTION = "retention", _("Retention")
    SECURITY = "security", _("Security measures")


class ProcessingNoteQuerySet(SchoolScopedQuerySet):
    """Scoped by its school (SchoolScopedQuerySet)."""


class ProcessingNote(models.Model):
    """A row the DPO adds to the record: what the application cannot know
    (paper records, CCTV, staff files, a retention period agreed...)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="processing_notes")
    section = models.CharField(_("section"), max_length=12, choices=RecordSection.choices)
    item = models.CharField(_("item"), max_length=200, help_text=_("e.g. CCTV at the front gate"))
    detail = models.TextField(_("detail"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    objects = ProcessingNoteQuerySet.as_manager()

    class Meta:
        ordering = ["school", "section", "item", "id"]
        verbose_name = _("record of processing: DPO's row")
        verbose_name_plural = _("record of processing: DPO's rows")

    def __str__(self) -> str:
        return f"{self.get_section_display()}: {self.item}"


class ProcessingRecordVersionQuerySet(SchoolScopedQuerySet):
    """Scoped by its school (SchoolScopedQuerySet)."""


class ProcessingRecordVersion(models.Model):
    """The record as published on a date: its rows, never changed."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="processing_record_versions"
    )
    version = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    rows = models.JSONField(_("rows"), default=list)

    objects = ProcessingRecordVersionQuerySet.as_manager()

    class Meta:
        ordering = ["school", "-version"]
        verbose_name = _("record of processing")
        verbose_name_plural = _("record of processing activities")
        permissions = [
            ("publish_processing_record", _("Can publish the record of processing activities")),
            ("download_audit_pack", _("Can download the audit pack")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "version"], name="unique_processing_record_version"
            )
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.published_at) if self.published_at else None
        return f"v{self.version}, {when:%d %B %Y}" if when else f"v{self.version}"

    def save(self, *args, **kwargs) -> None:
        # A guard, not a side effect: a published version is kept as it was.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("A published record of processing is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("A published record of processing is never deleted.")
