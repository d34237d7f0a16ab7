"""Parents' consent-form links: issuing one, e-mailing it, and reading one back.

A link is a ``ConsentRequest`` row plus a signed token (``consent.tokens``)
that only the e-mail carries. Who gets a link and why is decided by
``consent.services``; this module only knows how a link works.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from providers.models import Provider
from pupils.audit import Actor, acting_user
from pupils.language import contact_language
from pupils.models import Contact, EmailKind, Pupil, School
from pupils.outbox import queue_email

from . import tokens
from .models import ConsentRequest, ConsentRequestReason, LinkPurpose


@dataclass(frozen=True)
class SentLink:
    consent_request: ConsentRequest
    url: str


def link_base_url(school: School) -> str:
    return f"https://{school.hostname}" if school.hostname else settings.PUBLIC_BASE_URL


def link_problem(signed: str) -> tuple[ConsentRequest | None, str | None]:
    """The request a link opens, or why it cannot: 'invalid', 'expired', 'replaced'."""
    try:
        digest = tokens.read(signed, LinkPurpose.CONSENT_FORM)
    except tokens.ExpiredToken:
        return None, "expired"
    except tokens.InvalidToken:
        return None, "invalid"
    consent_request = (
        ConsentRequest.objects.select_related("contact", "school")
        .filter(token_digest=digest, purpose=LinkPurpose.CONSENT_FORM)
        .first()
    )
    if consent_request is None:
        return None, "invalid"
    return consent_request, request_problem(consent_request)


def request_problem(consent_request: ConsentRequest) -> str | None:
    if consent_request.revoked_at is not None:
        return "replaced"
    if consent_request.expires_at <= timezone.now():
        return "expired"
    return None


def issue_link(*, contact: Contact, actor: Actor, reason: str, base_url: str | None) -> SentLink:
    """A new link for this contact; their older links stop working (only the
    newest link in the inbox opens the form, so a forwarded or leaked old
    e-mail cannot be used to change answers). Call inside a transaction."""
    now = timezone.now()
    ConsentRequest.objects.usable().filter(contact=contact).update(revoked_at=now)
    token = tokens.issue(LinkPurpose.CONSENT_FORM)
    consent_request = ConsentRequest.objects.create(
        school=contact.school,
        contact=contact,
        purpose=LinkPurpose.CONSENT_FORM,
        reason=reason,
        token_digest=token.digest,
        created_at=now,
        expires_at=now + tokens.link_lifetime(),
        sent_by=acting_user(actor),
    )
    base = base_url or link_base_url(contact.school)
    url = base + reverse("consent:open", args=[token.signed])
    return SentLink(consent_request, url)


def email_link(link: SentLink, questions: list[tuple[Provider, list[Pupil]]]) -> None:
    """Put the link's e-mail in the outbox (call inside the transaction that
    issued the link: the e-mail exists exactly when the link does).
    ``questions``: each purpose with the children it asks about; the e-mail
    says, child by child, what each is asked about."""
    consent_request = link.consent_request
    children = sorted(
        {child for _provider, asked in questions for child in asked},
        key=lambda child: (child.date_of_birth, child.pk),
    )
    per_child = [
        (child, [provider for provider, asked in questions if child in asked]) for child in children
    ]
    context = {
        "contact": consent_request.contact,
        "school": consent_request.school,
        "children": per_child,
        "url": link.url,
        "expires_on": timezone.localtime(consent_request.expires_at).date(),
        "reminder": consent_request.reason == ConsentRequestReason.REMINDER,
        "new_questions": consent_request.reason == ConsentRequestReason.NEW_QUESTIONS,
    }
    # In the contact's language (pupils.language), else the current one.
    language = contact_language(consent_request.contact, children) or translation.get_language()
    with translation.override(language):
        queue_email(
            kind=EmailKind.CONSENT_LINK,
            to=consent_request.contact.email,
            subject=_("%(school)s: please give your consent choices")
            % {"school": consent_request.school.name},
            body=render_to_string("consent/email/link.txt", context),
            school_id=consent_request.school_id,
        )
