"""The portable copy (UK GDPR Art 20): the data the family provided, as
JSON a machine can read. It holds only what came from the family:

- the requester's own contact details, when the requester is a contact of
  the pupil (another contact's details are theirs, never the requester's);
- the consent answers the requester gave;
- the pupil's details and records whose source is the parent
  (``Source.PARENT``): the pupil's own details, medical conditions, SEN
  needs, ethnicity.

What the school produced (assessments, attendance, exclusions) is not
portable: the family did not provide it.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.models import ConsentRecord
from pupils import audit
from pupils.models import AuditAction, Pupil, Source
from sharing.actor import Actor

from .models import RightKind, RightsRequest

FORMAT = "school-pupil-data-portability/1"


def _pupil_details(pupil: Pupil) -> dict | None:
    if pupil.source != Source.PARENT:
        return None
    return {
        "legal_forename": pupil.legal_forename,
        "middle_names": pupil.middle_names,
        "legal_surname": pupil.legal_surname,
        "preferred_forename": pupil.preferred_forename,
        "preferred_surname": pupil.preferred_surname,
        "date_of_birth": pupil.date_of_birth.isoformat(),
        "sex": pupil.sex,
        "address_line1": pupil.address_line1,
        "address_line2": pupil.address_line2,
        "town": pupil.town,
        "postcode": pupil.postcode,
        "first_language": pupil.first_language,
    }


def _contact_details(request: RightsRequest, pupil: Pupil) -> dict | None:
    contact = request.requester_contact
    if contact is None or not contact.pupil_links.filter(pupil=pupil).exists():
        return None
    return {
        "title": contact.title,
        "forename": contact.forename,
        "surname": contact.surname,
        "email": contact.email,
        "phone_mobile": contact.phone_mobile,
        "phone_home": contact.phone_home,
        "phone_work": contact.phone_work,
        "address_line1": contact.address_line1,
        "address_line2": contact.address_line2,
        "town": contact.town,
        "postcode": contact.postcode,
    }


def _consent_answers(request: RightsRequest, pupil: Pupil) -> list[dict]:
    if request.requester_contact_id is None:
        return []
    answers = (
        ConsentRecord.objects.for_pupil(pupil)
        .filter(given_by_contact_id=request.requester_contact_id)
        .select_related("provider")
        .order_by("at", "seq")
    )
    return [
        {
            "service": a.provider.service,
            "provider": a.provider.name,
            "answer": "yes" if a.given else "no",
            "given_at": a.at.isoformat(),
            "how": a.method,
        }
        for a in answers
    ]


def _parent_records(pupil: Pupil) -> dict:
    special = getattr(pupil, "special", None)
    return {
        "medical_conditions": [
            {
                "condition": m.condition,
                "medication": m.medication,
                "individual_healthcare_plan": m.has_care_plan,
            }
            for m in pupil.medical_conditions.filter(source=Source.PARENT)
        ],
        "sen_needs": [
            {"need_type": n.need_type, "rank": n.rank}
            for n in pupil.sen_needs.filter(source=Source.PARENT)
        ],
        "ethnicity": special.ethnicity if special and special.source == Source.PARENT else None,
    }


def portable_data(request: RightsRequest, pupil: Pupil) -> dict:
    """The family-provided data of one pupil of the request (a read only)."""
    return {
        "format": FORMAT,
        "school": request.school.name,
        "produced_at": timezone.now().isoformat(timespec="seconds"),
        "pupil": _pupil_details(pupil),
        "requester_contact": _contact_details(request, pupil),
        "consent_answers": _consent_answers(request, pupil),
        "records_from_parent": _parent_records(pupil),
    }


@transaction.atomic
def export_portable_data(*, actor: Actor, request: RightsRequest, pupil: Pupil) -> bytes:
    """The portable copy of one pupil as UTF-8 JSON; the export is written
    to the trail (fields named, never values) and marked on the request."""
    if request.kind != RightKind.PORTABILITY:
        raise ValidationError(_("Only a portability request has a portable copy."))
    if not request.identity_check:
        raise ValidationError(_("Record the identity check before producing anything."))
    if not request.pupils.filter(pk=pupil.pk).exists():
        raise ValidationError(_("That pupil is not part of this request."))
    data = portable_data(request, pupil)
    request.exported_at = timezone.now()
    request.save(update_fields=["exported_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=request,
        pupil=pupil,
        school_id=request.school_id,
        summary="Rights request: portable copy produced",
        fields=[key for key, value in data.items() if value],
    )
    return json.dumps(data, indent=2, ensure_ascii=False).encode()
