"""The e-mail outbox: every e-mail the application sends is a row here,
written in the transaction of the change that causes it, and delivered by a
task (``pupils.outbox``). Staff see who, what kind and the last error; the
body (which can carry a consent link) is blanked once the message is sent."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailKind(models.TextChoices):
    CONSENT_LINK = "consent_link", _("Consent form link")
    RECEIPT = "receipt", _("Receipt of a family's answers")
    DPO_NOTICE = "dpo_notice", _("Notice to the DPO")
    REMINDER = "reminder", _("Reminder")
    REQUEST_REPLY = "request_reply", _("Reply to a family's request or complaint")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (gave up)")


class OutboxQuerySet(models.QuerySet["OutboxMessage"]):
    def due(self, now=None) -> OutboxQuerySet:
        return self.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now or timezone.now())

    def needing_attention(self) -> OutboxQuerySet:
        return self.exclude(status=OutboxStatus.SENT)


class OutboxMessage(models.Model):
    school = models.ForeignKey(
        "pupils.School",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EmailKind.choices)
    to = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=300)
    # Blanked once sent: it may hold a consent link or a family's answers.
    body = models.TextField(_("body"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_due_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(body="", sent_at__isnull=False),
                name="outbox_sent_has_no_body",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"
