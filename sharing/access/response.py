"""The response to an access request. Producing is not sending:

- ``render_response`` makes the PDF for one pupil and writes nothing. A
  final response is refused while the requester's identity is unchecked; a
  draft (watermarked "Draft - not for sending" on every page) is not.
- ``record_response_produced`` is called once the PDF has been handed over
  or fully written: an EXPORT entry in the trail, and for a final response
  an ``AccessResponse`` row with its fingerprint. Never a disclosure.
- ``record_response_sent`` records when, how and to whom the response went:
  that logs the disclosure to the requester, once per pupil of the request
  (calling it again changes nothing).

The staff site produces as a background job (``tasks.produce_response_job``):
``store_response_file`` records each PDF together with the file kept for
staff to download, in one transaction, so nothing is recorded for a file
that does not exist. ``produce_access_response`` renders and records in one
go, for callers that hand the bytes over themselves.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
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
from sharing.disclosures.services import fingerprint, log_disclosure

from .files import ResponseFile
from .models import AccessRequest, AccessResponse
from .record import AccessRecord, gather_access_record

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


class Rendered:
    """A rendered response: the PDF and what it carries."""

    def __init__(self, *, pdf: bytes, record: AccessRecord, draft: bool) -> None:
        self.pdf, self.record, self.draft = pdf, record, draft

    @property
    def categories(self) -> list[str]:
        found = {str(DataCategory.IDENTITY)}
        for section in self.record.sections:
            if section.rows:
                found.update(str(c) for c in _SECTION_CATEGORIES.get(section.key, []))
        return sorted(found)


def check_may_produce(*, request: AccessRequest, pupil: Pupil, draft: bool) -> None:
    """Raise ValidationError unless a response (or a draft) may be produced."""
    if not request.pupils.filter(pk=pupil.pk).exists():
        raise ValidationError(_("That pupil is not part of this request."))
    if not draft and not request.identity_check:
        raise ValidationError(
            _(
                "The requester's identity has not been checked: record the identity check "
                "before producing the response (a draft can be produced to read)."
            )
        )


def render_response(*, request: AccessRequest, pupil: Pupil, draft: bool = False) -> Rendered:
    """The PDF for one pupil of the request; writes nothing (no transaction
    is held open while WeasyPrint renders)."""
    from .pdf import render_access_response

    check_may_produce(request=request, pupil=pupil, draft=draft)
    record = gather_access_record(pupil.pk, request=request, draft=draft)
    return Rendered(pdf=render_access_response(record), record=record, draft=draft)


@transaction.atomic
def record_response_produced(
    *, actor: Actor, request: AccessRequest, pupil: Pupil, rendered: Rendered
) -> AccessResponse | None:
    """The PDF exists (handed over or fully written): an EXPORT entry in the
    trail, and for a final response its row (``None`` for a draft)."""
    check_may_produce(request=request, pupil=pupil, draft=rendered.draft)
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=request,
        pupil=pupil,
        school_id=pupil.school_id,
        summary=(
            "Subject access response draft produced (PDF), not for sending"
            if rendered.draft
            else "Subject access response produced (PDF)"
        ),
    )
    if rendered.draft:
        return None
    return AccessResponse.objects.create(
        request=request,
        pupil=pupil,
        produced_at=timezone.now(),
        produced_by=_label(actor)[:150],
        file_sha256=fingerprint(rendered.pdf),
        categories=rendered.categories,
    )


@transaction.atomic
def store_response_file(
    *, actor: Actor, request: AccessRequest, pupil: Pupil, rendered: Rendered, job=None
) -> ResponseFile:
    """Keep the rendered PDF for staff to download and record it as produced
    (``record_response_produced``), together: both or neither."""
    response = record_response_produced(
        actor=actor, request=request, pupil=pupil, rendered=rendered
    )
    return ResponseFile.objects.create(
        school_id=pupil.school_id,
        request=request,
        pupil=pupil,
        job=job,
        response=response,
        draft=rendered.draft,
        content=rendered.pdf,
        sha256=fingerprint(rendered.pdf),
        size=len(rendered.pdf),
    )


def produce_access_response(
    *, actor: Actor, request: AccessRequest, pupil: Pupil, draft: bool = False
) -> bytes:
    """Render and record at once (the caller hands the bytes over).

    Callers check the ``sharing.produce_access_response`` permission."""
    rendered = render_response(request=request, pupil=pupil, draft=draft)
    record_response_produced(actor=actor, request=request, pupil=pupil, rendered=rendered)
    return rendered.pdf


@transaction.atomic
def record_response_sent(
    *,
    actor: Actor,
    request: AccessRequest,
    pupil: Pupil,
    sent_on: datetime.date,
    method: str,
    sent_to: str,
    file_bytes: bytes | None = None,
) -> AccessResponse:
    """The response for ``pupil`` was sent: log the disclosure, once.

    The response sent is the last one produced, or the one whose file is
    given (``file_bytes``: its fingerprint must match a response produced
    for this request, never a draft). Recording it again returns the first
    record and logs nothing more."""
    already = (
        AccessResponse.objects.select_for_update()
        .filter(request=request, pupil=pupil, sent_on__isnull=False)
        .first()
    )
    if already is not None:
        return already
    check_may_produce(request=request, pupil=pupil, draft=False)
    response = _response_sent(request, pupil, file_bytes)
    if method not in SendMethod.values:
        raise ValidationError({"method": _("Choose how the response was sent.")})
    if not sent_to.strip():
        raise ValidationError({"sent_to": _("Say who it was sent to.")})
    if sent_on < request.received_on or sent_on > timezone.localdate():
        raise ValidationError(
            {"sent_on": _("The date it was sent must be between receipt and today.")}
        )
    response.disclosure = log_disclosure(
        actor=actor,
        school=pupil.school,
        recipient_type=RecipientType.REQUESTER,
        recipient_name=request.requester_name,
        gateway=LegalGateway.SUBJECT_ACCESS,
        dataset=Dataset.SUBJECT_ACCESS,
        pupils=[pupil],
        categories=response.categories,
        method=method,
        disclosed_at=_moment(sent_on),
        file_bytes=file_bytes,
        file_name=f"access-response-{pupil.upn}.pdf",
        notes=f"Access request {request.pk}; response SHA-256 {response.file_sha256}",
    )
    response.sent_on, response.sent_method, response.sent_to = sent_on, method, sent_to.strip()
    response.save(update_fields=["sent_on", "sent_method", "sent_to", "disclosure"])
    return response


def _response_sent(
    request: AccessRequest, pupil: Pupil, file_bytes: bytes | None
) -> AccessResponse:
    produced = AccessResponse.objects.select_for_update().filter(request=request, pupil=pupil)
    if file_bytes is not None:
        produced = produced.filter(file_sha256=fingerprint(file_bytes))
    response = produced.first()
    if response is None:
        raise ValidationError(
            _("That file is not a response produced for this request (a draft is never sent).")
            if file_bytes is not None
            else _("Produce the response before recording that it was sent.")
        )
    return response


def _moment(day: datetime.date) -> datetime.datetime:
    """The moment logged for a day: now if it is today, else noon that day."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _label(actor: Actor) -> str:
    user = audit.acting_user(actor)
    return user.get_username() if user is not None else str(actor or "system")
