"""Services of the breach register: every write goes through here, is
validated first and leaves a trace in the audit trail (``pupils.audit``),
field names only, never what happened.

- ``report_breach``: any member of staff, the moment they suspect one;
- ``assess_breach``: the DPO's assessment (risk, containment, the decisions
  to report to the ICO and to tell the people affected, with reasons);
- ``record_breach_notification``: the ICO or the families were told (append-only).

The law: docs/law.md, "Breaches".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pupils import audit
from pupils.models import AuditAction, EmailKind, Pupil, School
from pupils.outbox import queue_email
from sharing import deadlines
from sharing.actor import Actor
from sharing.disclosures.models import DataCategory

from . import risk
from .models import (
    Breach,
    BreachNotification,
    IcoDecision,
    NotificationAudience,
    PeopleCategory,
    RiskLevel,
    TellPeopleDecision,
)

# A clock a few minutes fast on a laptop is not "the future".
CLOCK_SKEW = datetime.timedelta(minutes=5)


def _trail(
    actor: Actor, breach: Breach, action: AuditAction, summary: str, fields: Iterable[str] = ()
) -> None:
    """One entry per pupil, so it shows on each pupil's own trail."""
    audit.record_for_pupils(actor=actor, action=action, obj=breach, summary=summary, fields=fields)


def _check_moment(moment: datetime.datetime, what: str) -> None:
    if timezone.is_naive(moment):
        raise ValidationError(_("%(what)s needs a time zone.") % {"what": what})
    if moment > timezone.now() + CLOCK_SKEW:
        raise ValidationError(_("%(what)s cannot be in the future.") % {"what": what})


# --- Reporting -----------------------------------------------------------------------


@transaction.atomic
def report_breach(
    *,
    actor: Actor,
    school: School,
    summary: str,
    discovered_at: datetime.datetime,
    noticed_by: str,
    data_involved: str,
    people_categories: Iterable[str],
    people_affected: int,
    categories: Iterable[str] = (),
    pupils: Iterable[Pupil] = (),
    occurred_at: datetime.datetime | None = None,
) -> Breach:
    """Put a suspected breach in the register; the DPO is e-mailed (nothing
    personal in the e-mail, only a link)."""
    pupils, people_categories, categories = list(pupils), list(people_categories), list(categories)
    errors: dict[str, str] = {}
    if not summary.strip():
        errors["summary"] = _("Say what happened.")
    if not noticed_by.strip():
        errors["noticed_by"] = _("Say who noticed.")
    if not data_involved.strip():
        errors["data_involved"] = _("Say what data was involved.")
    if not people_categories or set(people_categories) - set(PeopleCategory.values):
        errors["people_categories"] = _("Choose whose data it was.")
    if set(categories) - set(DataCategory.values):
        errors["categories"] = _("Choose the kinds of data from the list.")
    if people_affected < 1:
        errors["people_affected"] = _("At least one person is affected.")
    if any(p.school_id != school.pk for p in pupils):
        errors["pupils"] = _("Every pupil must be a pupil of this school.")
    if errors:
        raise ValidationError(errors)
    _check_moment(discovered_at, _("The time it was discovered"))
    if occurred_at is not None:
        _check_moment(occurred_at, _("The time it happened"))
        if occurred_at > discovered_at:
            raise ValidationError(
                {"occurred_at": _("It cannot have happened after it was discovered.")}
            )
    breach = Breach(
        school=school,
        summary=summary.strip(),
        discovered_at=discovered_at,
        occurred_at=occurred_at,
        noticed_by=noticed_by.strip(),
        data_involved=data_involved.strip(),
        categories=categories,
        people_categories=people_categories,
        people_affected=people_affected,
        reported_by=audit.acting_user(actor),
        report_due_at=deadlines.breach_report_due(discovered_at),
    )
    breach.full_clean(exclude=["pupils"])
    breach.save()
    breach.pupils.set(pupils)
    _trail(actor, breach, AuditAction.CREATE, "Suspected breach reported")
    _tell_dpo(breach)  # queued in the outbox, in this transaction
    return breach


def _tell_dpo(breach: Breach) -> None:
    path = settings.PUBLIC_BASE_URL + reverse("admin:sharing_breach_change", args=[breach.pk])
    due = timezone.localtime(breach.report_due_at)
    queue_email(
        kind=EmailKind.DPO_NOTICE,
        to=breach.school.dpo_email,
        school_id=breach.school_id,
        subject=_("Suspected data breach reported: the ICO deadline is %(due)s")
        % {"due": f"{due:%H:%M %d/%m/%Y}"},
        body=_(
            "A suspected personal data breach (%(ref)s) was reported.\n"
            "If it must be reported to the ICO, the 72 hours end at %(due)s.\n\n"
            "Assess it in the staff site: %(path)s\n"
        )
        % {"ref": breach.reference, "due": f"{due:%H:%M on %d/%m/%Y}", "path": path},
    )


# --- The DPO's assessment --------------------------------------------------------------


