"""Services of the disclosure log: every disclosure of pupil data goes
through ``log_disclosure``, which also writes one DISCLOSE entry per pupil to
the audit trail.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pupils import audit
from pupils.models import AuditAction, Pupil, School, TermName
from pupils.schoolyear import academic_year_of
from sharing.actor import Actor

from .census import default_census_date
from .models import (
    AD_HOC_GATEWAYS,
    CensusDate,
    DataCategory,
    Dataset,
    Disclosure,
    LegalGateway,
    RecipientType,
    SendMethod,
)

CENSUS_CATEGORIES = [
    DataCategory.IDENTITY,
    DataCategory.CONTACTS,
    DataCategory.ENROLMENT,
    DataCategory.ATTENDANCE,
    DataCategory.EXCLUSIONS,
    DataCategory.ETHNICITY,
    DataCategory.SEN,
]


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def census_date_for(*, school: School, academic_year: int, term: str) -> datetime.date:
    """The school's census day for a term: its own if set, else the DfE's usual one."""
    own = (
        CensusDate.objects.filter(school=school, academic_year=academic_year, term=term)
        .values_list("date", flat=True)
        .first()
    )
    return own or default_census_date(academic_year, term)


def validate_disclosure(disclosure: Disclosure, pupils: list[Pupil]) -> None:
    """Raise ValidationError (by field) unless the entry may be logged."""
    errors: dict[str, str] = {}
    if not pupils:
        errors["pupils"] = _("A disclosure includes at least one pupil.")
    elif any(p.school_id != disclosure.school_id for p in pupils):
        errors["pupils"] = _("Every pupil must belong to the school making the disclosure.")
    unknown = set(disclosure.categories) - set(DataCategory.values)
    if not disclosure.categories or unknown:
        errors["categories"] = _("Choose at least one category of data from the list.")
    if disclosure.gateway in AD_HOC_GATEWAYS:
        for name in ("requested_by", "request_reason", "approved_by"):
            if not getattr(disclosure, name).strip():
                errors[name] = _("An ad-hoc disclosure records who asked, why and who approved it.")
    if disclosure.gateway in (LegalGateway.CONSENT, LegalGateway.OTHER) and not (
        disclosure.basis_detail.strip()
    ):
        errors["basis_detail"] = _("Describe the consent or the basis relied on.")
    if disclosure.dataset == Dataset.CENSUS and not (
        disclosure.census_term and disclosure.census_date
    ):
        errors["census_term"] = _("A census return names its term and census day.")
    original = disclosure.corrects
    if original is not None:
        if original.school_id != disclosure.school_id:
            errors["corrects"] = _("A correction must refer to an entry of the same school.")
        elif Disclosure.objects.filter(corrects=original).exists():
            errors["corrects"] = _(
                "That entry has already been corrected: correct the correction instead."
            )
        if not disclosure.notes.strip():
            errors["notes"] = _("Say what the correction puts right.")
    if errors:
        raise ValidationError(errors)
    disclosure.full_clean(exclude=["pupils", "corrects"], validate_constraints=False)


@transaction.atomic
def log_disclosure(
    *,
    actor: Actor,
    school: School,
    recipient_type: RecipientType | str,
    recipient_name: str,
    gateway: LegalGateway | str,
    dataset: Dataset | str,
    pupils: Iterable[Pupil],
    categories: Iterable[str],
    method: SendMethod | str,
    disclosed_at: datetime.datetime | None = None,
    basis_detail: str = "",
    census_term: str = "",
    census_date: datetime.date | None = None,
    file_bytes: bytes | None = None,
    file_name: str = "",
    requested_by: str = "",
    request_reason: str = "",
    approved_by: str = "",
    notes: str = "",
    corrects: Disclosure | None = None,
) -> Disclosure:
    """Append one disclosure to the log (and one DISCLOSE trail entry per pupil).

    ``file_bytes`` is the file that was sent, if any: only its SHA-256
    fingerprint is kept. A correction is a new entry with ``corrects`` set.
    """
    pupils = list(pupils)
    disclosure = Disclosure(
        school=school,
        recipient_type=recipient_type,
        recipient_name=recipient_name.strip(),
        gateway=gateway,
        basis_detail=basis_detail.strip(),
        dataset=dataset,
        census_term=census_term,
        census_date=census_date,
        categories=list(dict.fromkeys(str(c) for c in categories)),
        disclosed_at=disclosed_at or timezone.now(),
        method=method,
        sent_by=audit.acting_user(actor),
        file_name=file_name[:200],
        file_sha256=fingerprint(file_bytes) if file_bytes is not None else "",
        requested_by=requested_by.strip(),
        request_reason=request_reason.strip(),
        approved_by=approved_by.strip(),
        notes=notes.strip(),
        corrects=corrects,
    )
    validate_disclosure(disclosure, pupils)
    disclosure.save(force_insert=True)
    disclosure.pupils.set(pupils)
    what = disclosure.get_dataset_display()
    # The trail outlives erasure, so it names an organisation but never a
    # person: a requester (the pupil or a parent) is named by their role.
    if disclosure.recipient_type == RecipientType.REQUESTER:
        to = str(RecipientType.REQUESTER.label)
    else:
        to = disclosure.recipient_name
    summary = f"{AuditAction.DISCLOSE.label}: {what} to {to}"
    audit.record_many(
        {
            "actor": actor,
            "action": AuditAction.DISCLOSE,
            "obj": disclosure,
            "pupil": pupil,
            "school_id": school.pk,
            "summary": summary,
            "fields": disclosure.categories,
        }
        for pupil in pupils
    )
    return disclosure


@transaction.atomic
def record_census_return(
    *,
    actor: Actor,
    school: School,
    term: TermName | str,
    census_date: datetime.date | None = None,
    academic_year: int | None = None,
    method: SendMethod | str = SendMethod.COLLECT,
    disclosed_at: datetime.datetime | None = None,
    file_bytes: bytes | None = None,
    file_name: str = "",
    notes: str = "",
) -> Disclosure:
    """Log a census return: every pupil on roll on census day is included,
    all in one transaction with its trail entries.

    Give ``census_date``, or ``academic_year`` to use the school's census day
    for that term (its own, or the DfE's usual one).
    """
    if term not in TermName.values:
        raise ValidationError({"term": _("Choose the autumn, spring or summer census.")})
    if census_date is None:
        if academic_year is None:
            raise ValidationError({"census_date": _("Give the census day or the academic year.")})
        census_date = census_date_for(school=school, academic_year=academic_year, term=term)
    on_roll = list(Pupil.objects.for_school(school).on_roll(on=census_date))
    if not on_roll:
        raise ValidationError(
            {"census_date": _("No pupil was on roll on that day: nothing to record.")}
        )
    year = academic_year_of(census_date)
    return log_disclosure(
        actor=actor,
        school=school,
        recipient_type=RecipientType.DFE,
        recipient_name=str(_("Department for Education")),
        gateway=LegalGateway.CENSUS,
        dataset=Dataset.CENSUS,
        pupils=on_roll,
        categories=CENSUS_CATEGORIES,
        method=method,
        disclosed_at=disclosed_at,
        census_term=term,
        census_date=census_date,
        file_bytes=file_bytes,
        file_name=file_name,
        notes=notes
        or _("%(term)s census %(start)d/%(end)02d")
        % {"term": TermName(term).label, "start": year, "end": (year + 1) % 100},
    )
