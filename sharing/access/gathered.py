"""Everything the school holds about one pupil, loaded for an access
request in a fixed number of queries whatever the size of the record
(``load``), and the shape of one section of the response (``Section``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

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

from .models import AccessRequest, RedactionDecision


@dataclass
class Section:
    key: str
    title: str
    purpose: str
    lawful_basis: str
    retention: str
    sources: list[str]
    columns: list[str] = field(default_factory=list)
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


# --- Loading --------------------------------------------------------------------


def load(
    pupil_id: int, *, request: AccessRequest | None = None, today: datetime.date | None = None
) -> Gathered:
    """Eleven queries (twelve with a request), whatever the record's size."""
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
            RedactionDecision.objects.filter(request=request).select_related("contact")
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