@transaction.atomic
def assess_breach(
    *,
    actor: Actor,
    breach: Breach,
    became_aware_at: datetime.datetime,
    likelihood: str,
    severity: str,
    likely_consequences: str,
    containment: str,
    ico_decision: str,
    ico_reason: str,
    tell_people: str,
    tell_people_reason: str,
    tell_people_by: datetime.date | None = None,
) -> Breach:
    """Record (or revise) the DPO's assessment. The risk comes from the
    likelihood and severity (``risk.risk_level``); a breach with any risk to
    people must be reported to the ICO (Art 33(1)). Correcting when the
    school became aware moves the deadline."""
    try:
        level = risk.risk_level(likelihood, severity)
    except ValueError:
        raise ValidationError(_("Choose the likelihood and the severity of harm.")) from None
    errors: dict[str, str] = {}
    if not containment.strip():
        errors["containment"] = _("Say what was done to contain it, or why nothing could be.")
    if not likely_consequences.strip():
        errors["likely_consequences"] = _("Say what the likely consequences are for people.")
    if ico_decision not in IcoDecision.values:
        errors["ico_decision"] = _("Decide whether to report it to the ICO.")
    elif not ico_reason.strip():
        errors["ico_reason"] = _("Say why (Art 33(5): the reasoning is part of the record).")
    elif ico_decision == IcoDecision.NOT_REPORT and level != RiskLevel.UNLIKELY:
        errors["ico_decision"] = _(
            "Your assessment finds a risk to people: the ICO must be told (Art 33(1))."
        )
    if tell_people not in TellPeopleDecision.values:
        errors["tell_people"] = _("Decide whether to tell the people affected.")
    elif not tell_people_reason.strip():
        errors["tell_people_reason"] = _("Say why.")
    elif tell_people == TellPeopleDecision.TELL and tell_people_by is None:
        errors["tell_people_by"] = _("Say by when they will be told.")
    if errors:
        raise ValidationError(errors)
    _check_moment(became_aware_at, _("The time the school became aware"))
    if breach.ico_notified_at and ico_decision == IcoDecision.NOT_REPORT:
        raise ValidationError({"ico_decision": _("The ICO has already been told.")})
    before = _assessment_values(breach)
    breach.discovered_at = became_aware_at
    breach.report_due_at = deadlines.breach_report_due(became_aware_at)
    breach.likelihood, breach.severity, breach.risk = likelihood, severity, level
    breach.likely_consequences = likely_consequences.strip()
    breach.containment = containment.strip()
    breach.ico_decision, breach.ico_reason = ico_decision, ico_reason.strip()
    breach.tell_people, breach.tell_people_reason = tell_people, tell_people_reason.strip()
    breach.tell_people_by = tell_people_by if tell_people == TellPeopleDecision.TELL else None
    breach.assessed_by = audit.acting_user(actor)
    breach.assessed_at = timezone.now()
    breach.full_clean(exclude=["pupils"])
    breach.save()
    changed = [name for name, value in _assessment_values(breach).items() if before[name] != value]
    _trail(actor, breach, AuditAction.UPDATE, "Breach assessed", fields=changed)
    return breach


ASSESSMENT_FIELDS = (
    "discovered_at",
    "likelihood",
    "severity",
    "risk",
    "likely_consequences",
    "containment",
    "ico_decision",
    "ico_reason",
    "tell_people",
    "tell_people_reason",
    "tell_people_by",
)


def _assessment_values(breach: Breach) -> dict[str, object]:
    return {name: getattr(breach, name) for name in ASSESSMENT_FIELDS}


# --- Notifications ------------------------------------------------------------------------


@transaction.atomic
def record_breach_notification(
    *,
    actor: Actor,
    breach: Breach,
    audience: str,
    notified_at: datetime.datetime,
    method: str,
    content: str,
    reference: str = "",
    likely_consequences: str = "",
    measures_taken: str = "",
    what_they_can_do: str = "",
    delay_reason: str = "",
) -> BreachNotification:
    """Record that the ICO (Art 33) or the people affected (Art 34) were
    told, when, how and what. Never changed afterwards. The first ICO
    notification stops the 72-hour clock."""
    if audience not in NotificationAudience.values:
        raise ValidationError({"audience": _("Choose who was told.")})
    if not content.strip():
        raise ValidationError({"content": _("Say what they were told.")})
    _check_moment(notified_at, _("The time they were told"))
    if notified_at < breach.discovered_at:
        raise ValidationError(
            {"notified_at": _("Nobody can be told before the school knew of the breach.")}
        )
    notification = BreachNotification(
        breach=breach,
        audience=audience,
        notified_at=notified_at,
        method=method,
        reference=reference.strip(),
        content=content.strip(),
        likely_consequences=likely_consequences.strip(),
        measures_taken=measures_taken.strip(),
        what_they_can_do=what_they_can_do.strip(),
        delay_reason=delay_reason.strip(),
        recorded_by=audit.acting_user(actor),
    )
    if audience == NotificationAudience.ICO:
        _check_ico_notification(breach, notification)
    else:
        _check_letter(notification)
    notification.full_clean()
    notification.save()
    if audience == NotificationAudience.ICO and breach.ico_notified_at is None:
        breach.ico_notified_at = notified_at
        breach.save(update_fields=["ico_notified_at"])
    summary = (
        "Breach reported to the ICO"
        if audience == NotificationAudience.ICO
        else "People affected by a breach told"
    )
    _trail(actor, breach, AuditAction.DISCLOSE, summary, fields=["notifications"])
    return notification


def _check_ico_notification(breach: Breach, notification: BreachNotification) -> None:
    if breach.ico_decision == IcoDecision.NOT_REPORT:
        raise ValidationError(
            {"audience": _("The assessment says not to report it: change the assessment first.")}
        )
    if notification.notified_at > breach.report_due_at and not notification.delay_reason:
        raise ValidationError(
            {
                "delay_reason": _(
                    "The ICO was told after the 72 hours: give the reasons for the delay "
                    "(Art 33(1))."
                )
            }
        )


def _check_letter(notification: BreachNotification) -> None:
    missing = {
        name: _("A letter to the people affected must say this (Art 34(2)).")
        for name in ("likely_consequences", "measures_taken", "what_they_can_do")
        if not getattr(notification, name)
    }
    if missing:
        raise ValidationError(missing)
