"""Writes for consent: recording answers, sending consent requests and the
family form. (Enrolment never waits on the form: see docs/consent.md.)

Views, admin pages and the management command call these functions, so
every answer goes through the same checks and leaves the same audit trace.
How a link itself works (token, row, e-mail) is ``consent.links``; the reads
these share with the pages are ``consent.queries``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from providers.models import PrivacyNotice, Provider, PurposeKind
from pupils import audit
from pupils.audit import Actor
from pupils.language import contact_language
from pupils.models import (
    AuditAction,
    Contact,
    EmailKind,
    EnrolmentStatus,
    Pupil,
    PupilContact,
    School,
)
from pupils.outbox import queue_email

from . import links
from .models import (
    AGE_OF_DIGITAL_CONSENT,
    AskedQuestion,
    ConsentMethod,
    ConsentRecord,
    ConsentRequest,
    ConsentRequestReason,
)
from .queries import (
    contacts_to_email,
    family_pupils,
    family_questions,
    is_asked_about,
    latest_answers,
    providers_needing_consent,
    shown_to_contact,
    started,
    unasked_questions,
)

# --- Recording answers -----------------------------------------------------------


def validate_answer(
    *,
    actor: Actor,
    pupil: Pupil,
    provider: Provider,
    given_by_contact: Contact | None,
    by_pupil: bool,
    method: str,
    request: ConsentRequest | None,
    parental_responsibility: bool | None = None,
) -> None:
    """Every rule an answer must meet. ``parental_responsibility``: whether
    ``given_by_contact`` has it for ``pupil``, when the caller has already
    read it (a family's submission reads it for all its children at once)."""
    if provider.school_id != pupil.school_id:
        raise ValidationError(_("This cloud service belongs to another school."))
    if not provider.asks_consent:
        raise ValidationError(_("The school does not rely on consent for this cloud service."))
    if not is_asked_about(provider, pupil):
        raise ValidationError(
            _("%(service)s is not used in %(pupil)s's year group.")
            % {"service": provider.service, "pupil": pupil.full_name}
        )
    if (given_by_contact is None) == (not by_pupil):
        raise ValidationError(_("Say who answered: a parent or carer, or the pupil."))
    if given_by_contact is not None and parental_responsibility is None:
        parental_responsibility = PupilContact.objects.filter(
            pupil=pupil, contact=given_by_contact, parental_responsibility=True
        ).exists()
    if given_by_contact is not None and not parental_responsibility:
        raise ValidationError(
            _("%(contact)s does not have parental responsibility for %(pupil)s.")
            % {"contact": given_by_contact.full_name, "pupil": pupil.full_name}
        )
    if provider.kind == PurposeKind.BIOMETRIC:
        _validate_biometric_answer(by_pupil=by_pupil, method=method)
    elif by_pupil and pupil.age_on(timezone.localdate()) < AGE_OF_DIGITAL_CONSENT:
        raise ValidationError(
            _("A pupil can only answer for themself from the age of 13; ask a parent or carer.")
        )
    if method == ConsentMethod.ONLINE and request is None:
        raise ValidationError(_("An online answer must come through a consent link."))
    if method != ConsentMethod.ONLINE and not getattr(actor, "pk", None):
        raise ValidationError(_("A paper, telephone or e-mail answer needs the staff member."))


def _validate_biometric_answer(*, by_pupil: bool, method: str) -> None:
    # PoFA 2012 ss26-27: a parent consents or objects in writing; the pupil
    # may object or refuse at any age, in any way (staff record it). A
    # pupil's "yes" only takes back their own objection: it never counts as
    # consent (consent.queries.effective_answer).
    if by_pupil and method == ConsentMethod.ONLINE:
        raise ValidationError(_("Staff record a pupil's objection to biometrics."))
    if not by_pupil and method == ConsentMethod.PHONE:
        raise ValidationError(
            _(
                "A parent's consent or objection to biometrics must be in writing "
                "(the online form, a paper form or an e-mail), not by telephone."
            )
        )


@transaction.atomic
def record_consent(
    *,
    actor: Actor,
    pupil: Pupil,
    provider: Provider,
    given: bool,
    given_by_contact: Contact | None = None,
    by_pupil: bool = False,
    method: str,
    notice: PrivacyNotice | None = None,
    request: ConsentRequest | None = None,
) -> tuple[ConsentRecord, bool]:
    """Append an answer; returns (record, created).

    The pupil's row is locked first, so answers for one pupil are written one
    after another: two parents answering at once both land, in order, and
    exactly one is current. An answer identical to the current one (same
    answer, same person, same way) adds nothing: a form sent twice does not
    clutter the history."""
    validate_answer(
        actor=actor,
        pupil=pupil,
        provider=provider,
        given_by_contact=given_by_contact,
        by_pupil=by_pupil,
        method=method,
        request=request,
    )
    Pupil.objects.select_for_update().filter(pk=pupil.pk).values_list("pk", flat=True).first()
    latest = ConsentRecord.objects.filter(pupil=pupil, provider=provider).order_by("-seq").first()
    if _repeats(
        latest, given=given, given_by_contact=given_by_contact, by_pupil=by_pupil, method=method
    ):
        assert latest is not None  # _repeats says so
        return latest, False
    if notice is None:
        notice = PrivacyNotice.objects.current_for(pupil.school)
    record = _new_record(
        actor=actor,
        pupil=pupil,
        provider=provider,
        after=latest,
        given=given,
        given_by_contact=given_by_contact,
        by_pupil=by_pupil,
        method=method,
        notice=notice,
        request=request,
    )
    record.save(force_insert=True)
    audit.record(**_trail_entry(actor, record))
    return record, True


def _repeats(
    latest: ConsentRecord | None,
    *,
    given: bool,
    given_by_contact: Contact | None,
    by_pupil: bool,
    method: str,
) -> bool:
    """An answer identical to the current one (same answer, same person,
    same way) adds nothing: a form sent twice does not clutter the history."""
    return latest is not None and (
        latest.given == given
        and latest.given_by_contact_id == getattr(given_by_contact, "pk", None)
        and latest.by_pupil == by_pupil
        and latest.method == method
    )


def _new_record(
    *,
    actor: Actor,
    pupil: Pupil,
    provider: Provider,
    after: ConsentRecord | None,
    given: bool,
    given_by_contact: Contact | None,
    by_pupil: bool,
    method: str,
    notice: PrivacyNotice | None,
    request: ConsentRequest | None,
) -> ConsentRecord:
    """The next answer after ``after`` (the current one), checked, not saved."""
    record = ConsentRecord(
        pupil=pupil,
        provider=provider,
        seq=(after.seq + 1) if after else 1,
        given=given,
        given_by_contact=given_by_contact,
        by_pupil=by_pupil,
        method=method,
        recorded_by=audit.acting_user(actor),
        notice=notice,
        request=request,
        # Special category data on consent needs explicit consent (Art 9(2)(a));
        # the form says so (templates/consent/_purpose_facts.html).
        explicit=provider.receives_special_category_data,
    )
    # Rules were checked by validate_answer; the database constraints back them up.
    record.full_clean(
        exclude=["pupil", "provider", "notice", "request", "given_by_contact"],
        validate_constraints=False,
    )
    return record


def _trail_entry(actor: Actor, record: ConsentRecord) -> dict:
    verb = _("Consent given") if record.given else _("Consent refused")
    return {
        "actor": actor,
        "action": AuditAction.CONSENT,
        "obj": record,
        "pupil": record.pupil,
        "summary": f"{verb}: {record.provider.service} ({record.get_method_display()})",
        "fields": ["given"],
    }


# --- Sending consent requests ----------------------------------------------------


@transaction.atomic
def send_consent_requests(
    *,
    actor: Actor,
    pupils: Iterable[Pupil],
    reason: str = ConsentRequestReason.SENT_BY_STAFF,
    base_url: str | None = None,
) -> list[ConsentRequest]:
    """One e-mail per contact with parental responsibility and an e-mail
    address, covering all their children at the school.

    All or nothing: every link is issued and recorded in the trail, or none
    is (and no older link is revoked); the e-mails go once it is committed."""
    sent = [
        _send_one(contact=contact, actor=actor, reason=reason, base_url=base_url)
        for contact in contacts_to_email(pupils)
    ]
    return [s for s in sent if s is not None]


@transaction.atomic
def send_consent_request(
    *, actor: Actor, contact: Contact, reason: str = ConsentRequestReason.SENT_BY_STAFF
) -> ConsentRequest | None:
    """One family's e-mail on its own (the bulk-send job's step: each
    family is all or nothing, and progress shows between families)."""
    return _send_one(contact=contact, actor=actor, reason=reason, base_url=None)


def _send_one(
    *, contact: Contact, actor: Actor, reason: str, base_url: str | None
) -> ConsentRequest | None:
    # Runs inside the caller's transaction.
    questions = family_questions(
        list(family_pupils(contact)), list(providers_needing_consent(contact.school))
    )
    if not questions:
        return None  # nothing this family is asked about
    link = links.issue_link(contact=contact, actor=actor, reason=reason, base_url=base_url)
    # What this link asks, so the daily step (consent.scheduled) asks only
    # questions a family has never been asked.
    AskedQuestion.objects.bulk_create(
        AskedQuestion(request=link.consent_request, pupil=child, provider=provider)
        for provider, children in questions
        for child in children
    )
    audit.record(
        actor=actor,
        action=AuditAction.CONSENT,
        obj=link.consent_request,
        school_id=contact.school_id,
        summary=f"Consent form link sent ({link.consent_request.get_reason_display()})",
    )
    links.email_link(link, questions)  # to the outbox, in this transaction
    return link.consent_request


@transaction.atomic
def send_new_questions(*, actor: Actor, contact: Contact) -> ConsentRequest | None:
    """E-mail this family a link if one of their children has a question
    they were never asked (a new pupil, or a new year group: see
    ``queries.never_asked``); otherwise nothing. Safe to run twice: the
    contact's row is locked, and the link records what it asked."""
    Contact.objects.select_for_update().filter(pk=contact.pk).values_list("pk", flat=True).first()
    purposes = started(providers_needing_consent(contact.school))
    on_roll = family_pupils(contact).filter(enrolment_status=EnrolmentStatus.ON_ROLL)
    if not unasked_questions(on_roll, purposes):
        return None
    return _send_one(
        contact=contact, actor=actor, reason=ConsentRequestReason.NEW_QUESTIONS, base_url=None
    )


@transaction.atomic
def request_new_link(*, school: School, email: str, base_url: str | None = None) -> int:
    """Send a fresh link to every contact at the school with this address.
    The caller must answer the same way whatever this returns."""
    contacts = Contact.objects.filter(school=school, email__iexact=email.strip()).filter(
        Q(pupil_links__parental_responsibility=True)
    )
    sent = 0
    for contact in contacts.distinct():
        result = _send_one(
            contact=contact,
            actor=f"parent (contact {contact.pk})",
            reason=ConsentRequestReason.ASKED_BY_PARENT,
            base_url=base_url,
        )
        sent += result is not None
    return sent


# --- The family form -----------------------------------------------------------------


@transaction.atomic
def submit_family_answers(
    *,
    consent_request: ConsentRequest,
    answers: Mapping[tuple[int, int], bool],
    submission_key: str = "",
    whole_form: bool = False,
) -> list[ConsentRecord]:
    """Record a family's online answers (pupil id, provider id) -> given,
    all or nothing, and queue one receipt listing every current answer.

    A handful of queries whatever the number of answers: one lock over the
    family's children (which also checks parental responsibility for each),
    one read of the latest answers, one insert of the new ones, one batch of
    trail entries, one receipt. ``submission_key`` names one sending of the
    form: the same key again (a double click on Send, a browser's retry,
    also at the same moment) records nothing and sends no second receipt.
    ``whole_form``: the answers must be the family's whole form, every
    question it asks them (the online form's Send); otherwise, and when an
    answer is for a question not asked, ValidationError code "form_changed".

    Returns the records that changed something."""
    problem = links.request_problem(consent_request)
    if problem:
        raise ValidationError(_("This link no longer works."), code=problem)
    contact, school = consent_request.contact, consent_request.school
    pupils = _lock_family(contact)
    providers = {p.pk: p for p in providers_needing_consent(school)}
    for pupil_id, provider_id in answers:
        if (
            pupil_id not in pupils
            or provider_id not in providers
            or not is_asked_about(providers[provider_id], pupils[pupil_id])
        ):
            raise ValidationError(_("The form has changed: please start again."), "form_changed")
    family = sorted(pupils.values(), key=lambda child: (child.date_of_birth, child.pk))
    questions = family_questions(family, list(providers.values()))
    if whole_form and len(answers) != sum(len(children) for _p, children in questions):
        raise ValidationError(_("The form has changed: please start again."), "form_changed")
    if submission_key and not _claim_submission(consent_request, submission_key):
        return []  # this very form was sent already: its answers and receipt exist
    latest, own = latest_answers(contact, pupils.values())
    notice = PrivacyNotice.objects.current_for(school)
    actor = f"parent (contact {contact.pk})"
    created = []
    for (pupil_id, provider_id), given in sorted(answers.items()):
        pupil, provider = pupils[pupil_id], providers[provider_id]
        validate_answer(
            actor=actor,
            pupil=pupil,
            provider=provider,
            given_by_contact=contact,
            by_pupil=False,
            method=ConsentMethod.ONLINE,
            request=consent_request,
            parental_responsibility=True,  # _lock_family reads only those children
        )
        current = latest.get((pupil_id, provider_id))
        if _repeats(
            current,
            given=given,
            given_by_contact=contact,
            by_pupil=False,
            method=ConsentMethod.ONLINE,
        ):
            continue
        record = _new_record(
            actor=actor,
            pupil=pupil,
            provider=provider,
            after=current,
            given=given,
            given_by_contact=contact,
            by_pupil=False,
            method=ConsentMethod.ONLINE,
            notice=notice,
            request=consent_request,
        )
        latest[(pupil_id, provider_id)] = own[(pupil_id, provider_id)] = record
        created.append(record)
    ConsentRecord.objects.bulk_create(created)
    shown = shown_to_contact(latest, own, family, list(providers.values()))
    receipt = _receipt_context(contact, school, family, list(providers.values()), shown)
    _email_receipt(contact, receipt)  # to the outbox: mail being down cannot fail this
    # The trail last: its entries are chained under one lock for the whole
    # site (pupils.audit), held until this transaction commits, so nothing
    # else (the receipt's rendering) happens while other families wait on it.
    audit.record_many(_trail_entry(actor, record) for record in created)
    return created


def _lock_family(contact: Contact) -> dict[int, Pupil]:
    """The children this contact answers for, each row locked (in id order,
    so two parents of the same children queue rather than deadlock): answers
    for one pupil are written one after another, and exactly one is current."""
    children = family_pupils(contact).order_by().values("pk")
    locked = Pupil.objects.select_for_update().filter(pk__in=children).order_by("pk")
    return {pupil.pk: pupil for pupil in locked}


def _claim_submission(consent_request: ConsentRequest, key: str) -> bool:
    """True for the first sending of the form ``key`` names. The row's lock
    holds a second sending at the same moment until the first commits; it
    then finds the key already there."""
    claimed = (
        ConsentRequest.objects.filter(pk=consent_request.pk)
        .exclude(submission_key=key)
        .update(submission_key=key)
    )
    return claimed == 1


def _receipt_context(
    contact: Contact,
    school: School,
    pupils: list[Pupil],
    providers: list[Provider],
    current: Mapping[tuple[int, int], ConsentRecord],
) -> dict:
    rows = [
        {"provider": provider, "pupil": pupil, "record": current.get((pupil.pk, provider.pk))}
        for provider, children in family_questions(pupils, providers)
        for pupil in children
    ]
    return {"contact": contact, "school": school, "rows": rows}


def _email_receipt(contact: Contact, context: dict) -> None:
    # In the contact's language (pupils.language), else the page's.
    pupils = [row["pupil"] for row in context["rows"]]
    language = contact_language(contact, pupils) or translation.get_language()
    with translation.override(language):
        queue_email(
            kind=EmailKind.RECEIPT,
            to=contact.email,
            subject=_("%(school)s: your consent choices (receipt)")
            % {"school": context["school"].name},
            body=render_to_string("consent/email/receipt.txt", context),
            school_id=contact.school_id,
        )
