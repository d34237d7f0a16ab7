"""What is due for erasure on a day, and what holds it back: the dry run of
``manage.py retention`` and the DPO's "due for erasure" page.

A fixed number of queries whatever the number of pupils: one for the
schedules, one for the pupils (with what they still hold), one per
registered data check and hold check.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from ..models import (
    AssessmentResult,
    Destination,
    EnrolmentStatus,
    Ethnicity,
    Exclusion,
    LegalHold,
    MedicalCondition,
    Pupil,
    School,
    SenNeed,
    SenProvision,
    SpecialCategoryRecord,
)
from . import registry
from .rules import Kind, PupilFacts, due_dates, rule_for
from .schedule import Schedule, schedules_for


def long_date(day: datetime.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


@dataclass(frozen=True)
class DueItem:
    kind: Kind
    label: str
    since: datetime.date
    why: str
    rule: Kind  # the schedule row that set the date


@dataclass
class DuePupil:
    pupil_id: int
    school_id: int
    name: str
    upn: str
    items: list[DueItem]
    whole: bool  # every kind is due: the pupil and their contacts go too
    holds: list[str] = field(default_factory=list)
    failed_at: datetime.datetime | None = None  # the last run could not erase them

    @property
    def held(self) -> bool:
        return bool(self.holds)

    @property
    def since(self) -> datetime.date:
        return min(item.since for item in self.items)


def _exists(model, *where: Q) -> Exists:
    return Exists(model.objects.filter(*where, pupil=OuterRef("pk")))


def _candidates(as_of: datetime.date, schools: Iterable[School] | None):
    qs = Pupil.objects.filter(enrolment_status=EnrolmentStatus.LEFT, leaving_date__lte=as_of)
    if schools is not None:
        qs = qs.filter(school__in=schools)
    special = SpecialCategoryRecord
    record = (
        _exists(AssessmentResult)
        | _exists(Exclusion)
        | _exists(MedicalCondition)
        | _exists(special, ~Q(ethnicity=Ethnicity.NOBT))
    )
    sen = _exists(SenNeed) | _exists(special, ~Q(sen_provision=SenProvision.NONE))
    return qs.annotate(passed_on=_exists(Destination), has_record=record, has_sen=sen).only(
        *("id", "school_id", "upn", "legal_forename", "legal_surname"),
        *("preferred_forename", "preferred_surname", "date_of_birth", "leaving_date"),
    )


def _why(kind: Kind, rule: Kind, schedule: Schedule, pupil: Pupil) -> str:
    entry = schedule.entry(rule)
    if rule == Kind.PASSED_ON_RECORD:
        return _("%(rule)s (left %(date)s, next school recorded)") % {
            "rule": entry.period_text,
            "date": long_date(pupil.leaving_date),
        }
    if entry.anchor == "birth":
        return _("%(rule)s (born %(date)s)") % {
            "rule": entry.period_text,
            "date": long_date(pupil.date_of_birth),
        }
    return _("%(rule)s (left %(date)s)") % {
        "rule": entry.period_text,
        "date": long_date(pupil.leaving_date),
    }


def _label_kind(kind: Kind, rule: Kind) -> Kind:
    # A record passed on is named as such; other kinds keep their own name.
    return rule if kind == Kind.EDUCATIONAL_RECORD else kind


def _due_pupil(pupil, schedule: Schedule, holds_data: dict[Kind, bool], as_of) -> DuePupil | None:
    facts = PupilFacts(pupil.date_of_birth, pupil.leaving_date, pupil.passed_on)
    dates = due_dates(facts, schedule.periods())
    # The pupil's own row is the register entry: it goes when everything has.
    holds_data = {**holds_data, Kind.REGISTERS: True}
    held_kinds = [k for k in dates if holds_data.get(k)]
    due = [k for k in held_kinds if dates[k] <= as_of]
    if not due:
        return None
    items = [
        DueItem(
            kind=k,
            label=schedule.entry(_label_kind(k, rule_for(k, facts))).label,
            since=dates[k],
            why=_why(k, rule_for(k, facts), schedule, pupil),
            rule=rule_for(k, facts),
        )
        for k in due
    ]
    items.sort(key=lambda i: (i.since, i.kind))
    return DuePupil(
        pupil_id=pupil.pk,
        school_id=pupil.school_id,
        name=pupil.full_name,
        upn=pupil.upn,
        items=items,
        whole=len(due) == len(held_kinds),
    )


def due_for_erasure(
    *, as_of: datetime.date, schools: Iterable[School] | None = None
) -> list[DuePupil]:
    """Every pupil with records due for erasure on ``as_of``, with what
    holds each back (a held pupil is listed, and never erased)."""
    pupils = list(_candidates(as_of, schools))
    if not pupils:
        return []
    schedules = schedules_for(School(pk=pk) for pk in {p.school_id for p in pupils})
    ids = [p.pk for p in pupils]
    with_consent = registry.registered_data(Kind.CONSENT, ids)
    listed = []
    for pupil in pupils:
        holds_data = {
            Kind.EDUCATIONAL_RECORD: pupil.has_record,
            Kind.SEN: pupil.has_sen,
            Kind.CONSENT: pupil.pk in with_consent,
        }
        entry = _due_pupil(pupil, schedules[pupil.school_id], holds_data, as_of)
        if entry is not None:
            listed.append(entry)
    _add_holds(listed)
    listed.sort(key=lambda d: (d.since, d.name, d.upn))
    return listed


def holds_on(pupil_ids: Iterable[int]) -> dict[int, list[str]]:
    """Why each of these pupils must be kept now (absent: nothing holds them)."""
    ids = list(pupil_ids)
    reasons: dict[int, list[str]] = {}
    for hold in LegalHold.objects.active().filter(pupil_id__in=ids):
        text = _("Legal hold: %(reason)s (placed %(date)s)") % {
            "reason": hold.get_reason_display(),
            "date": long_date(hold.placed_at.date()),
        }
        reasons.setdefault(hold.pupil_id, []).append(text)
    for pupil_id, more in registry.registered_holds(ids).items():
        reasons.setdefault(pupil_id, []).extend(more)
    return reasons


def _add_holds(listed: list[DuePupil]) -> None:
    reasons = holds_on(d.pupil_id for d in listed)
    for entry in listed:
        entry.holds = reasons.get(entry.pupil_id, [])
