"""The September roll-over: every pupil on roll moves up a year group.

``move_up_a_year`` is the one service (the staff page in
``pupils/admin_yeargroups.py`` and ``manage.py move_up_a_year`` call it):
one transaction, the school row locked, one UPDATE with a CASE for every
pupil who moves (N1 to N2, N2 to Reception, Reception to Year 1 ... Year 5
to Year 6), one trail entry per pupil moved (the field name only). Year 6 is
the last year of a primary: those pupils stay where they are and are listed
for the office to record their leaving (a leaving date and destination),
never marked as leavers here. Once per school and academic year, and only
for the academic year we are in (``pupils.schoolyear.academic_year_of``).

``plan_move_up`` is what the page shows before anyone confirms: the counts
per year group now and after the move, and the Year 6 pupils who stay.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Count, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .audit import Actor
from .models import AuditAction, NCYear, Pupil, School
from .schoolyear import academic_year_of, school_year_label

#: Each year group and the one its pupils move to. Year 6, the last year of
#: a primary, has none: its pupils stay until their leaving is recorded.
NEXT_YEAR_GROUP: dict[str, str] = {
    NCYear.N1: NCYear.N2,
    NCYear.N2: NCYear.R,
    NCYear.R: NCYear.Y1,
    NCYear.Y1: NCYear.Y2,
    NCYear.Y2: NCYear.Y3,
    NCYear.Y3: NCYear.Y4,
    NCYear.Y4: NCYear.Y5,
    NCYear.Y5: NCYear.Y6,
}
LAST_YEAR_GROUP = NCYear.Y6
TRAIL_SUMMARY = "Year group moved up (new school year)"


@dataclass(frozen=True)
class YearGroupCount:
    nc_year: str
    label: str
    now: int
    after: int


@dataclass(frozen=True)
class MoveUpPlan:
    """What a move up would do at ``school`` now (nothing is changed)."""

    school: School
    academic_year: int
    counts: list[YearGroupCount]
    moving: int
    staying: list[Pupil]
    #: The academic year's move was already done: the service would refuse.
    already_done: bool


@dataclass(frozen=True)
class MoveUpResult:
    school: School
    academic_year: int
    moved: int
    #: Still on roll in Year 6: record their leaving (date and destination).
    staying: list[Pupil]


def _on_roll(school: School):
    return Pupil.objects.for_school(school).on_roll()


def _staying(school: School) -> list[Pupil]:
    return list(
        _on_roll(school)
        .filter(nc_year=LAST_YEAR_GROUP)
        .order_by("legal_surname", "legal_forename", "pk")
        .only(
            "pk",
            "school_id",
            "upn",
            "legal_surname",
            "legal_forename",
            "preferred_surname",
            "preferred_forename",
        )
    )


def plan_move_up(*, school: School) -> MoveUpPlan:
    """The counts per year group before and after a move up now, and the
    Year 6 pupils who would stay (two queries)."""
    rows = _on_roll(school).values("nc_year").annotate(n=Count("pk")).order_by()
    now = {row["nc_year"]: row["n"] for row in rows}
    after: dict[str, int] = {LAST_YEAR_GROUP: now.get(LAST_YEAR_GROUP, 0)}
    for year, to in NEXT_YEAR_GROUP.items():
        after[to] = after.get(to, 0) + now.get(year, 0)
    academic_year = academic_year_of(timezone.localdate())
    return MoveUpPlan(
        school=school,
        academic_year=academic_year,
        counts=[
            YearGroupCount(value, str(label), now.get(value, 0), after.get(value, 0))
            for value, label in NCYear.choices
        ],
        moving=sum(now.get(year, 0) for year in NEXT_YEAR_GROUP),
        staying=_staying(school),
        already_done=school.year_groups_moved_for == academic_year,
    )


def check_academic_year(*, school: School, academic_year: int) -> None:
    """Refuse (ValidationError) a year other than the current one, or one
    already done at ``school``."""
    current = academic_year_of(timezone.localdate())
    if academic_year != current:
        raise ValidationError(
            _(
                "Pupils can only be moved up for the school year we are in (%(current)s), "
                "not %(asked)s."
            )
            % {"current": school_year_label(current), "asked": school_year_label(academic_year)},
            code="not_this_year",
        )
    if school.year_groups_moved_for == academic_year:
        raise ValidationError(
            _(
                "The pupils of this school were already moved up a year for %(year)s. "
                "Nothing was changed: correct a single pupil's year group on their record."
            )
            % {"year": school_year_label(academic_year)},
            code="already_done",
        )


def move_up_a_year(*, actor: Actor, school: School, academic_year: int) -> MoveUpResult:
    """Move every pupil on roll at ``school`` up a year group, once for
    ``academic_year`` (the current one). Year 6 stays and is returned."""
    with transaction.atomic():
        locked = School.objects.select_for_update().get(pk=school.pk)
        check_academic_year(school=locked, academic_year=academic_year)
        moving = list(
            _on_roll(locked)
            .filter(nc_year__in=list(NEXT_YEAR_GROUP))
            .select_for_update()
            .order_by("pk")
            .only("pk", "school_id")
        )
        ids = [pupil.pk for pupil in moving]
        staying = _staying(locked)  # before the move: Year 5 is about to join Year 6
        if ids:
            Pupil.objects.filter(pk__in=ids).update(
                nc_year=Case(
                    *[When(nc_year=year, then=Value(to)) for year, to in NEXT_YEAR_GROUP.items()],
                    default=F("nc_year"),
                    output_field=CharField(),
                ),
                updated_at=timezone.now(),
            )
        audit.record_many(
            {
                "actor": actor,
                "action": AuditAction.UPDATE,
                "obj": pupil,
                "summary": TRAIL_SUMMARY,
                "fields": ["nc_year"],
            }
            for pupil in moving
        )
        locked.year_groups_moved_for = academic_year
        locked.save(update_fields=["year_groups_moved_for"])
    school.year_groups_moved_for = academic_year
    return MoveUpResult(school=locked, academic_year=academic_year, moved=len(ids), staying=staying)
