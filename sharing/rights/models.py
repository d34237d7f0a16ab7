"""Rights requests other than access (rectification, erasure, restriction,
objection, portability), complaints about the school's handling of personal
data, and the signed links that confirm an online request came from a
contact the school holds.

Writes go through ``sharing.rights.services`` (the clock kept in step, the
trail written). The law: docs/law.md, "Other rights" and "Complaints".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pupils.models import Contact, Pupil, School, SchoolScopedQuerySet
from sharing.access.models import AccessRequest, ArrivalChannel, RequesterRelationship
from sharing.clocked import ClockedRequestQuerySet, ClockPauseBase, IdentityCheck, pause_constraints
from sharing.dates import long_date

__all__ = [
    "Complaint",
    "ComplaintQuerySet",
    "ComplaintStatus",
    "RightKind",
    "RightsDecision",
    "RightsPause",
    "RightsRequest",
    "RightsRequestQuerySet",
    "RightsRequestStatus",
    "RequestConfirmation",
]


class RightKind(models.TextChoices):
    RECTIFICATION = "rectification", _("Rectification (correct something wrong)")
    ERASURE = "erasure", _("Erasure (delete information)")
    RESTRICTION = "restriction", _("Restriction (stop using information for now)")
    OBJECTION = "objection", _("Objection (stop a use of information)")
    PORTABILITY = "portability", _("Portability (a copy to take elsewhere)")


class RightsRequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAUSED = "paused", _("Clock paused")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RightsDecision(models.TextChoices):
    COMPLIED = "complied", _("Done as asked")
    PARTLY = "partly", _("Partly done")
    REFUSED = "refused", _("Refused")


OPEN_STATUSES = (RightsRequestStatus.OPEN, RightsRequestStatus.PAUSED)


class RightsRequestQuerySet(ClockedRequestQuerySet):
    open_statuses = OPEN_STATUSES


class RightsRequest(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="rights_requests")
    kind = models.CharField(_("right"), max_length=20, choices=RightKind.choices)
    pupils = models.ManyToManyField(
        Pupil, related_name="rights_requests", blank=True, verbose_name=_("pupils")
    )
    # What the requester said about the pupil, kept as given: an online
    # request is logged at once, before anyone matches it to a pupil.
    pupil_named = models.CharField(_("pupil as named by the requester"), max_length=200, blank=True)
    pupil_born_on = models.DateField(_("date of birth given"), null=True, blank=True)
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
    )
    requester_email = models.EmailField(_("requester's e-mail"), blank=True)
    requester_address = models.TextField(_("where to send the reply"), blank=True)
    channel = models.CharField(_("how it arrived"), max_length=20, choices=ArrivalChannel.choices)
    received_at = models.DateTimeField(_("received at"))
    received_on = models.DateField(_("date of receipt"))
    details = models.TextField(_("what was asked for"))
    identity_check = models.CharField(
        _("identity check"), max_length=20, choices=IdentityCheck.choices, blank=True
    )
    identity_checked_on = models.DateField(_("identity checked on"), null=True, blank=True)
    identity_note = models.CharField(_("identity note"), max_length=300, blank=True)
    extended_on = models.DateField(_("requester told of the extension on"), null=True, blank=True)
    extension_reason = models.TextField(_("why it was extended"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RightsRequestStatus.choices,
        default=RightsRequestStatus.OPEN,
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=RightsDecision.choices, blank=True
    )
    decision_reason = models.TextField(_("why"), blank=True)
    changes_made = models.TextField(_("what was changed"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    exported_at = models.DateTimeField(_("portable copy produced at"), null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RightsRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("rights request")
        permissions = [("handle_rights_request", _("Can handle rights requests"))]
        indexes = [models.Index(fields=["school", "status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=RightsRequestStatus.DECIDED, decided_on__isnull=False)
                & ~Q(decision="")
                & ~Q(decision_reason="")
                | (
                    ~Q(status=RightsRequestStatus.DECIDED) & Q(decided_on__isnull=True, decision="")
                ),
                name="rights_decided_has_decision_date_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(decision=RightsDecision.REFUSED) | Q(changes_made=""),
                name="rights_refused_changes_nothing",
            ),
            models.CheckConstraint(
                condition=Q(extended_on__isnull=True, extension_reason="")
                | (Q(extended_on__isnull=False) & ~Q(extension_reason="")),
                name="rights_extension_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(identity_check="", identity_checked_on__isnull=True)
                | (~Q(identity_check="") & Q(identity_checked_on__isnull=False)),
                name="rights_identity_check_has_date",
            ),
            models.CheckConstraint(
                condition=Q(status=RightsRequestStatus.PAUSED, due_on__isnull=True)
                | ~Q(status=RightsRequestStatus.PAUSED),
                name="rights_paused_has_no_due_date",
            ),
        ]

    def __str__(self) -> str:
        if self.received_on is None:
            return str(_("New rights request"))
        return str(
            _("%(kind)s request of %(date)s")
            % {"kind": self.get_kind_display().split(" (")[0], "date": long_date(self.received_on)}
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RightsPause(ClockPauseBase):
    """A pause of a rights request's clock (``sharing.clocked``), as for
    access requests."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="pauses")

    class Meta(ClockPauseBase.Meta):
        constraints = pause_constraints("rights")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not yet acknowledged")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Outcome told")


