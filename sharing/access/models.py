"""Subject access requests (UK GDPR Art 15) and educational-record requests
(2005 regulations, reg 5): who asked, for which pupils, the clock, and what
was withheld or redacted and why.

Writes go through ``sharing.access.services``, which keep ``due_on`` in
step with the pauses and the extension and leave an audit trace.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pupils.models import Contact, Pupil, School
from sharing.clocked import (
    ClockedRequestQuerySet,
    ClockPauseBase,
    IdentityCheck,
    PauseReason,
    pause_constraints,
)
from sharing.dates import long_date
from sharing.disclosures.models import Disclosure, SendMethod

__all__ = [
    "AccessRequest",
    "AccessRequestQuerySet",
    "AccessRequestStatus",
    "AccessResponse",
    "SearchedSystem",
    "SystemSearch",
    "ArrivalChannel",
    "ClockPause",
    "IdentityCheck",
    "PauseReason",
    "RedactionDecision",
    "RedactionGround",
    "RedactionOutcome",
    "RequesterRelationship",
]


class RequesterRelationship(models.TextChoices):
    PUPIL = "pupil", _("The pupil")
    PARENT = "parent", _("Parent")
    CARER = "carer", _("Carer or person with parental responsibility")
    REPRESENTATIVE = "representative", _("Someone acting for them (e.g. a solicitor)")
    OTHER = "other", _("Other")


class ArrivalChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Telephone")
    WEBSITE = "website", _("Website form")
    SOCIAL_MEDIA = "social_media", _("Social media")
    OTHER = "other", _("Other")


class AccessRequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAUSED = "paused", _("Clock paused")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (AccessRequestStatus.OPEN, AccessRequestStatus.PAUSED)


class AccessRequestQuerySet(ClockedRequestQuerySet):
    open_statuses = OPEN_STATUSES


class AccessRequest(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="access_requests")
    pupils = models.ManyToManyField(Pupil, related_name="access_requests", verbose_name=_("pupils"))
    requester_name = models.CharField(_("who asked"), max_length=200)
    requester_relationship = models.CharField(
        _("relationship to the pupil"), max_length=20, choices=RequesterRelationship.choices
    )
    requester_contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requester's contact record"),
        help_text=_(
            "When the requester is a contact the school holds: their own details are "
            "then theirs to see, not third-party data."
        ),
    )
    requester_address = models.TextField(
        _("where to send the reply"), blank=True, help_text=_("Postal or e-mail address.")
    )
    channel = models.CharField(_("how it arrived"), max_length=20, choices=ArrivalChannel.choices)
    received_at = models.DateTimeField(_("received at"))
    received_on = models.DateField(
        _("date of receipt"), help_text=_("The school's local date: day 1 of the period.")
    )
    details = models.TextField(_("what was asked for"), blank=True)
    identity_check = models.CharField(
        _("identity check"), max_length=20, choices=IdentityCheck.choices, blank=True
    )
    identity_checked_on = models.DateField(_("identity checked on"), null=True, blank=True)
    identity_note = models.CharField(
        _("identity note"),
        max_length=300,
        blank=True,
        help_text=_("How it was checked, or why no check was needed."),
    )
    educational_record = models.BooleanField(
        _("educational-record request"),
        default=False,
        help_text=_(
            "A parent's written request to see the educational record (2005 regulations, "
            "reg 5): maintained schools only, due within 15 school days."
        ),
    )
    extended_on = models.DateField(_("requester told of the extension on"), null=True, blank=True)
    extension_reason = models.TextField(_("why it was extended"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AccessRequestStatus.choices,
        default=AccessRequestStatus.OPEN,
    )
    due_on = models.DateField(
        _("due"), null=True, blank=True, help_text=_("Blank while the clock is paused.")
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "received_at"]
        verbose_name = _("subject access request")
        permissions = [
            ("handle_access_request", _("Can handle subject access requests")),
            ("produce_access_response", _("Can produce the response to an access request")),
        ]
        indexes = [models.Index(fields=["school", "status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=AccessRequestStatus.ANSWERED, answered_on__isnull=False)
                | (~Q(status=AccessRequestStatus.ANSWERED) & Q(answered_on__isnull=True)),
                name="sar_answered_has_date",
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=models.F("received_on")),
                name="sar_answered_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(extended_on__isnull=True, extension_reason="")
                | (Q(extended_on__isnull=False) & ~Q(extension_reason="")),
                name="sar_extension_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(extended_on__isnull=True) | Q(extended_on__gte=models.F("received_on")),
                name="sar_extended_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(identity_check="", identity_checked_on__isnull=True)
                | (~Q(identity_check="") & Q(identity_checked_on__isnull=False)),
                name="sar_identity_check_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(identity_check=IdentityCheck.NOT_NEEDED) | ~Q(identity_note=""),
                name="sar_identity_not_needed_says_why",
            ),
            models.CheckConstraint(
                condition=~Q(educational_record=True) | Q(extended_on__isnull=True),
                name="sar_educational_record_not_extended",
            ),
            models.CheckConstraint(
                condition=Q(status=AccessRequestStatus.PAUSED, due_on__isnull=True)
                | ~Q(status=AccessRequestStatus.PAUSED),
                name="sar_paused_has_no_due_date",
            ),
        ]

    def __str__(self) -> str:
        day = self.received_on
        if day is None:
            return str(_("New subject access request"))
        return str(_("Request of %(date)s") % {"date": long_date(day)})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ClockPause(ClockPauseBase):
    """A pause of an access request's clock (``sharing.clocked``)."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="pauses")

    class Meta(ClockPauseBase.Meta):
        constraints = pause_constraints("sar")


