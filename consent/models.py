"""Parents' answers to the school's consent questions, the links sent to ask
for them, and offline alternatives arranged for pupils whose parents say no.

``ConsentRecord`` is append-only: an answer is never changed or deleted; the
current answer for a pupil and provider is the record with the highest
``seq``. ``UniqueConstraint(pupil, provider, seq)`` makes two writers that
raced past the row lock in ``services.record_consent`` fail rather than
leave two "current" answers.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.models import PrivacyNotice, Provider
from pupils.models import Contact, Pupil, School, SchoolScopedQuerySet

# UK GDPR Art 8 as applied by DPA 2018 s9: from 13 a child can consent to
# online services themselves.
AGE_OF_DIGITAL_CONSENT = 13


class ConsentMethod(models.TextChoices):
    ONLINE = "online", _("Online form")
    PAPER = "paper", _("Paper form")
    PHONE = "phone", _("Telephone")
    EMAIL = "email", _("E-mail")


class ConsentRecordQuerySet(SchoolScopedQuerySet):
    school_path = "pupil__school"

    def current(self) -> ConsentRecordQuerySet:
        """The latest answer for each pupil and provider."""
        later = ConsentRecord.objects.filter(
            pupil=OuterRef("pupil"), provider=OuterRef("provider"), seq__gt=OuterRef("seq")
        )
        return self.filter(~Exists(later))

    def current_per_person(self) -> ConsentRecordQuerySet:
        """The latest answer of each person (each parent, and the pupil) for
        each pupil and purpose. Biometrics need it: one parent's objection
        stands whatever another parent answers later (PoFA 2012 s26)."""
        later = ConsentRecord.objects.filter(
            Q(given_by_contact=OuterRef("given_by_contact")) | Q(by_pupil=True),
            pupil=OuterRef("pupil"),
            provider=OuterRef("provider"),
            by_pupil=OuterRef("by_pupil"),
            seq__gt=OuterRef("seq"),
        )
        return self.filter(~Exists(later))

    def for_pupil(self, pupil: Pupil) -> ConsentRecordQuerySet:
        return self.filter(pupil=pupil)

    def for_pupils(self, pupils) -> ConsentRecordQuerySet:
        return self.filter(pupil__in=pupils)


class ConsentRecord(models.Model):
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="consent_records", verbose_name=_("pupil")
    )
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        related_name="consent_records",
        verbose_name=_("cloud service"),
    )
    seq = models.PositiveIntegerField(
        _("answer number"), help_text=_("1 for the first answer, 2 for the next...")
    )
    given = models.BooleanField(_("consent given"))
    given_by_contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consent_answers",
        verbose_name=_("given by (parent or carer)"),
    )
    by_pupil = models.BooleanField(_("given by the pupil (13 or over)"), default=False)
    method = models.CharField(_("how"), max_length=10, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    notice = models.ForeignKey(
        PrivacyNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("privacy notice version shown"),
    )
    request = models.ForeignKey(
        "ConsentRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("link used"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    explicit = models.BooleanField(
        _("explicit consent (special category data)"),
        default=False,
        help_text=_(
            "The purpose uses special category data, so the answer is explicit consent "
            "(UK GDPR Art 9(2)(a)) and the form said so."
        ),
    )

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        ordering = ["pupil", "provider", "-seq"]
        verbose_name = _("consent answer")
        indexes = [models.Index(fields=["provider", "pupil", "-seq"])]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "provider", "seq"], name="consent_one_answer_per_seq"
            ),
            models.CheckConstraint(
                condition=(Q(given_by_contact__isnull=False) & Q(by_pupil=False))
                | (Q(given_by_contact__isnull=True) & Q(by_pupil=True)),
                name="consent_given_by_contact_xor_pupil",
            ),
            models.CheckConstraint(
                condition=Q(method="online") | Q(recorded_by__isnull=False),
                name="consent_staff_entered_has_recorder",
            ),
            models.CheckConstraint(
                condition=~Q(method="online") | Q(request__isnull=False),
                name="consent_online_has_link",
            ),
            models.CheckConstraint(condition=Q(seq__gte=1), name="consent_seq_from_one"),
        ]

    def __str__(self) -> str:
        answer = _("yes") if self.given else _("no")
        return f"{self.pupil.full_name} / {self.provider.service}: {answer}"

    def save(self, *args, **kwargs):
        # Append-only: the history of answers is evidence (Art 7(1)).
        if not self._state.adding:
            raise ValidationError(_("A consent answer is never changed: record a new one."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A consent answer is never deleted."))

    @property
    def given_by_label(self) -> str:
        if self.by_pupil:
            return str(_("the pupil"))
        return self.given_by_contact.full_name if self.given_by_contact else ""


class LinkPurpose(models.TextChoices):
    CONSENT_FORM = "consent-form", _("Consent form")


class ConsentRequestReason(models.TextChoices):
    SENT_BY_STAFF = "staff", _("Sent by staff")
    REMINDER = "reminder", _("Reminder")
    ASKED_BY_PARENT = "parent", _("New link asked for by the parent")
    NEW_QUESTIONS = "new", _("New questions (a new pupil, or a new year group)")


class ConsentRequestQuerySet(SchoolScopedQuerySet):
    """Scoped by its school (SchoolScopedQuerySet)."""

    def usable(self) -> ConsentRequestQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ConsentRequest(models.Model):
    """One link sent to one contact (a family's form). Only the SHA-256 of
    the token's random part is kept: the database alone cannot open a form."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        related_name="consent_requests",
        verbose_name=_("sent to"),
    )
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=LinkPurpose.choices, default=LinkPurpose.CONSENT_FORM
    )
    reason = models.CharField(
        _("why"),
        max_length=10,
        choices=ConsentRequestReason.choices,
        default=ConsentRequestReason.SENT_BY_STAFF,
    )
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    revoked_at = models.DateTimeField(_("replaced or revoked"), null=True, blank=True)
    # The key of the last form sent through this link (services.
    # submit_family_answers): the same form sent again, by a double click or
    # a browser's retry, finds its key here and changes nothing.
    submission_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = ConsentRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consent request (link sent)")
        verbose_name_plural = _("consent requests (links sent)")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="consent_request_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=Q(token_digest__regex=r"^[0-9a-f]{64}$"),  # noqa: S106
                name="consent_request_digest_is_sha256",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.created_at:%d %B %Y})"


class AskedQuestion(models.Model):
    """One question a link asked: about this pupil, for this purpose. Written
    with the link (``services``), so the daily step (``consent.scheduled``)
    knows which questions a family has never been asked: a child who moves
    into a year group that uses a purpose, or a pupil new on roll."""

    request = models.ForeignKey(ConsentRequest, on_delete=models.CASCADE, related_name="questions")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("question asked")
        indexes = [models.Index(fields=["provider", "pupil"])]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "pupil", "provider"], name="consent_question_once_per_link"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} / {self.provider_id}"


class OfflineArrangementQuerySet(SchoolScopedQuerySet):
    school_path = "pupil__school"


class OfflineArrangement(models.Model):
    """The school has set up the offline alternative for a pupil whose
    parents said no to a cloud service."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="offline_arrangements")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="offline_arrangements"
    )
    arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    arranged_at = models.DateTimeField(_("arranged"), default=timezone.now)
    notes = models.TextField(_("notes"), blank=True)

    objects = OfflineArrangementQuerySet.as_manager()

    class Meta:
        ordering = ["-arranged_at"]
        verbose_name = _("offline alternative arranged")
        verbose_name_plural = _("offline alternatives arranged")

    def __str__(self) -> str:
        return f"{self.pupil.full_name} / {self.provider.service}"