class ComplaintQuerySet(SchoolScopedQuerySet):
    """Scoped by its school (SchoolScopedQuerySet)."""

    def unacknowledged(self) -> ComplaintQuerySet:
        return self.filter(status=ComplaintStatus.RECEIVED)


class Complaint(models.Model):
    """A complaint about how the school handles personal data (DPA 2018
    s164A): acknowledged within 30 days, answered without undue delay."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="complaints")
    complainant_name = models.CharField(_("who complained"), max_length=200)
    complainant_email = models.EmailField(_("their e-mail"), blank=True)
    complainant_address = models.TextField(_("their postal address"), blank=True)
    channel = models.CharField(_("how it arrived"), max_length=20, choices=ArrivalChannel.choices)
    received_at = models.DateTimeField(_("received at"))
    received_on = models.DateField(_("date of receipt"))
    acknowledge_by = models.DateField(_("acknowledge by"))
    summary = models.TextField(_("the complaint"))
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
    )
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_told_on = models.DateField(_("outcome told on"), null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        permissions = [("handle_complaint", _("Can acknowledge and answer complaints"))]
        indexes = [models.Index(fields=["school", "status", "acknowledge_by"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(complainant_email="") | ~Q(complainant_address=""),
                name="complaint_has_somewhere_to_reply",
            ),
            models.CheckConstraint(
                condition=Q(status=ComplaintStatus.RECEIVED, acknowledged_on__isnull=True)
                | (~Q(status=ComplaintStatus.RECEIVED) & Q(acknowledged_on__isnull=False)),
                name="complaint_acknowledged_has_date",
            ),
            models.CheckConstraint(
                condition=Q(status=ComplaintStatus.CLOSED, outcome_told_on__isnull=False)
                & ~Q(outcome="")
                | (~Q(status=ComplaintStatus.CLOSED) & Q(outcome_told_on__isnull=True)),
                name="complaint_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        if self.received_on is None:
            return str(_("New complaint"))
        return str(_("Complaint of %(date)s") % {"date": long_date(self.received_on)})


class RequestConfirmation(models.Model):
    """A signed, expiring link e-mailed to a contact with parental
    responsibility who made an online request: following it records the
    identity check as "sent from contact details the school holds". Only a
    digest of the token is stored."""

    # One of the two: a rights request or a subject access request.
    request = models.OneToOneField(
        RightsRequest, on_delete=models.CASCADE, null=True, related_name="confirmation"
    )
    access_request = models.OneToOneField(
        AccessRequest, on_delete=models.CASCADE, null=True, related_name="confirmation"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("online request confirmation")
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False, access_request__isnull=True)
                | Q(request__isnull=True, access_request__isnull=False),
                name="confirmation_for_one_request",
            )
        ]

    def __str__(self) -> str:
        return str(_("Confirmation link"))

    @property
    def confirmed_request(self) -> RightsRequest | AccessRequest:
        return self.request if self.request_id else self.access_request  # type: ignore[return-value]
