"""Parents' consent form: no account, a personal link from an e-mail.

The token appears once, in the link's path. Opening it (GET) only puts the
consent request's id into the parent's own signed cookie
(``consent.family_session``: no server session, no staff session machinery)
and redirects to token-free pages, so the token never reaches a Referer
header or the pages' own URLs; nothing is written to the database on any
GET (mail scanners open links), and only the final Send writes answers.
Links that do not exist are rate-limited per client
(``pupils.ratelimit.POLICIES["consent-link:address"]``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pupils import ratelimit
from pupils.clientaddr import client_address
from pupils.hosts import school_for_request
from pupils.language import speak_contacts_language

from . import links, purposes, queries, services
from .family_session import FamilySession
from .forms import (
    NO,
    YES,
    FamilyConsentForm,
    NewLinkForm,
    checked_answers,
    field_name,
    saved_answers,
)
from .models import ConsentRequest

# What a parent's FamilySession holds (consent.family_session).
SESSION_REQUEST = "request"
SESSION_ANSWERS = "answers"
SESSION_DONE = "done"
# One key per sending of the form (services.submit_family_answers): quick
# clicks on Send carry the same key, so the answers and receipt happen once.
SESSION_SUBMISSION = "submission"
LINK_POLICY = "consent-link:address"

PROBLEM_STATUS = {
    "invalid": 400,
    "no_session": 400,
    "expired": 410,
    "replaced": 410,
    # Too many links that do not exist opened from this address (LINK_POLICY).
    "too_many": 429,
}


def _problem_page(
    request: HttpRequest, problem: str, consent_request: ConsentRequest | None = None
) -> HttpResponse:
    if consent_request is not None:
        speak_contacts_language(request, consent_request.contact)
    school = consent_request.school if consent_request else school_for_request(request)
    return render(
        request,
        "consent/link_problem.html",
        {"school": school, "problem": problem},
        status=PROBLEM_STATUS[problem],
    )


@never_cache
@require_http_methods(["GET", "HEAD"])
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    # Limits: pupils.ratelimit.POLICIES["consent-link:address"]. Only links
    # that do not exist count; once over the limit, no link opens from there.
    address = client_address(request)
    if ratelimit.exceeded(LINK_POLICY, address):
        return _problem_page(request, "too_many")
    consent_request, problem = links.link_problem(token)
    if problem == "invalid":
        ratelimit.hit(LINK_POLICY, address)
    if problem:
        return _problem_page(request, problem, consent_request)
    consent_request = _found(consent_request)
    family = FamilySession(request)
    family.start(consent_request.pk)
    response = redirect("consent:form")
    family.write(response)
    return response


def with_family_session(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pass the view the parent's FamilySession; send it back if it changed."""

    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        family = FamilySession(request)
        response = view(request, family)
        family.write(response)
        return response

    return wrapped


def _found(consent_request: ConsentRequest | None) -> ConsentRequest:
    """The request once no problem was named (a missing one is always named)."""
    if consent_request is None:
        raise Http404
    return consent_request


def _session_request(family: FamilySession) -> tuple[ConsentRequest | None, str | None]:
    request_id = family.get(SESSION_REQUEST)
    consent_request = (
        # [:1], not first(): no ORDER BY to build for a primary key.
        next(
            iter(
                ConsentRequest.objects.select_related("contact", "school").filter(pk=request_id)[:1]
            ),
            None,
        )
        if request_id
        else None
    )
    if consent_request is None:
        return None, "no_session"
    if consent_request.contact.school_id == consent_request.school_id:
        # The contact's school is the link's (family_pupils reads it): one
        # join and one School fewer.
        consent_request.contact.school = consent_request.school
    return consent_request, links.request_problem(consent_request)


# What the parents' pages show of a child and decide with: their names, year
# group (the questions), date of birth (the order) and first language (the
# page's language, pupils.language).
PUPIL_FIELDS = (
    "school_id",
    "legal_forename",
    "legal_surname",
    "preferred_forename",
    "preferred_surname",
    "date_of_birth",
    "nc_year",
    "first_language",
)


def _family(request: HttpRequest, consent_request: ConsentRequest):
    """The family's children, and the school's purposes (``consent.purposes``:
    kept per school and language), in the contact's language."""
    pupils = list(queries.family_pupils(consent_request.contact).only(*PUPIL_FIELDS))
    speak_contacts_language(request, consent_request.contact, pupils)
    return pupils, purposes.school_purposes(consent_request.school)


