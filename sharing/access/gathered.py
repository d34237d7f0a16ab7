"""Everything the school holds about one pupil, loaded for an access
request in a fixed number of queries whatever the size of the record
(``load``), and the shape of one section of the response (``Section``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone

from consent.models import ConsentRecord
from providers.models import Provider
from pupils.models import (
    AssessmentResult,
    AttendanceSummary,
    Exclusion,
    MedicalCondition,
    Pupil,
    PupilContact,
    School,
    SenNeed,
)
from sharing.disclosures.models import Disclosure

from .models import AccessRequest, RedactionDecision, RedactionOutcome

T = TypeVar("T")


@dataclass
class Section:
    key: str
    title: str
    purpose: str
    lawful_basis: str
    retention: str
    sources: list[str]
    columns: list[str] = field(default_factory=list)
    # Column widths in per cent (the PDF lays tables out fixed: faster, and a
    # narrow column is never squeezed by one long cell).
    widths: list[int] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty_text: str = ""


@dataclass
class Gathered:
    """The rows loaded for one pupil (and the request being answered)."""

    pupil: Pupil
    school: School
    request: AccessRequest | None
    contact_links: list[PupilContact]
    assessments: list[AssessmentResult]
    attendance: list[AttendanceSummary]
    exclusions: list[Exclusion]
    sen_needs: list[SenNeed]
    medical: list[MedicalCondition]
    providers: list[Provider]
    consents: list[ConsentRecord]
    disclosures: list[Disclosure]
    redactions: list[RedactionDecision]
    today: datetime.date

    @cached_property
    def record_outcomes(self) -> dict[tuple[str, int], str]:
        """(model label, id) -> the decision about that record."""
        return {
            (f"{d.record_type.app_label}.{d.record_type.model}", int(d.record_id)): d.outcome
            for d in self.redactions
            if d.record_type is not None and d.record_id is not None
        }

    def outcome_of(self, obj: models.Model | None) -> str | None:
        """The decision about this record (None when there is none)."""
        if obj is None or obj.pk is None:
            return None
        return self.record_outcomes.get((obj._meta.label_lower, int(obj.pk)))

    def withheld(self, obj: models.Model | None) -> bool:
        return self.outcome_of(obj) == RedactionOutcome.WITHHOLD

    def redacted(self, obj: models.Model | None) -> bool:
        return self.outcome_of(obj) == RedactionOutcome.REDACT

    def shown(self, objs: Iterable[T]) -> list[T]:
        """The records that are not withheld."""
        return [o for o in objs if not self.withheld(o)]  # type: ignore[arg-type]


# --- Loading --------------------------------------------------------------------


def load(
    pupil_id: int, *, request: AccessRequest | None = None, today: datetime.date | None = None
) -> Gathered:
    """Eleven queries (twelve with a request), whatever the record's size; the
    systems searched add one (``record.gather_access_record``)."""
    pupil = (
        Pupil.objects.select_related("school", "special", "destination")
        .prefetch_related(
            Prefetch(
                "contact_links",
                queryset=PupilContact.objects.select_related("contact").order_by("priority", "id"),
            ),
            "assessments",
            "attendance",
            "exclusions",
            "sen_needs",
            "medical_conditions",
        )
        .get(pk=pupil_id)
    )
    providers = list(Provider.objects.for_school(pupil.school).in_use().order_by("name"))
    consents = list(
        ConsentRecord.objects.for_pupil(pupil)
        .select_related("provider", "notice")
        .order_by("provider__service", "-seq")
    )
    disclosures = list(Disclosure.objects.for_pupil(pupil).order_by("-disclosed_at", "-id"))
    redactions = []
    if request is not None:
        redactions = list(
            RedactionDecision.objects.filter(request=request).select_related(
                "contact", "record_type"
            )
        )
    return Gathered(
        pupil=pupil,
        school=pupil.school,
        request=request,
        contact_links=list(pupil.contact_links.all()),
        assessments=list(pupil.assessments.all()),
        attendance=list(pupil.attendance.all()),
        exclusions=list(pupil.exclusions.all()),
        sen_needs=list(pupil.sen_needs.all()),
        medical=list(pupil.medical_conditions.all()),
        providers=providers,
        consents=consents,
        disclosures=disclosures,
        redactions=redactions,
        today=today or timezone.localdate(),
    )


def related_or_none(obj, name: str):
    try:
        return getattr(obj, name)
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist of a one-to-one
        return None
