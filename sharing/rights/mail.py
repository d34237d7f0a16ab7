"""Every e-mail the rights and complaints sub-domain sends: one small
function each, queued in the project's outbox (``pupils.outbox``) in the
caller's transaction: nothing goes out for a write that was rolled back, and
a mail server that is down only delays it.

E-mails to the DPO carry no personal data: a link to the staff site only,
and are always in English (the staff site's language), even when a family
wrote in Polish on the public form. E-mails to a family are in the language
of the page they used (docs/translations.md).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from pupils.models import EmailKind
from pupils.outbox import queue_email
from sharing.dates import long_date

from .models import Complaint, RightsRequest


def ico_right() -> str:
    """The right to complain to the ICO (UK GDPR Art 77), in every reply."""
    return _(
        "If you are unhappy with how the school has handled this, you have the right to "
        "complain to the Information Commissioner's Office (ICO), the UK regulator for data "
        "protection: https://ico.org.uk/make-a-complaint/ or telephone 0303 123 1113."
    )


def _staff_link(name: str, pk: int) -> str:
    return settings.PUBLIC_BASE_URL + reverse(f"admin:{name}", args=[pk])


@translation.override(settings.LANGUAGE_CODE)
def mail_dpo_new_rights_request(request: RightsRequest) -> None:
    subject = _("New rights request, due %(due)s") % {
        "due": long_date(request.due_on) if request.due_on else "-"
    }
    body = _(
        "A %(kind)s request was logged on %(received)s (%(channel)s).\n"
        "It is due on %(due)s.\n\nOpen it in the staff site: %(link)s\n"
    ) % {
        "kind": request.get_kind_display(),
        "received": long_date(request.received_on),
        "channel": request.get_channel_display(),
        "due": long_date(request.due_on) if request.due_on else "-",
        "link": _staff_link("sharing_rightsrequest_change", request.pk),
    }
    queue_email(
        kind=EmailKind.DPO_NOTICE,
        to=request.school.dpo_email,
        subject=subject,
        body=body,
        school_id=request.school_id,
    )


def mail_confirmation_link(
    *, email: str, school_id: int, school_name: str, link: str, expires: str
) -> None:
    subject = _("Please confirm your request to %(school)s") % {"school": school_name}
    body = _(
        "You made a request about your child's personal data on the website of %(school)s.\n\n"
        "To confirm that it was you, open this link and press the button: %(link)s\n"
        "The link works until %(expires)s.\n\n"
        "If you did not make this request, ignore this e-mail: nothing more will happen "
        "until the school has checked who asked.\n"
    ) % {"school": school_name, "link": link, "expires": expires}
    queue_email(
        kind=EmailKind.REQUEST_REPLY, to=email, subject=subject, body=body, school_id=school_id
    )


@translation.override(settings.LANGUAGE_CODE)
def mail_dpo_new_complaint(complaint: Complaint) -> None:
    subject = _("New data protection complaint, acknowledge by %(date)s") % {
        "date": long_date(complaint.acknowledge_by)
    }
    body = _(
        "A complaint was logged on %(received)s (%(channel)s).\n"
        "It must be acknowledged by %(date)s.\n\nOpen it in the staff site: %(link)s\n"
    ) % {
        "received": long_date(complaint.received_on),
        "channel": complaint.get_channel_display(),
        "date": long_date(complaint.acknowledge_by),
        "link": _staff_link("sharing_complaint_change", complaint.pk),
    }
    queue_email(
        kind=EmailKind.DPO_NOTICE,
        to=complaint.school.dpo_email,
        subject=subject,
        body=body,
        school_id=complaint.school_id,
    )


def mail_complaint_acknowledgement(complaint: Complaint) -> None:
    school = complaint.school
    subject = _("We have received your complaint - %(school)s") % {"school": school.name}
    body = _(
        "Dear %(name)s,\n\n"
        "Thank you for your complaint about how %(school)s handles personal data, which we "
        "received on %(received)s. Our Data Protection Officer, %(dpo)s, will look into it "
        "and tell you the outcome as soon as possible.\n\n"
        "You can reach the Data Protection Officer at %(dpo_email)s.\n\n%(ico)s\n"
    ) % {
        "name": complaint.complainant_name,
        "school": school.name,
        "received": long_date(complaint.received_on),
        "dpo": school.dpo_name,
        "dpo_email": school.dpo_email,
        "ico": ico_right(),
    }
    queue_email(
        kind=EmailKind.REQUEST_REPLY,
        to=complaint.complainant_email,
        subject=subject,
        body=body,
        school_id=complaint.school_id,
    )


def mail_complaint_outcome(complaint: Complaint) -> None:
    school = complaint.school
    subject = _("The outcome of your complaint - %(school)s") % {"school": school.name}
    body = _(
        "Dear %(name)s,\n\n"
        "You complained on %(received)s about how %(school)s handles personal data. "
        "This is the outcome:\n\n%(outcome)s\n\n%(ico)s\n"
    ) % {
        "name": complaint.complainant_name,
        "received": long_date(complaint.received_on),
        "school": school.name,
        "outcome": complaint.outcome,
        "ico": ico_right(),
    }
    queue_email(
        kind=EmailKind.REQUEST_REPLY,
        to=complaint.complainant_email,
        subject=subject,
        body=body,
        school_id=complaint.school_id,
    )
