"""CSV downloads: the one formula-safe rule, and the pupil list export.

Every CSV the staff site hands over goes through ``to_csv``: a cell starting
with = + - @ tab or CR gets a leading apostrophe, so a spreadsheet shows it
as text and never runs it. The rule lives here, at the bottom layer, so
``pupils`` can use it; ``consent`` and ``sharing`` import it from here.

``export_pupils`` is the "pupils, filtered" download of the pupil list: the
pupils the list shows with its current filters and search, with the columns
office staff see, plus special category columns only for those allowed to
see them. It writes one entry to the trail naming how many pupils and which
columns, never who.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from . import audit
from .models import AuditAction, Pupil

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: neutralise them."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    return out.getvalue()


# --- The pupil list, filtered ------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Pupil], object]
    field: str  # the field name written to the trail


def _date(value) -> str:
    return value.isoformat() if value else ""


#: What office staff see of every pupil on the list and the pupil's page.
#: Addresses and contacts stay on the pupil's page: a list hand-over rarely
#: needs them (data minimisation).
OFFICE_COLUMNS: tuple[Column, ...] = (
    Column("UPN", lambda p: p.upn, "upn"),
    Column("Legal surname", lambda p: p.legal_surname, "legal_surname"),
    Column("Legal forename", lambda p: p.legal_forename, "legal_forename"),
    Column("Preferred surname", lambda p: p.preferred_surname, "preferred_surname"),
    Column("Preferred forename", lambda p: p.preferred_forename, "preferred_forename"),
    Column("Date of birth", lambda p: _date(p.date_of_birth), "date_of_birth"),
    Column("Sex", lambda p: p.get_sex_display(), "sex"),
    Column("Year group", lambda p: p.get_nc_year_display(), "nc_year"),
    Column("Status", lambda p: p.get_enrolment_status_display(), "enrolment_status"),
    Column("Admission date", lambda p: _date(p.admission_date), "admission_date"),
    Column("Leaving date", lambda p: _date(p.leaving_date), "leaving_date"),
)


def _special(pupil: Pupil):
    try:
        return pupil.special
    except Pupil.special.RelatedObjectDoesNotExist:
        return None


def _ethnicity(pupil: Pupil) -> str:
    special = _special(pupil)
    return special.get_ethnicity_display() if special else ""


def _sen_provision(pupil: Pupil) -> str:
    special = _special(pupil)
    return special.get_sen_provision_display() if special else ""


#: Special category data (UK GDPR Art 9): only for those with the permission.
SPECIAL_COLUMNS: tuple[Column, ...] = (
    Column("Ethnicity", _ethnicity, "ethnicity"),
    Column("SEN provision", _sen_provision, "sen_provision"),
    Column(
        "SEN types of need",
        lambda p: "; ".join(n.get_need_type_display() for n in p.sen_needs.all()),
        "sen_needs",
    ),
    Column(
        "Medical conditions",
        lambda p: "; ".join(m.condition for m in p.medical_conditions.all()),
        "medical_conditions",
    ),
)


def pupil_columns(*, special: bool) -> tuple[Column, ...]:
    return OFFICE_COLUMNS + SPECIAL_COLUMNS if special else OFFICE_COLUMNS


def pupils_csv(pupils: QuerySet[Pupil], *, special: bool) -> tuple[str, int]:
    """The CSV of these pupils in their order, and how many rows it has.
    One query, three with special category columns, whatever the count."""
    if special:
        pupils = pupils.select_related("special").prefetch_related(
            "sen_needs", "medical_conditions"
        )
    columns = pupil_columns(special=special)
    rows = [[c.value(p) for c in columns] for p in pupils]
    return to_csv([c.header for c in columns], rows), len(rows)


def export_pupils(
    *,
    actor,
    pupils: QuerySet[Pupil],
    special: bool,
    school_id: int | None,
    narrowed_by: Sequence[str] = (),
) -> str:
    """The "pupils, filtered" download, written to the trail as an export:
    how many pupils, which columns and what the list was narrowed by (the
    filters' names, never a search term or a pupil's name). Special
    category columns also leave a "viewed special category data" entry."""
    with transaction.atomic():
        text, count = pupils_csv(pupils, special=special)
        how = f" (narrowed by {', '.join(narrowed_by)})" if narrowed_by else ""
        pupils_ = f"{count} pupil" if count == 1 else f"{count} pupils"
        entries = [
            {
                "actor": actor,
                "action": AuditAction.EXPORT,
                "school_id": school_id,
                "summary": f"Exported the pupil list as CSV: {pupils_}{how}",
                "fields": [c.field for c in pupil_columns(special=special)],
            }
        ]
        if special:
            entries.append(
                {
                    "actor": actor,
                    "action": AuditAction.VIEW_SPECIAL,
                    "school_id": school_id,
                    "summary": f"Exported special category data of {pupils_} (CSV)",
                    "fields": [c.field for c in SPECIAL_COLUMNS],
                }
            )
        audit.record_many(entries)
    return text
