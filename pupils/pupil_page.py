"""The pupil's page in the staff site: the summary a person reads first,
the history shown read-only, and the hook other apps use to add a panel.

``PUPIL_PANELS`` is how an upper app (consent: answers per purpose) adds a
panel to the summary without ``pupils`` importing it: in its
``AppConfig.ready()`` it appends a callable ``(request, pupil) -> (title,
template, context)`` (or ``None`` to show nothing for this pupil or user).
The template is included with the context given; the callable must make a
fixed number of queries, whatever the pupil's record holds.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest

from . import history
from .admin_tools import may_see_special
from .models import AttendanceSummary, Ethnicity, PupilContact
from .models import Pupil as PupilModel

Panel = tuple[str, str, dict[str, Any]]
PanelSource = Callable[[HttpRequest, PupilModel], Panel | None]

#: Extra panels for the pupil's summary, added by upper apps in ready().
PUPIL_PANELS: list[PanelSource] = []

#: The query parameter that opens past records for correction.
CORRECT_PARAM = "correct"
CORRECT_VALUE = "past"
CHANGE_PUPIL = "pupils.change_pupil"


def may_correct_past(user) -> bool:
    return bool(user.has_perm(CHANGE_PUPIL))


def correcting_past(request: HttpRequest) -> bool:
    """Whether this request shows past records for correction: asked for
    (``?correct=past``) by someone allowed to change pupils."""
    asked = request.GET.get(CORRECT_PARAM) == CORRECT_VALUE
    return asked and may_correct_past(request.user)


def record_prefetches(user) -> list[str | Prefetch]:
    """Everything the page shows, one query per kind of record: the inline
    forms and the read-only history are both cut from these rows."""
    found: list[str | Prefetch] = [
        Prefetch("contact_links", queryset=PupilContact.objects.select_related("contact")),
        "attendance",
        "assessments",
        "exclusions",
    ]
    if may_see_special(user):
        found += ["sen_needs", "medical_conditions"]
    return found


def record_joins(user) -> list[str]:
    """The one-to-one records fetched with the pupil itself."""
    return ["school", "destination", *(["special"] if may_see_special(user) else [])]


#: Is this row history? One rule per kind of record (pupils/history.py).
def attendance_is_past(row, today: datetime.date) -> bool:
    return history.is_past_year(row.academic_year, today)


def assessment_is_past(row, today: datetime.date) -> bool:
    return history.is_past_year(row.academic_year, today)


def exclusion_is_past(row, today: datetime.date) -> bool:
    return history.exclusion_ended(row.start_date, row.sessions, today)


@dataclass
class AttendanceYear:
    academic_year: int
    terms: list[AttendanceSummary] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.academic_year}/{(self.academic_year + 1) % 100:02d}"

    @property
    def possible(self) -> int:
        return sum(t.possible_sessions for t in self.terms)

    @property
    def attended(self) -> int:
        return sum(t.attended_sessions for t in self.terms)

    @property
    def authorised(self) -> int:
        return sum(t.authorised_absences for t in self.terms)

    @property
    def unauthorised(self) -> int:
        return sum(t.unauthorised_absences for t in self.terms)

    @property
    def percent(self) -> str:
        return f"{100 * self.attended / self.possible:.1f}%" if self.possible else "–"


def attendance_by_year(rows: Iterable[AttendanceSummary]) -> list[AttendanceYear]:
    """Past attendance, a line per academic year, newest first."""
    years: dict[int, AttendanceYear] = {}
    for row in rows:
        years.setdefault(row.academic_year, AttendanceYear(row.academic_year)).terms.append(row)
    return sorted(years.values(), key=lambda y: -y.academic_year)


def year_label(academic_year: int) -> str:
    return f"{academic_year}/{(academic_year + 1) % 100:02d}"


def special_of(pupil: PupilModel):
    try:
        return pupil.special
    except PupilModel.special.RelatedObjectDoesNotExist:
        return None


def summary(request: HttpRequest, pupil: PupilModel, today: datetime.date) -> dict[str, Any]:
    """What the summary shows, from rows already fetched (no query of its own
    beyond the panels')."""
    attendance = list(pupil.attendance.all())
    assessments = list(pupil.assessments.all())
    exclusions = list(pupil.exclusions.all())
    context: dict[str, Any] = {
        "pupil": pupil,
        "age": pupil.age_on(today),
        "contacts": list(pupil.contact_links.all()),
        "past_attendance": attendance_by_year(
            r for r in attendance if attendance_is_past(r, today)
        ),
        "past_assessments": [
            (year_label(r.academic_year), r)
            for r in reversed(assessments)
            if assessment_is_past(r, today)
        ],
        "ended_exclusions": [r for r in exclusions if exclusion_is_past(r, today)],
        "correcting": correcting_past(request),
        "may_correct": may_correct_past(request.user),
        "correct_query": f"?{CORRECT_PARAM}={CORRECT_VALUE}",
        "panels": [p for p in (source(request, pupil) for source in PUPIL_PANELS) if p],
    }
    if may_see_special(request.user):
        special = special_of(pupil)
        context["special"] = {
            "sen_provision": special.get_sen_provision_display() if special else None,
            "ethnicity_recorded": bool(special and special.ethnicity != Ethnicity.NOBT),
            "medical_count": len(pupil.medical_conditions.all()),
            "sen_need_count": len(pupil.sen_needs.all()),
        }
    return context
