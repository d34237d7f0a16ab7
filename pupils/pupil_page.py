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
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import Aggregate, F, OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import JSONArray
from django.http import HttpRequest

from . import history
from .admin_tools import may_see_special
from .models import (
    AssessmentResult,
    AttendanceSummary,
    Ethnicity,
    Exclusion,
    MedicalCondition,
    PupilContact,
    SenNeed,
)
from .models import Pupil as PupilModel
from .retention.views import ERASE_PERMISSION
from .schoolyear import school_year_label

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


class JSONRows(Aggregate):
    """The rows of a group as one JSON array of arrays, as text (SQLite's
    JSON_GROUP_ARRAY, PostgreSQL's JSON_AGG): a pupil's records of one kind
    read inside the query that reads the pupil."""

    function = "JSON_GROUP_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="JSON_AGG",
            template="%(function)s(%(expressions)s)::text",
            **extra_context,
        )


@dataclass(frozen=True)
class RecordKind:
    """A kind of record the page shows: the pupil's reverse accessor, its
    model, and a related row fetched with each (a contact with its link)."""

    accessor: str
    model: type[models.Model]
    related: str | None = None

    @property
    def related_model(self) -> type[models.Model]:
        assert self.related is not None
        other = self.model._meta.get_field(self.related).related_model
        assert isinstance(other, type) and issubclass(other, models.Model)
        return other

    def columns(self) -> list[tuple[str, models.Field]]:
        found = [(f.attname, f) for f in self.model._meta.concrete_fields]
        if self.related:
            found += [
                (f"{self.related}__{f.attname}", f)
                for f in self.related_model._meta.concrete_fields
            ]
        return found

    def rows_of(self) -> Subquery:
        fk = "pupil_id"
        rows = (
            self.model._default_manager.filter(**{fk: OuterRef("pk")})
            .order_by()
            .values(fk)
            .annotate(rows=JSONRows(JSONArray(*[F(name) for name, _ in self.columns()])))
            .values("rows")
        )
        return Subquery(rows, output_field=TextField())


RECORD_KINDS = (
    RecordKind("contact_links", PupilContact, related="contact"),
    RecordKind("attendance", AttendanceSummary),
    RecordKind("assessments", AssessmentResult),
    RecordKind("exclusions", Exclusion),
)
SPECIAL_KINDS = (
    RecordKind("sen_needs", SenNeed),
    RecordKind("medical_conditions", MedicalCondition),
)


def record_kinds(user) -> tuple[RecordKind, ...]:
    return RECORD_KINDS + (SPECIAL_KINDS if may_see_special(user) else ())


def _annotation(kind: RecordKind) -> str:
    return f"_rows_{kind.accessor}"


def with_records(queryset: QuerySet[PupilModel], user) -> QuerySet[PupilModel]:
    """The pupil with everything the page shows in one query: the one-to-one
    records joined, every other kind of record as a JSON array of its rows
    (``attach_records`` turns them back into model instances). The inline
    forms and the read-only history are both cut from these rows."""
    return queryset.select_related(*record_joins(user)).annotate(
        **{_annotation(kind): kind.rows_of() for kind in record_kinds(user)}
    )


def attach_records(pupil: PupilModel, user) -> PupilModel:
    """Give ``pupil`` its records from ``with_records``'s JSON, as if they had
    been prefetched: ``pupil.attendance.all()`` and the inline formsets read
    them without a query."""
    cache = pupil.__dict__.setdefault("_prefetched_objects_cache", {})
    for kind in record_kinds(user):
        rows = _instances(kind, json.loads(getattr(pupil, _annotation(kind)) or "[]"))
        for row in rows:
            row._state.fields_cache["pupil"] = pupil
        _sort_as_the_model_orders(rows, kind.model)
        queryset = getattr(pupil, kind.accessor).all()
        queryset._result_cache = rows
        queryset._prefetch_done = True
        cache[kind.accessor] = queryset
    return pupil


def _sort_as_the_model_orders(rows: list, model: type[models.Model]) -> None:
    """The order a prefetch would give (the model's ``Meta.ordering``):
    stable sorts, the last key first."""
    ordering = [name for name in model._meta.ordering or () if isinstance(name, str)]
    for name in reversed(ordering):
        attname = name.lstrip("-")

        def key(row, attname: str = attname) -> tuple:
            value = getattr(row, attname)
            return (value is not None, value)

        rows.sort(key=key, reverse=name.startswith("-"))


def _instances(kind: RecordKind, rows: list[list]) -> list:
    columns = kind.columns()
    own = len(kind.model._meta.concrete_fields)
    found = []
    for values in rows:
        converted = [
            _from_json(field, value) for (_, field), value in zip(columns, values, strict=True)
        ]
        row = kind.model.from_db("default", [n for n, _ in columns[:own]], converted[:own])
        if kind.related:
            names = [n.split("__", 1)[1] for n, _ in columns[own:]]
            row._state.fields_cache[kind.related] = kind.related_model.from_db(
                "default", names, converted[own:]
            )
        found.append(row)
    return found


def _from_json(field: models.Field, value):
    """A column's value as JSON gave it, as the model field holds it (dates
    come as text, booleans as 0/1 on SQLite, encrypted text still sealed)."""
    if value is None:
        return None
    if hasattr(field, "from_db_value"):
        return field.from_db_value(value, None, connection)
    if isinstance(field, models.DecimalField):  # 2.0 arrives as 2
        return field.to_python(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places))
    return field.to_python(value)


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
        return school_year_label(self.academic_year)

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
            (school_year_label(r.academic_year), r)
            for r in reversed(assessments)
            if assessment_is_past(r, today)
        ],
        "ended_exclusions": [r for r in exclusions if exclusion_is_past(r, today)],
        "correcting": correcting_past(request),
        "may_correct": may_correct_past(request.user),
        "correct_query": f"?{CORRECT_PARAM}={CORRECT_VALUE}",
        # A record is erased by the retention service, never deleted here.
        "may_erase": bool(request.user.has_perm(ERASE_PERMISSION)),
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
