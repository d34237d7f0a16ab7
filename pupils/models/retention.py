"""The retention schedule a school has changed from the defaults, and legal
holds that keep a pupil's records past their period (docs/law.md,
"Retention"). The rules themselves are in ``pupils.retention.rules``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..retention.rules import Kind, Unit
from .record import Pupil
from .tenancy import School, SchoolScopedQuerySet

__all__ = [
    "HoldReason",
    "LegalHold",
    "LegalHoldQuerySet",
    "PeriodUnit",
    "RecordKind",
    "RetentionPeriod",
]


class RecordKind(models.TextChoices):
    EDUCATIONAL_RECORD = Kind.EDUCATIONAL_RECORD, _("Educational record (last school)")
    PASSED_ON_RECORD = Kind.PASSED_ON_RECORD, _("Educational record passed on to the next school")
    SEN = Kind.SEN, _("Special educational needs file")
    CHILD_PROTECTION = Kind.CHILD_PROTECTION, _("Child-protection information")
    REGISTERS = Kind.REGISTERS, _("Admission and attendance registers")
    CONSENT = Kind.CONSENT, _("Consent answers")
    CTF_UPLOADS = Kind.CTF_UPLOADS, _("Uploaded Common Transfer Files and their previews")
    GENERATED_PDFS = Kind.GENERATED_PDFS, _("Access response PDFs produced for staff to send")
    COMPLAINTS = Kind.COMPLAINTS, _("Complaints about the handling of personal data")
    AUDIT_TRAIL = Kind.AUDIT_TRAIL, _("Audit trail")


class PeriodUnit(models.TextChoices):
    DAYS = Unit.DAYS, _("days")
    MONTHS = Unit.MONTHS, _("months")
    YEARS = Unit.YEARS, _("years")


class RetentionPeriod(models.Model):
    """A school's own period for one kind of record (absent: the default)."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="retention_periods", verbose_name=_("school")
    )
    kind = models.CharField(_("kind of record"), max_length=30, choices=RecordKind.choices)
    amount = models.PositiveSmallIntegerField(
        _("period"),
        null=True,
        blank=True,
        help_text=_("Blank: kept for as long as the system is, never erased by the schedule."),
    )
    unit = models.CharField(_("unit"), max_length=6, choices=PeriodUnit.choices)
    reason = models.TextField(_("why this period"))
    source = models.CharField(_("source"), max_length=200)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        ordering = ["school", "kind"]
        verbose_name = _("retention period")
        verbose_name_plural = _("retention schedule")
        permissions = [
            ("erase_records", _("Can erase records whose retention period has ended")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["school", "kind"], name="one_period_per_kind"),
            models.CheckConstraint(condition=~Q(reason=""), name="retention_period_says_why"),
            models.CheckConstraint(condition=~Q(source=""), name="retention_period_names_source"),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class HoldReason(models.TextChoices):
    CLAIM = "claim", _("A claim or legal proceedings are expected")
    SAFEGUARDING = "safeguarding", _("Safeguarding")
    INQUIRY = "inquiry", _("An inquiry or investigation")
    OTHER = "other", _("Other reason (described)")


class LegalHoldQuerySet(SchoolScopedQuerySet):
    school_path = "pupil__school"

    def active(self) -> LegalHoldQuerySet:
        return self.filter(released_at__isnull=True)


class LegalHold(models.Model):
    """While a hold is active the pupil's records are never erased, whatever
    their period. Placed and released through ``pupils.retention.services``."""

    pupil = models.ForeignKey(
        Pupil, on_delete=models.CASCADE, related_name="legal_holds", verbose_name=_("pupil")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=HoldReason.choices)
    note = models.TextField(_("note"), blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at"]
        verbose_name = _("legal hold")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "reason"],
                condition=Q(released_at__isnull=True),
                name="one_active_hold_per_reason",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True, released_by__isnull=True)
                | Q(released_at__isnull=False, released_by__isnull=False),
                name="hold_release_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(note=""), name="hold_other_reason_described"
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_reason_display())

    @property
    def is_active(self) -> bool:
        return self.released_at is None
