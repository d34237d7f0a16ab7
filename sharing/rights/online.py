"""Requests and complaints made online, at /privacy/request and
/privacy/complaint: no account.

A request (a copy of the data, as a subject access request, or one of the
other rights) is logged at once, its clock running from receipt. When the
e-mail address given belongs to a contact with parental responsibility for
the pupil named (name and date of birth), a signed link that expires is
e-mailed to that address; following it records the identity check as "sent
from contact details the school holds". Otherwise the DPO checks identity.
Whatever the school holds, the family sees the same page: nothing here
tells the visitor whether an address or a pupil is known.

A complaint is logged and acknowledged at once (the acknowledgement, with
the right to complain to the ICO, goes to the address given).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core import signing
from django.db import transaction
from django.utils import timezone

from pupils.models import Pupil, PupilContact, School
from sharing import clocked
from sharing.access import services as access_services
from sharing.access.models import AccessRequest, ArrivalChannel
from sharing.clocked import IdentityCheck
from sharing.dates import long_date

from . import complaints, mail, services
from .models import RequestConfirmation, RightsRequest

# Who the trail names for what a visitor does on the public pages.
WEBSITE_ACTOR = "website form"
CONFIRMATION_DAYS = 7
_SALT = "sharing.rights.confirm"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _words(text: str) -> list[str]:
    return text.lower().split()


def find_pupil(school: School, name: str, born_on: datetime.date) -> Pupil | None:
    """The one pupil of the school with this date of birth whose legal or
    preferred forename and surname are the first and last words given."""
    words = _words(name)
    if len(words) < 2:
        return None
    first, last = words[0], words[-1]
    matches = [
        p
        for p in Pupil.objects.for_school(school).filter(date_of_birth=born_on)
        if first in {p.legal_forename.lower(), p.forename.lower()}
        and last in {p.legal_surname.lower(), p.surname.lower()}
    ]
    return matches[0] if len(matches) == 1 else None


def _parent_with_this_email(pupil: Pupil, email: str) -> PupilContact | None:
    return (
        PupilContact.objects.filter(
            pupil=pupil, parental_responsibility=True, contact__email__iexact=email
        )
        .select_related("contact")
        .first()
    )


#: The form's kind for a copy of the data: a subject access request
#: (``sharing.access``), not one of the other rights.
ACCESS = "access"


@transaction.atomic
def submit_online_request(
    *,
    school: School,
    kind: str,
    requester_name: str,
    email: str,
    relationship: str,
    pupil_name: str,
    pupil_born_on: datetime.date,
    details: str,
    base_url: str,
) -> RightsRequest | AccessRequest:
    """Log the request now; e-mail a confirmation link only to a contact
    the school holds with parental responsibility for the pupil named."""
    pupil = find_pupil(school, pupil_name, pupil_born_on)
    link = _parent_with_this_email(pupil, email) if pupil else None
    contact = link.contact if link else None
    pupils = [pupil] if pupil else []
    received_at = timezone.now()
    request: RightsRequest | AccessRequest
    if kind == ACCESS:
        request = access_services.open_access_request(
            actor=WEBSITE_ACTOR,
            school=school,
            pupils=pupils,
            requester_name=requester_name,
            requester_relationship=relationship,
            requester_contact=contact,
            requester_address=email,
            channel=ArrivalChannel.WEBSITE,
            received_at=received_at,
            details=_as_given(details, pupil_name, pupil_born_on),
            pupil_named=pupil_name,
        )
    else:
        request = services.open_rights_request(
            actor=WEBSITE_ACTOR,
            school=school,
            kind=kind,
            pupils=pupils,
            requester_name=requester_name,
            requester_relationship=relationship,
            requester_contact=contact,
            requester_email=email,
            channel=ArrivalChannel.WEBSITE,
            received_at=received_at,
            details=details,
            pupil_named=pupil_name,
            pupil_born_on=pupil_born_on,
        )
    if link is not None:
        _send_confirmation(request, link.contact, school, base_url)
    return request


def _as_given(details: str, pupil_name: str, born_on: datetime.date) -> str:
    # An access request keeps the pupil as the family named them in its
    # details, for the DPO to match (the request's pupils are set on its page).
    said = f"Pupil as named on the form: {pupil_name.strip()}, born {born_on:%d %B %Y}."
    return f"{details.strip()}\n\n{said}" if details.strip() else said


def _send_confirmation(
    request: RightsRequest | AccessRequest, contact, school: School, base_url: str
) -> None:
    raw = secrets.token_urlsafe(32)
    target = (
        {"access_request": request} if isinstance(request, AccessRequest) else {"request": request}
    )
    confirmation = RequestConfirmation.objects.create(
        **target,
        contact=contact,
        token_digest=_digest(raw),
        expires_at=timezone.now() + datetime.timedelta(days=CONFIRMATION_DAYS),
    )
    signed = signing.dumps(raw, salt=_SALT)
    mail.mail_confirmation_link(
        email=contact.email,
        school_id=school.pk,
        school_name=school.name,
        link=f"{base_url}/privacy/request/confirm/{signed}",
        expires=long_date(timezone.localdate(confirmation.expires_at)),
    )


def confirmation_for(signed: str) -> RequestConfirmation | None:
    """The unexpired, unused confirmation a link stands for, or None for a
    forged, expired or used link."""
    try:
        raw = signing.loads(signed, salt=_SALT, max_age=datetime.timedelta(days=CONFIRMATION_DAYS))
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(raw, str):
        return None
    return (
        RequestConfirmation.objects.select_related("request", "access_request")
        .filter(token_digest=_digest(raw), confirmed_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def confirm_online_request(*, signed: str) -> bool:
    """Record the identity check from the link (a POST, never on opening
    it: mail scanners open links). False when the link no longer works."""
    confirmation = confirmation_for(signed)
    if confirmation is None:
        return False
    confirmation = RequestConfirmation.objects.select_for_update().get(pk=confirmation.pk)
    if confirmation.confirmed_at is not None:
        return False
    confirmation.confirmed_at = timezone.now()
    confirmation.save(update_fields=["confirmed_at"])
    request = confirmation.confirmed_request
    if request.is_open and not request.identity_check:
        clocked.record_identity_check(
            actor=WEBSITE_ACTOR,
            clock=access_services.CLOCK if isinstance(request, AccessRequest) else services.CLOCK,
            request=request,
            method=IdentityCheck.REGISTERED_CONTACT,
            checked_on=timezone.localdate(),
            note="Confirmed by the link e-mailed to the contact's address on record.",
        )
    return True


@transaction.atomic
def submit_online_complaint(*, school: School, name: str, email: str, summary: str):
    """Log the complaint and acknowledge it at once, by e-mail."""
    complaint = complaints.log_complaint(
        actor=WEBSITE_ACTOR,
        school=school,
        complainant_name=name,
        complainant_email=email,
        channel=ArrivalChannel.WEBSITE,
        received_at=timezone.now(),
        summary=summary,
    )
    return complaints.acknowledge_complaint(
        actor=WEBSITE_ACTOR, complaint=complaint, acknowledged_on=complaint.received_on
    )
