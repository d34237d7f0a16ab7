"""The response to an access request: the PDF for one pupil, produced from
the gathered record, audited, and logged as a disclosure to the requester."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pupils import audit
from pupils.models import AuditAction, Pupil
from sharing.actor import Actor
from sharing.disclosures.models import (
    DataCategory,
    Dataset,
    LegalGateway,
    RecipientType,
    SendMethod,
)
from sharing.disclosures.services import log_disclosure

from .models import AccessRequest, ArrivalChannel
from .record import AccessRecord, gather_access_record


def produce_access_response(*, actor: Actor, request: AccessRequest, pupil: Pupil) -> bytes:
    """The response PDF for one pupil of the request; the export is audited.

    Callers check the ``sharing.produce_access_response`` permission. No
    transaction is held open while WeasyPrint renders (it may take a while);
    the trail is written once the PDF exists.
    """
    from .pdf import render_access_response

    if not request.pupils.filter(pk=pupil.pk).exists():
        raise ValidationError(_("That pupil is not part of this request."))
    record = gather_access_record(pupil.pk, request=request)
    pdf = render_access_response(record)
    _record_response_produced(actor=actor, request=request, pupil=pupil, record=record, pdf=pdf)
    return pdf


# Which categories of the disclosure log each section of the response carries.
_SECTION_CATEGORIES = {
    "details": [DataCategory.IDENTITY, DataCategory.ENROLMENT],
    "contacts": [DataCategory.CONTACTS],
    "assessments": [DataCategory.ASSESSMENT],
    "attendance": [DataCategory.ATTENDANCE],
    "exclusions": [DataCategory.EXCLUSIONS],
    "sen": [DataCategory.ETHNICITY, DataCategory.SEN],
    "medical": [DataCategory.MEDICAL],
}
_REPLY_METHOD: dict[str, SendMethod] = {
    ArrivalChannel.LETTER: SendMethod.POST,
    ArrivalChannel.IN_PERSON: SendMethod.IN_PERSON,
}


@transaction.atomic
def _record_response_produced(
    *, actor: Actor, request: AccessRequest, pupil: Pupil, record: AccessRecord, pdf: bytes
) -> None:
    """The response is a disclosure to the requester: it goes in the log with
    the PDF's fingerprint (and so in the trail), beside the EXPORT entry."""
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=request,
        pupil=pupil,
        school_id=pupil.school_id,
        summary="Subject access response produced (PDF)",
    )
    categories = {DataCategory.IDENTITY}
    for section in record.sections:
        if section.rows:
            categories.update(_SECTION_CATEGORIES.get(section.key, []))
    log_disclosure(
        actor=actor,
        school=pupil.school,
        recipient_type=RecipientType.REQUESTER,
        recipient_name=request.requester_name,
        gateway=LegalGateway.SUBJECT_ACCESS,
        dataset=Dataset.SUBJECT_ACCESS,
        pupils=[pupil],
        categories=sorted(categories),
        method=_REPLY_METHOD.get(request.channel, SendMethod.SECURE_EMAIL),
        file_bytes=pdf,
        file_name=f"access-response-{pupil.upn}.pdf",
        notes=f"Access request {request.pk}",
    )
