"""The records a redaction decision can point at: every kind of record the
response prints about a pupil, how the response names one without revealing
it, and how staff pick one on the "Handle this request" page.

A decision stores the record's (content type, id); ``key`` gives the same
pair as text for a loaded object and for a decision, so the response can
match them without a query per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sharing.dates import long_date

from .gathered import Gathered, related_or_none

RecordKey = tuple[str, int]


@dataclass(frozen=True)
class Kind:
    group: Promise  # the heading of the group in the staff page's select
    noun: Promise  # how the response names one, without revealing it


# label_lower of each model -> its kind; the order is the select's order.
KINDS: dict[str, Kind] = {
    "pupils.pupilcontact": Kind(_("Contacts"), _("A contact's entry")),
    "pupils.assessmentresult": Kind(_("Assessment results"), _("An assessment result")),
    "pupils.attendancesummary": Kind(_("Attendance"), _("An attendance record")),
    "pupils.exclusion": Kind(_("Exclusions and suspensions"), _("An exclusion or suspension")),
    "pupils.specialcategoryrecord": Kind(
        _("Ethnicity and SEN provision"), _("The ethnicity and SEN provision record")
    ),
    "pupils.senneed": Kind(_("Special educational needs"), _("A special educational need")),
    "pupils.medicalcondition": Kind(_("Medical conditions"), _("A medical condition")),
    "pupils.destination": Kind(_("Destination"), _("The destination record")),
    "consent.consentrecord": Kind(_("Consent answers"), _("A consent answer")),
    "sharing.disclosure": Kind(_("Disclosures"), _("A disclosure")),
}


def key(obj: models.Model) -> RecordKey:
    return (obj._meta.label_lower, int(obj.pk))


def is_redactable(obj: object) -> bool:
    return isinstance(obj, models.Model) and obj._meta.label_lower in KINDS


def pupil_ids_of(obj: models.Model) -> set[int]:
    """The pupils a record is about (a disclosure may be about several)."""
    if obj._meta.label_lower == "sharing.disclosure":
        return set(obj.pupils.values_list("pk", flat=True))  # type: ignore[attr-defined]
    return {obj.pupil_id}  # type: ignore[attr-defined]


def noun(label_lower: str) -> str:
    kind = KINDS.get(label_lower)
    return str(kind.noun) if kind else str(_("A record"))


def records_of(g: Gathered) -> list[tuple[str, list[tuple[models.Model, str]]]]:
    """Every record of the pupil, grouped by kind, with a label for staff
    (staff see the content: they are deciding about it)."""
    special = related_or_none(g.pupil, "special")
    destination = related_or_none(g.pupil, "destination")
    groups: dict[str, list[tuple[models.Model, str]]] = {
        "pupils.pupilcontact": [
            (x, f"{x.contact} ({x.get_relationship_display()})") for x in g.contact_links
        ],
        "pupils.assessmentresult": [
            (a, f"{a.academic_year} {a.get_stage_display()} {a.subject}: {a.result}")
            for a in g.assessments
        ],
        "pupils.attendancesummary": [
            (a, f"{a.get_term_display()} {a.academic_year}") for a in g.attendance
        ],
        "pupils.exclusion": [
            (e, f"{long_date(e.start_date)}: {e.get_reason_display()}") for e in g.exclusions
        ],
        "pupils.specialcategoryrecord": _one(
            special,
            lambda s: f"{s.get_ethnicity_display()}; {s.get_sen_provision_display()}",
        ),
        "pupils.senneed": [(n, f"{n.get_need_type_display()} {n.notes}") for n in g.sen_needs],
        "pupils.medicalcondition": [(m, m.condition) for m in g.medical],
        "pupils.destination": _one(destination, lambda d: d.school_name),
        "consent.consentrecord": [
            (
                c,
                f"{c.provider.service}: {_yes_no(c.given)}, "
                f"{long_date(timezone.localtime(c.at).date())}",
            )
            for c in g.consents
        ],
        "sharing.disclosure": [
            (d, f"{long_date(timezone.localtime(d.disclosed_at).date())}: {d.recipient_name}")
            for d in g.disclosures
        ],
    }
    return [(str(KINDS[label].group), rows) for label, rows in groups.items() if rows]


def keys_of(g: Gathered) -> set[RecordKey]:
    return {key(obj) for _group, rows in records_of(g) for obj, _label in rows}


def _one(obj, label) -> list[tuple[models.Model, str]]:
    return [] if obj is None else [(obj, label(obj))]


def _yes_no(value: bool) -> str:
    return str(_("yes") if value else _("no"))


def objects_by_key(records: Iterable[tuple[str, list[tuple[models.Model, str]]]]) -> dict:
    return {key(obj): obj for _group, rows in records for obj, _label in rows}