def _initial_from_current(contact, pupils, providers) -> dict[str, str]:
    current = queries.answers_for_family(contact, pupils, providers)
    return {
        field_name(pupil_id, provider_id): YES if record.given else NO
        for (pupil_id, provider_id), record in current.items()
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@with_family_session
def family_form(request: HttpRequest, family: FamilySession) -> HttpResponse:
    consent_request, problem = _session_request(family)
    if problem:
        return _problem_page(request, problem, consent_request)
    consent_request = _found(consent_request)
    pupils, providers = _family(request, consent_request)
    returning = False
    if request.method == "POST":
        form = FamilyConsentForm(request.POST, pupils=pupils, providers=providers)
        if form.is_valid():
            family[SESSION_ANSWERS] = {k: form.cleaned_data[k] for k in form.fields}
            family[SESSION_SUBMISSION] = secrets.token_urlsafe(16)
            family.pop(SESSION_DONE)
            return redirect("consent:check")
    else:
        initial = family.get(SESSION_ANSWERS)
        if not initial:
            initial = _initial_from_current(consent_request.contact, pupils, providers)
            returning = bool(initial)
        form = FamilyConsentForm(initial=initial, pupils=pupils, providers=providers)
    return render(
        request,
        "consent/form.html",
        {
            "school": consent_request.school,
            "consent_request": consent_request,
            "form": form,
            "pupils": pupils,
            "providers": providers,
            "returning": returning,
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@with_family_session
def check_answers(request: HttpRequest, family: FamilySession) -> HttpResponse:
    consent_request, problem = _session_request(family)
    if problem:
        return _problem_page(request, problem, consent_request)
    consent_request = _found(consent_request)
    if request.method == "POST":
        return _send(request, family, consent_request)
    pupils, providers = _family(request, consent_request)
    groups = checked_answers(family.get(SESSION_ANSWERS), pupils, providers)
    if groups is None:
        return _nothing_to_send(family)
    return render(
        request, "consent/check.html", {"school": consent_request.school, "groups": groups}
    )


def _nothing_to_send(family: FamilySession) -> HttpResponse:
    # Already sent (a second click on "Send") or nothing answered yet.
    return redirect("consent:done" if family.get(SESSION_DONE) else "consent:form")


def _send(
    request: HttpRequest, family: FamilySession, consent_request: ConsentRequest
) -> HttpResponse:
    """Send: the service reads and locks the family and checks the answers
    against its questions, so the page reads nothing of its own."""
    answers = saved_answers(family.get(SESSION_ANSWERS))
    if answers is None:
        return _nothing_to_send(family)
    speak_contacts_language(request, consent_request.contact)
    try:
        services.submit_family_answers(
            consent_request=consent_request,
            answers=answers,
            submission_key=family.get(SESSION_SUBMISSION, ""),
            whole_form=True,
        )
    except ValidationError as exc:
        if exc.code in PROBLEM_STATUS:
            return _problem_page(request, exc.code, consent_request)
        if exc.code == "form_changed":
            # The school changed the questions meanwhile: the form shows
            # them, with the answers given so far.
            return redirect("consent:form")
        raise
    family.pop(SESSION_ANSWERS)
    family.pop(SESSION_SUBMISSION)
    family[SESSION_DONE] = True
    return redirect("consent:done")


@never_cache
@require_http_methods(["GET", "HEAD"])
@with_family_session
def confirmation(request: HttpRequest, family: FamilySession) -> HttpResponse:
    consent_request, problem = _session_request(family)
    if problem:
        return _problem_page(request, problem, consent_request)
    consent_request = _found(consent_request)
    if not family.get(SESSION_DONE):
        return redirect("consent:form")
    pupils, providers = _family(request, consent_request)
    current = queries.answers_for_family(consent_request.contact, pupils, providers)
    groups = [
        {
            "provider": provider,
            "rows": [{"pupil": p, "record": current.get((p.pk, provider.pk))} for p in children],
        }
        for provider, children in queries.family_questions(pupils, providers)
    ]
    return render(
        request,
        "consent/done.html",
        {
            "school": consent_request.school,
            "consent_request": consent_request,
            "contact": consent_request.contact,
            "groups": groups,
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def new_link(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    form = NewLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        # Limits: pupils.ratelimit.POLICIES["consent-new-link:*"].
        allowed = ratelimit.hit(
            "consent-new-link:address", client_address(request)
        ) and ratelimit.hit("consent-new-link:email", f"{school.pk}:{email}")
        if allowed:
            base_url = request.build_absolute_uri("/").rstrip("/")
            services.request_new_link(school=school, email=email, base_url=base_url)
        # The same answer whether the address is known, unknown or rate-limited.
        return redirect("consent:new_link_sent")
    return render(request, "consent/new_link.html", {"school": school, "form": form})


@require_http_methods(["GET", "HEAD"])
def new_link_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consent/new_link_sent.html",
        {"school": school_for_request(request), "form_url": reverse("consent:new_link")},
    )
