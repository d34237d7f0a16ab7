"""The breach register (UK GDPR Arts 33-34): every suspected personal data
breach, the DPO's assessment of it, and the notifications made to the ICO
and to the people affected.

Every breach stays in the register, reported or not (Art 33(5)): a breach is
never deleted, and a notification, once recorded, is never changed. Writes
go through ``sharing.breaches.services``. The law: docs/law.md, "Breaches".
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.models import Pupil, School, SchoolScopedQuerySet
from sharing.disclosures.models import AppendOnlyError, DataCategory

__all__ = [
    "Breach",
    "BreachNotification",
    "BreachQuerySet",
    "IcoDecision",
    "Likelihood",
    "NotificationAudience",
    "NotificationMethod",
    "PeopleCategory",
    "RiskLevel",
    "Severity",
    "TellPeopleDecision",
    "Urgency",
]

#: "Due soon": the ICO deadline falls within this many hours.
DUE_SOON_HOURS = 24


class PeopleCategory(models.TextChoices):
    PUPILS = "pupils", _("Pupils")
    FAMILIES = "families", _("Parents and carers")
    STAFF = "staff", _("Staff")
    OTHERS = "others", _("Other people")


class Likelihood(models.TextChoices):
    REMOTE = "remote", _("Remote: harm is very unlikely")
    POSSIBLE = "possible", _("Possible")
    LIKELY = "likely", _("Likely")


class Severity(models.TextChoices):
    MINIMAL = "minimal", _("Minimal: some inconvenience at most")
    SIGNIFICANT = "significant", _("Significant: distress, some lasting effect")
    SEVERE = "severe", _("Severe: harm to safety, health, money or reputation")


class RiskLevel(models.TextChoices):
    UNLIKELY = "unlikely", _("Unlikely to result in a risk to people")
    RISK = "risk", _("A risk to people")
    HIGH = "high", _("A high risk to people")


class IcoDecision(models.TextChoices):
    REPORT = "report", _("Report to the ICO")
    NOT_REPORT = "not_report", _("Do not report to the ICO")


class TellPeopleDecision(models.TextChoices):
    TELL = "tell", _("Tell the people affected")
    NOT_TELL = "not_tell", _("Do not tell the people affected")


class Urgency(models.IntegerChoices):
    """Where a breach stands against its ICO deadline (the list's first column)."""

    OVERDUE = 0, _("Overdue")
    DUE_SOON = 1, _("Due within 24 hours")
    PENDING = 2, _("ICO decision or report pending")
    SETTLED = 3, _("Reported, or decided not to report")


def ico_pending_q() -> Q:
    """Breaches still on the ICO clock: not reported, and not decided against."""
    return Q(ico_notified_at__isnull=True) & ~Q(ico_decision=IcoDecision.NOT_REPORT)


def urgency_at(now: datetime.datetime) -> Case:
    """The ``Urgency`` of each breach at ``now``, as an expression (to
    annotate or to order by); ``Breach.urgency_at`` is the same rule in Python."""
    limit = now + datetime.timedelta(hours=DUE_SOON_HOURS)
    pending = ico_pending_q()
    return Case(
        When(pending & Q(report_due_at__lt=now), then=Value(Urgency.OVERDUE)),
        When(pending & Q(report_due_at__lte=limit), then=Value(Urgency.DUE_SOON)),
        When(pending, then=Value(Urgency.PENDING)),
        default=Value(Urgency.SETTLED),
        output_field=IntegerField(),
    )


class BreachQuerySet(SchoolScopedQuerySet):
    """Scoped by its school (SchoolScopedQuerySet)."""

    def ico_pending(self) -> BreachQuerySet:
        return self.filter(ico_pending_q())

    def overdue(self, now: datetime.datetime) -> BreachQuerySet:
        return self.ico_pending().filter(report_due_at__lt=now)

    def due_soon(self, now: datetime.datetime) -> BreachQuerySet:
        """Still on the clock and due within 24 hours (not yet overdue)."""
        limit = now + datetime.timedelta(hours=DUE_SOON_HOURS)
        return self.ico_pending().filter(report_due_at__gte=now, report_due_at__lte=limit)

    def with_urgency(self, now: datetime.datetime) -> BreachQuerySet:
        return self.annotate(urgency=urgency_at(now))

    # Every breach stays in the register (Art 33(5)).
    def delete(self):
        raise AppendOnlyError("A breach stays in the register: it is never deleted.")


class Breach(models.Model):
    """One suspected personal data breach, as reported by a member of staff
    and assessed by the DPO."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="breaches")
    # --- The report (any member of staff, in a minute) ---
    summary = models.TextField(
        _("what happened"),
        help_text=_("Plain facts: what went where, or what was lost or seen. No guesses needed."),
    )
    discovered_at = models.DateTimeField(
        _("when it was discovered"),
        help_text=_("When anyone at the school first knew: the 72 hours start here."),
    )
    occurred_at = models.DateTimeField(
        _("when it happened"), null=True, blank=True, help_text=_("If known.")
    )
    noticed_by = models.CharField(
        _("who noticed"), max_length=200, help_text=_("e.g. the class teacher, a parent")
    )
    data_involved = models.TextField(
        _("what data"), help_text=_("e.g. a class list with names and reading levels")
    )
    categories = models.JSONField(_("kinds of data"), default=list, blank=True)
    people_categories = models.JSONField(_("whose data"), default=list)
    pupils = models.ManyToManyField(
        Pupil, related_name="breaches", blank=True, verbose_name=_("pupils concerned")
    )
    people_affected = models.PositiveIntegerField(
        _("roughly how many people"), help_text=_("Your best estimate.")
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    report_due_at = models.DateTimeField(
        _("ICO report due"), help_text=_("72 hours after the school became aware (Art 33(1)).")
    )
    # --- The DPO's assessment ---
    likelihood = models.CharField(
        _("likelihood of harm"), max_length=10, choices=Likelihood.choices, blank=True
    )
    severity = models.CharField(
        _("severity of harm"), max_length=12, choices=Severity.choices, blank=True
    )
    risk = models.CharField(
        _("risk to people"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    likely_consequences = models.TextField(_("likely consequences"), blank=True)
    containment = models.TextField(_("what was done to contain it"), blank=True)
    ico_decision = models.CharField(
        _("ICO decision"), max_length=12, choices=IcoDecision.choices, blank=True
    )
    ico_reason = models.TextField(_("why (ICO decision)"), blank=True)
    tell_people = models.CharField(
        _("telling the people affected"),
        max_length=10,
        choices=TellPeopleDecision.choices,
        blank=True,
    )
    tell_people_by = models.DateField(_("tell them by"), null=True, blank=True)
    tell_people_reason = models.TextField(_("why (telling people)"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    # Set by record_breach_notification when the ICO is told: stops the clock.
    ico_notified_at = models.DateTimeField(_("ICO told at"), null=True, blank=True)

    objects = BreachQuerySet.as_manager()

    class Meta:
        ordering = ["report_due_at", "id"]
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        permissions = [
            (
                "assess_breach",
                _("Can assess breaches and record notifications to the ICO and families"),
            ),
        ]
        indexes = [models.Index(fields=["school", "report_due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ico_decision="") | ~Q(ico_reason=""),
                name="breach_ico_decision_says_why",
            ),
            models.CheckConstraint(
                condition=Q(tell_people="") | ~Q(tell_people_reason=""),
                name="breach_tell_people_says_why",
            ),
            models.CheckConstraint(
                condition=~Q(tell_people=TellPeopleDecision.TELL) | Q(tell_people_by__isnull=False),
                name="breach_telling_people_has_a_date",
            ),
            models.CheckConstraint(
                condition=Q(assessed_at__isnull=True)
                | (~Q(risk="") & ~Q(ico_decision="") & ~Q(tell_people="")),
                name="breach_assessment_is_complete",
            ),
        ]

    def __str__(self) -> str:
        if self.pk is None:
            return str(_("New breach report"))
        return str(_("Breach %(number)s") % {"number": self.reference})

    @property
    def reference(self) -> str:
        """A short reference staff can quote: B-<year>-<id>."""
        local = timezone.localtime(self.discovered_at) if self.discovered_at else None
        return f"B-{local:%Y}-{self.pk:04d}" if local and self.pk else "-"

    @property
    def is_assessed(self) -> bool:
        return self.assessed_at is not None

    @property
    def is_ico_pending(self) -> bool:
        return self.ico_notified_at is None and self.ico_decision != IcoDecision.NOT_REPORT

    def urgency_at(self, now: datetime.datetime) -> Urgency:
        """The same rule as ``BreachQuerySet.with_urgency``, for one breach."""
        if not self.is_ico_pending:
            return Urgency.SETTLED
        if self.report_due_at < now:
            return Urgency.OVERDUE
        if self.report_due_at <= now + datetime.timedelta(hours=DUE_SOON_HOURS):
            return Urgency.DUE_SOON
        return Urgency.PENDING

    def get_categories_display(self) -> str:
        labels = dict(DataCategory.choices)
        return ", ".join(str(labels.get(c, c)) for c in self.categories)

    def get_people_categories_display(self) -> str:
        labels = dict(PeopleCategory.choices)
        return ", ".join(str(labels.get(c, c)) for c in self.people_categories)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("A breach stays in the register: it is never deleted.")


class NotificationAudience(models.TextChoices):
    ICO = "ico", _("The ICO")
    FAMILIES = "families", _("The families affected")
    OTHERS = "others", _("Other people affected (e.g. staff)")


class NotificationMethod(models.TextChoices):
    ICO_FORM = "ico_form", _("ICO online breach report form")
    PHONE = "phone", _("Telephone")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person")


class BreachNotification(models.Model):
    """A notification made about a breach: to the ICO (Art 33) or to the
    people affected (Art 34). Append-only: a correction is a new record."""

    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="notifications")
    audience = models.CharField(
        _("who was told"), max_length=10, choices=NotificationAudience.choices
    )
    notified_at = models.DateTimeField(_("when"))
    method = models.CharField(_("how"), max_length=10, choices=NotificationMethod.choices)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("e.g. the ICO's case reference")
    )
    content = models.TextField(
        _("what was said"),
        help_text=_("For a letter: what happened, in words the families will understand."),
    )
    # Art 34(2): what a letter to the people affected must also say.
    likely_consequences = models.TextField(_("likely consequences"), blank=True)
    measures_taken = models.TextField(_("what the school has done"), blank=True)
    what_they_can_do = models.TextField(_("what they can do"), blank=True)
    delay_reason = models.TextField(
        _("reason for the delay"),
        blank=True,
        help_text=_("Needed when the ICO is told after the 72 hours (Art 33(1))."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["notified_at", "id"]
        verbose_name = _("breach notification")
        constraints = [
            models.CheckConstraint(condition=~Q(content=""), name="breach_notification_says_what"),
            models.CheckConstraint(
                condition=Q(audience=NotificationAudience.ICO)
                | (~Q(likely_consequences="") & ~Q(measures_taken="") & ~Q(what_they_can_do="")),
                name="breach_letter_has_art34_content",
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.notified_at) if self.notified_at else None
        return f"{self.get_audience_display()}, {when:%d %b %Y %H:%M}" if when else "-"

    def save(self, *args, **kwargs) -> None:
        # A guard, not a side effect: a notification made is never rewritten.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("A notification once recorded is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("A notification once recorded is never deleted.")

    @property
    def is_letter(self) -> bool:
        return self.audience != NotificationAudience.ICO
