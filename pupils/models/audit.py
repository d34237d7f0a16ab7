"""The audit trail's table. Every app writes to it through ``pupils.audit``,
never directly."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .record import Pupil


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    VIEW_SPECIAL = "view_special", _("Viewed special category data")
    DISCLOSE = "disclose", _("Disclosed")
    CONSENT = "consent", _("Consent recorded")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    ERASE = "erase", _("Erased")
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_OUT = "sign_out", _("Signed out")


class AuditEvent(models.Model):
    """One append-only entry of the trail; each carries a hash chained to the
    previous one so that an edited or removed row is detectable
    (``manage.py verify_audit``).

    It names which fields changed, never their values: the trail outlives
    retention periods, and erased data must not survive in it.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    school_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    pupil = models.ForeignKey(
        Pupil,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pupil"),
    )
    object_type = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=300)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["pupil", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%d %B %Y %H:%M} {self.actor_label}: {self.summary}"