class RedactionOutcome(models.TextChoices):
    DISCLOSE = "disclose", _("Disclosed")
    REDACT = "redact", _("Redacted")
    WITHHOLD = "withhold", _("Withheld")


class RedactionGround(models.TextChoices):
    # DPA 2018 Sch 2 para 16 (third parties) and the exemptions in Schs 2-4.
    THIRD_PARTY_CONSENTED = "tp_consented", _("The third party consented")
    REASONABLE_TO_DISCLOSE = "tp_reasonable", _("Reasonable to disclose without consent")
    THIRD_PARTY = "third_party", _("Third party's personal data")
    SERIOUS_HARM = "serious_harm", _("Likely to cause serious harm")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    REFERENCE = "reference", _("Confidential reference")
    LEGAL_PRIVILEGE = "legal_privilege", _("Legal professional privilege")
    OTHER = "other", _("Other exemption")


DISCLOSING_GROUNDS = (RedactionGround.THIRD_PARTY_CONSENTED, RedactionGround.REASONABLE_TO_DISCLOSE)


class RedactionDecision(models.Model):
    """What staff decided about a piece of the record: disclose a third
    party's data, redact it, or withhold something under an exemption."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="redactions")
    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("third party (a contact)"),
    )
    # The record of the request's pupils the decision is about (a medical
    # condition, an SEN need, a consent answer, a disclosure...): see
    # sharing.access.redactable for the kinds.
    record_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("record_type", "record_id")
    item = models.CharField(
        _("what (outside this application)"),
        max_length=300,
        blank=True,
        help_text=_(
            "Something the school holds elsewhere, e.g. a paper file. Printed in the "
            "response: describe it without revealing it."
        ),
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=RedactionOutcome.choices)
    ground = models.CharField(_("ground"), max_length=20, choices=RedactionGround.choices)
    reason = models.TextField(_("why"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("decided on"))

    class Meta:
        ordering = ["decided_on", "id"]
        verbose_name = _("redaction decision")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="sar_redaction_says_why"),
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(record_id__isnull=False) | ~Q(item=""),
                name="sar_redaction_names_what_v2",
            ),
            models.CheckConstraint(
                condition=Q(record_type__isnull=True, record_id__isnull=True)
                | Q(record_type__isnull=False, record_id__isnull=False),
                name="sar_redaction_record_type_and_id",
            ),
            models.UniqueConstraint(
                fields=["request", "record_type", "record_id"],
                condition=Q(record_id__isnull=False),
                name="sar_one_decision_per_record",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=RedactionOutcome.DISCLOSE) | Q(ground__in=DISCLOSING_GROUNDS),
                name="sar_disclosure_has_disclosing_ground",
            ),
            models.CheckConstraint(
                condition=Q(outcome=RedactionOutcome.DISCLOSE) | ~Q(ground__in=DISCLOSING_GROUNDS),
                name="sar_redaction_has_withholding_ground",
            ),
            models.UniqueConstraint(
                fields=["request", "contact"],
                condition=Q(contact__isnull=False),
                name="sar_one_decision_per_contact",
            ),
        ]

    def __str__(self) -> str:
        what = str(self.contact) if self.contact_id else self.item
        if self.record_id is not None:
            what = f"{self.record_type} {self.record_id}"
        return f"{self.get_outcome_display()}: {what}"


class AccessResponse(models.Model):
    """A final response produced for one pupil of a request (drafts leave
    only an EXPORT entry in the trail), and, once staff record it, when, how
    and to whom it was sent: that is what logs the disclosure, once per
    pupil of the request."""

    request = models.ForeignKey(AccessRequest, on_delete=models.PROTECT, related_name="responses")
    # Emptied when the pupil is erased under the retention schedule: the row
    # stays as the proof a response was produced and sent (dates, hash,
    # categories), without the pupil or where it went (sharing.retention).
    pupil = models.ForeignKey(Pupil, on_delete=models.SET_NULL, null=True, related_name="+")
    produced_at = models.DateTimeField(_("produced at"))
    produced_by = models.CharField(_("produced by"), max_length=150)
    file_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    categories = models.JSONField(_("categories of data"), default=list)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    sent_method = models.CharField(
        _("sent by"), max_length=20, choices=SendMethod.choices, blank=True
    )
    sent_to = models.CharField(_("sent to"), max_length=300, blank=True)
    disclosure = models.OneToOneField(
        Disclosure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-produced_at", "-id"]
        verbose_name = _("access response")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "pupil"],
                condition=Q(sent_on__isnull=False),
                name="sar_response_sent_once_per_pupil",
            ),
            models.CheckConstraint(
                condition=Q(sent_on__isnull=True, sent_method="", sent_to="")
                | (
                    Q(sent_on__isnull=False)
                    & ~Q(sent_method="")
                    & (~Q(sent_to="") | Q(pupil__isnull=True))
                ),
                name="sar_response_sent_says_when_how_to_whom_v2",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Response of %(date)s") % {"date": long_date(self.produced_at.date())})


class SearchedSystem(models.TextChoices):
    # This application's own record is always searched (the response is
    # built from it); these are the other places a school keeps data.
    EMAIL = "email", _("E-mail")
    SAFEGUARDING = "safeguarding", _("Safeguarding system (e.g. CPOMS, MyConcern)")
    BEHAVIOUR = "behaviour", _("Behaviour records")
    PAPER = "paper", _("Paper files")
    PHOTOS = "photos", _("Photographs and video")
    MIS = "mis", _("Management information system")
    OTHER = "other", _("Other")


class SystemSearch(models.Model):
    """One place searched for the pupil's data, by whom and when: printed in
    the covering letter, which says exactly what the response covers."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="searches")
    system = models.CharField(_("system searched"), max_length=20, choices=SearchedSystem.choices)
    detail = models.CharField(
        _("which"),
        max_length=200,
        blank=True,
        help_text=_("e.g. the head's and class teacher's mailboxes"),
    )
    searched_by = models.CharField(_("searched by"), max_length=200)
    searched_on = models.DateField(_("searched on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["searched_on", "id"]
        verbose_name = _("system searched")
        verbose_name_plural = _("systems searched")
        constraints = [
            models.CheckConstraint(condition=~Q(searched_by=""), name="sar_search_says_who"),
            models.CheckConstraint(
                condition=~Q(system=SearchedSystem.OTHER) | ~Q(detail=""),
                name="sar_search_other_says_which",
            ),
        ]

    def __str__(self) -> str:
        return self.get_system_display()
