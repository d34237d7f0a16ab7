"""The permission matrix: every URL the project serves against every role.

Each route of ``project_urls()`` has exactly one expected outcome per role
("allowed", "login", "403", "404", or a status code such as "405"). A route
without a row fails ``test_every_route_has_a_row``, so a new page cannot slip
through unchecked; a row whose route is gone fails
``test_the_table_has_no_row_for_a_route_that_no_longer_exists``.

The expectations say what each role SHOULD get (least privilege):
- office staff keep day-to-day pupil and contact records and consents; no
  special category data pages, no provider management, no sharing beyond
  reading the disclosure log and logging subject access requests;
- the DPO does everything within the school's scope;
- superuser-only areas (users, groups, schools, staff profiles) are 403 for
  both roles;
- anonymous visitors and deactivated staff are sent to sign in on every staff
  page;
- the DPO of another school gets 404 on every object of this school.

Objects are built once per role (one test per role walks every route), all
in the ``school`` fixture, through the real services where there are some.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import timezone

from pupils import audit
from pupils.models import AuditAction, Pupil, StaffProfile
from pupils.retention.services import place_hold, set_retention_period
from pupils.roles import OFFICE_STAFF

from .access import outcome, project_urls
from .factories import (
    ContactFactory,
    InUseProviderFactory,
    PupilContactFactory,
    PupilFactory,
)

ROLES = ("anonymous", "office", "dpo", "other_school", "deactivated")
CTF = Path(__file__).parent / "sharing" / "fixtures" / "ctf_full.xml"

# --- The table ------------------------------------------------------------------
#
# Admin model pages: per model, the actions office staff and the DPO may use.
# "c" changelist, "a" add, "e" change (edit or read-only view), "d" delete,
# "h" history. Anything not listed is "403" for that role.
# ``None`` means superuser only: 403 for both roles (and, like every admin
# page, "login" for anonymous and deactivated users).
MODELS: dict[str, dict[str, str] | None] = {
    # Superuser-only: staff accounts and roles.
    "auth/user": None,
    "auth/group": None,
    # Staff see their own school; the DPO keeps its details (terms, closure
    # days) up to date. Adding or deleting a school is the superuser's.
    "pupils/school": {"office": "ceh", "dpo": "ceh"},
    # The DPO may see who works at the school, but a profile decides which
    # schools a user sees (trust-wide sees all), so only the superuser writes
    # one. (Bug fixed in pupils/admin.py: the DPO could make themselves
    # trust-wide.)
    "pupils/staffprofile": {"office": "", "dpo": "ceh"},
    # Day-to-day records. Nobody deletes a pupil here: the record is erased
    # by the retention service (the DPO's "due for erasure" page).
    "pupils/pupil": {"office": "caeh", "dpo": "caeh"},
    "pupils/contact": {"office": "caeh", "dpo": "caedh"},
    # The audit trail is read by the DPO only and never written in the admin.
    "pupils/auditevent": {"office": "", "dpo": "ceh"},
    # The DPO keeps the retention schedule and legal holds; neither is ever
    # deleted (a hold is released, a period changed).
    "pupils/retentionperiod": {"office": "", "dpo": "caeh"},
    "pupils/legalhold": {"office": "", "dpo": "caeh"},
    # Office staff may see which services are in use (parents ask); only the
    # DPO manages providers, assessments and notices.
    "providers/provider": {"office": "ceh", "dpo": "caeh"},
    # An assessment is started from its provider's page, not "add"; a
    # published assessment is kept as the record of the decision, never
    # deleted.
    "providers/riskassessment": {"office": "", "dpo": "ceh"},
    # DPIAs: the DPO's; a provider's started from the provider, one of the
    # school's own processing added here; signed off, never deleted.
    "providers/dpia": {"office": "", "dpo": "caeh"},
    # A new notice is drafted with the "draft" button (a POST), not "add".
    "providers/privacynotice": {"office": "ceh", "dpo": "ceh"},
    # The appropriate policy document: like the notice (drafted by a button).
    "providers/policydocument": {"office": "ceh", "dpo": "ceh"},
    # Consent answers are append-only: recorded, never changed or deleted.
    "consent/consentrecord": {"office": "caeh", "dpo": "caeh"},
    "consent/consentrequest": {"office": "ceh", "dpo": "ceh"},
    "consent/offlinearrangement": {"office": "caeh", "dpo": "caeh"},
    # Office staff log subject access requests and may read them; the DPO
    # handles them.
    "sharing/accessrequest": {"office": "caeh", "dpo": "caeh"},
    # The disclosure log is append-only; office staff read it.
    "sharing/disclosure": {"office": "ceh", "dpo": "caeh"},
    "sharing/censusdate": {"office": "ceh", "dpo": "caedh"},
    "sharing/ctfimportbatch": {"office": "", "dpo": "caeh"},
    # Any member of staff reports a breach and sees those they reported (the
    # matrix's breach was reported by the office user); only the DPO assesses.
    # Nobody deletes one (Art 33(5)).
    "sharing/breach": {"office": "caeh", "dpo": "caeh"},
    # The record of processing is the DPO's: versions are published from the
    # record's page (not "add") and kept for good; the DPO's own rows are
    # theirs to write.
    "sharing/processingrecordversion": {"office": "", "dpo": "ceh"},
    "sharing/processingnote": {"office": "", "dpo": "caedh"},
    # The e-mail outbox: the DPO watches it (never a body) and sends again;
    # rows are written only by the application.
    "pupils/outboxmessage": {"office": "", "dpo": "ceh"},
    # Background jobs: staff follow their school's jobs; the job's page is
    # its progress page (the change URL redirects there). Nobody adds,
    # edits or deletes a job in the admin.
    "pupils/job": {"office": "ceh", "dpo": "ceh"},
    # The raw task queue is for the superuser (operations).
    "django_tasks_database/dbtaskresult": None,
    # Any member of staff logs a rights request or a complaint and reads
    # them; only the DPO handles them. Neither is ever deleted.
    "sharing/rightsrequest": {"office": "caeh", "dpo": "caeh"},
    "sharing/complaint": {"office": "caeh", "dpo": "caeh"},
}
ACTIONS = {
    "": "c",
    "add/": "a",
    "<path:object_id>/change/": "e",
    "<path:object_id>/delete/": "d",
    "<path:object_id>/history/": "h",
}

A, L, F, N = "allowed", "login", "403", "404"

# Every other route: (anonymous, office, dpo, other_school, deactivated).
OTHER: dict[str, tuple[str, str, str, str, str]] = {
    # Sign-in page: open to all; a signed-in member of staff is sent on.
    "admin/login/": (A, A, A, A, A),
    # The code and set-up steps belong to a sign-in in progress (password
    # given, second factor not yet): without one they go back to sign-in.
    "admin/login/code/": (L, L, L, L, L),
    "admin/login/set-up/": (L, L, L, L, L),
    # Signing out is a POST: a GET is refused (405) without signing anybody
    # out; somebody not signed in (or deactivated, whose session has ended)
    # is simply sent to the admin index.
    "admin/logout/": (A, "405", "405", "405", A),
    "admin/": (L, A, A, A, L),
    "admin/password_change/": (L, A, A, A, L),
    "admin/password_change/done/": (L, A, A, A, L),
    # Django refuses an autocomplete query without its parameters with 403.
    "admin/autocomplete/": (L, F, F, F, L),
    "admin/jsi18n/": (L, A, A, A, L),
    # No model has a public page ("view on site").
    "admin/r/<path:content_type_id>/<path:object_id>/": (L, N, N, N, L),
    "admin/^(?P<app_label>auth|django_tasks_database|pupils|providers|consent|sharing)/$": (
        L,
        A,
        A,
        A,
        L,
    ),
    "admin/(?P<url>.*)$": (L, N, N, N, L),
    "admin/auth/user/<id>/password/": (L, F, F, F, L),
    # Custom admin pages.
    # Drafting is a POST only: a GET is 405 for every member of staff.
    "admin/providers/privacynotice/draft/": (L, "405", "405", "405", L),
    "admin/providers/policydocument/draft/": (L, "405", "405", "405", L),
    "admin/providers/privacynotice/<path:object_id>/preview/": (L, A, A, N, L),
    # The copy of a provider's contract: whoever may see the provider.
    "admin/providers/provider/<path:object_id>/contract/": (L, A, A, N, L),
    "admin/consent/consentrecord/overview/": (L, A, A, A, L),
    # Each member of staff sees their own school's class lists.
    "admin/consent/consentrecord/photographs/": (L, A, A, A, L),
    # The pupil list as CSV, with its filters: each school's own pupils.
    "admin/pupils/pupil/export.csv": (L, A, A, A, L),
    # Moving everyone up a year (GET shows it, changes nothing): whoever may
    # change pupils, at their own school.
    "admin/pupils/pupil/move-up/": (L, A, A, A, L),
    # What is due for erasure in the user's own schools: the DPO's.
    "admin/pupils/retentionperiod/due/": (L, F, A, A, L),
    "admin/consent/consentrecord/provider/<int:provider_id>/not-set-up/": (L, A, A, N, L),
    "admin/consent/consentrecord/provider/<int:provider_id>/offline/": (L, A, A, N, L),
    "admin/consent/consentrequest/send/": (L, A, A, A, L),
    "admin/pupils/job/<int:job_id>/progress/": (L, A, A, N, L),
    # Trying a failed job again is a POST: a GET is refused for everybody.
    "admin/pupils/job/<int:job_id>/retry/": (L, "405", "405", "405", L),
    "admin/sharing/disclosure/census/": (L, F, A, A, L),
    "admin/sharing/disclosure/pupil/<int:pupil_id>/": (L, A, A, N, L),
    "admin/sharing/disclosure/export.csv": (L, F, A, A, L),
    # The staff's workflows, each an explicit view of its own.
    "admin/sharing/ctfimportbatch/upload/": (L, F, A, A, L),
    "admin/sharing/ctfimportbatch/<path:object_id>/preview/": (L, F, A, N, L),
    "admin/sharing/ctfimportbatch/export/": (L, F, A, A, L),
    "admin/sharing/accessrequest/<path:object_id>/handle/": (L, F, A, N, L),
    "admin/sharing/accessrequest/<path:object_id>/sent/": (L, F, A, N, L),
    # A response PDF a job produced: only staff who may produce responses.
    "admin/sharing/accessrequest/<path:object_id>/file/<int:file_id>/": (L, F, A, N, L),
    "admin/sharing/breach/<path:object_id>/assess/": (L, F, A, N, L),
    # The record of processing: another school's DPO sees their own school's.
    "admin/sharing/processingrecordversion/record/": (L, F, A, A, L),
    "admin/sharing/processingrecordversion/record/csv/": (L, F, A, A, L),
    "admin/sharing/processingrecordversion/record/pdf/": (L, F, A, A, L),
    "admin/sharing/processingrecordversion/record/publish/": (L, "405", "405", "405", L),
    "admin/sharing/processingrecordversion/audit-pack/": (L, F, A, A, L),
    # The registers a DPO hands over, one CSV at a time: the DPO's.
    "admin/sharing/processingrecordversion/export/requests.csv": (L, F, A, A, L),
    "admin/sharing/processingrecordversion/export/disclosures.csv": (L, F, A, A, L),
    "admin/sharing/processingrecordversion/export/providers.csv": (L, F, A, A, L),
    "admin/sharing/processingrecordversion/export/breaches.csv": (L, F, A, A, L),
    "admin/sharing/processingrecordversion/export/dpias.csv": (L, F, A, A, L),
    "admin/sharing/processingrecordversion/export/contracts.csv": (L, F, A, A, L),
    # Every request by due date: whoever reads requests (their own schools').
    "admin/sharing/rightsrequest/due/": (L, A, A, A, L),
    "admin/sharing/processingrecordversion/<path:object_id>/csv/": (L, F, A, N, L),
    "admin/sharing/processingrecordversion/<path:object_id>/pdf/": (L, F, A, N, L),
    "admin/sharing/breach/<path:object_id>/notify/": (L, F, A, N, L),
    "admin/sharing/breach/<path:object_id>/notifications/<int:notification_id>/letter/": (
        L,
        F,
        A,
        N,
        L,
    ),
    "admin/sharing/rightsrequest/<path:object_id>/handle/": (L, F, A, N, L),
    "admin/sharing/rightsrequest/<path:object_id>/portable/": (L, F, A, N, L),
    "admin/sharing/complaint/<path:object_id>/acknowledge/": (L, F, A, N, L),
    "admin/sharing/complaint/<path:object_id>/outcome/": (L, F, A, N, L),
    # Public pages: the same for everybody. The walk follows project_urls(),
    # where the link comes before the form pages, so the visitor has opened a
    # real link first (without one, or with a forged one, see the test below).
    "consent/link/<str:token>/": (A, A, A, A, A),
    "consent/form/": (A, A, A, A, A),
    "consent/check/": (A, A, A, A, A),
    "consent/done/": (A, A, A, A, A),
    "consent/new-link/": (A, A, A, A, A),
    "consent/new-link/sent/": (A, A, A, A, A),
    "privacy/request": (A, A, A, A, A),
    "privacy/request/sent": (A, A, A, A, A),
    # A made-up confirmation link: "this link no longer works" (410).
    "privacy/request/confirm/<str:token>": ("410",) * 5,
    "privacy/complaint": (A, A, A, A, A),
    "privacy/complaint/sent": (A, A, A, A, A),
    "privacy": (A, A, A, A, A),
    "privacy/print": (A, A, A, A, A),
    "privacy/notice/<int:version>": (A, A, A, A, A),
    "privacy/providers.json": (A, A, A, A, A),
    "privacy/policy": (A, A, A, A, A),
    "privacy/policy/<int:version>": (A, A, A, A, A),
    # The language switcher: a cookie and a redirect back, for everybody.
    "language/<str:code>/": (A, A, A, A, A),
}


def model_rows() -> dict[str, tuple[str, ...]]:
    rows = {}
    for model, allowed in MODELS.items():
        for suffix, action in ACTIONS.items():
            rows[f"admin/{model}/{suffix}"] = _model_row(allowed, action, suffix)
        # The bare object URL only redirects to the change page.
        rows[f"admin/{model}/<path:object_id>/"] = (L, A, A, A, L)
    return rows


def _model_row(allowed, action: str, suffix: str) -> tuple[str, ...]:
    office = A if allowed and action in allowed["office"] else F
    dpo = A if allowed and action in allowed["dpo"] else F
    # Another school's DPO has the DPO's permissions but not this school:
    # every object of a school-scoped model is 404 to them.
    other = N if suffix.startswith("<path:object_id>") and allowed is not None else dpo
    return (L, office, dpo, other, L)


def expected_table() -> dict[str, tuple[str, ...]]:
    return {**model_rows(), **OTHER}


# --- The objects: one of every kind, in ``school`` ----------------------------------


@pytest.fixture
def world(school, dpo_user, office_user, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult, get_date_max

    from consent.models import OfflineArrangement
    from consent.services import record_consent, send_consent_requests
    from providers import services as provider_services
    from pupils.jobs import start_job
    from pupils.models import OutboxMessage
    from sharing.access.services import open_access_request, record_identity_check
    from sharing.breaches.services import record_breach_notification, report_breach
    from sharing.ctf.services import stage_ctf_import
    from sharing.disclosures.services import log_disclosure
    from sharing.models import (
        CensusDate,
        DataCategory,
        Dataset,
        LegalGateway,
        RecipientType,
        SendMethod,
    )
    from sharing.registers.models import ProcessingNote
    from sharing.registers.services import publish_processing_record
    from sharing.rights.complaints import log_complaint
    from sharing.rights.services import open_rights_request

    school.is_default = True
    school.la_code, school.estab_number, school.urn = "840", "2190", "114190"
    school.save()
    pupil = PupilFactory(school=school)
    contact = ContactFactory(school=school, email="parent@example.org")
    PupilContactFactory(pupil=pupil, contact=contact)
    provider = InUseProviderFactory(school=school)
    provider.contract_document = provider_services.contract_document_from(
        file_name="dpa.pdf", content=b"%PDF-1.4", school=school, actor=dpo_user
    )
    provider_services.save_provider(provider=provider, actor=dpo_user)
    assessment = provider_services.record_assessment(
        provider=provider, answers={}, decision="approve", actor=dpo_user, notes=""
    )
    dpia = provider_services.start_dpia(provider=provider, actor=dpo_user)
    policy_document = provider_services.publish_policy_document(
        document=provider_services.draft_policy_document(school=school, actor=dpo_user),
        actor=dpo_user,
    )
    notice = provider_services.publish_notice(
        notice=provider_services.draft_notice(school=school, actor=dpo_user), actor=dpo_user
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        consent_request = send_consent_requests(actor=office_user, pupils=[pupil])[0]
    link = re.search(r"https?://\S+(/consent/link/[^/\s]+/)", mail.outbox[-1].body).group(1)
    record, _ = record_consent(
        actor=office_user,
        pupil=pupil,
        provider=provider,
        given=True,
        given_by_contact=contact,
        method="paper",
        notice=notice,
    )
    arrangement = OfflineArrangement.objects.create(
        pupil=pupil, provider=provider, arranged_by=office_user
    )
    access_request = open_access_request(
        actor=office_user,
        school=school,
        pupils=[pupil],
        requester_name="Mrs Alex Parent",
        requester_relationship="parent",
        channel="email",
        received_at=timezone.now() - datetime.timedelta(days=1),
    )
    record_identity_check(
        actor=dpo_user, request=access_request, method="known", checked_on=timezone.localdate()
    )
    disclosure = log_disclosure(
        actor=dpo_user,
        school=school,
        recipient_type=RecipientType.ORGANISATION,
        recipient_name="Durham County Council Children's Services",
        gateway=LegalGateway.SAFEGUARDING,
        dataset=Dataset.AD_HOC,
        pupils=[pupil],
        categories=[DataCategory.IDENTITY],
        method=SendMethod.SECURE_EMAIL,
        requested_by="A. Social Worker",
        request_reason="Section 47 enquiry",
        approved_by="Head teacher",
    )
    census_date = CensusDate.objects.create(
        school=school, academic_year=2025, term="SPR", date=datetime.date(2026, 1, 22)
    )
    batch = stage_ctf_import(
        actor=dpo_user, school=school, data=CTF.read_bytes(), file_name="ctf_full.xml"
    )
    breach = report_breach(
        actor=office_user,
        school=school,
        summary="Class list sent to the wrong parent",
        discovered_at=timezone.now() - datetime.timedelta(hours=1),
        noticed_by="Class teacher",
        data_involved="Names",
        people_categories=["pupils"],
        people_affected=28,
        pupils=[pupil],
    )
    letter = record_breach_notification(
        actor=dpo_user,
        breach=breach,
        audience="families",
        notified_at=timezone.now(),
        method="letter",
        content="A class list went to the wrong parent.",
        likely_consequences="Little.",
        measures_taken="Deleted.",
        what_they_can_do="Nothing.",
    )
    note = ProcessingNote.objects.create(
        school=school, section="purposes", item="CCTV", detail="Site security."
    )
    record_version = publish_processing_record(actor=dpo_user, school=school)
    rights_request = open_rights_request(
        actor=office_user,
        school=school,
        kind="erasure",
        pupils=[pupil],
        requester_name="Mrs Alex Parent",
        requester_relationship="parent",
        channel="email",
        received_at=timezone.now() - datetime.timedelta(days=1),
        details="Delete the old phone number.",
    )
    complaint = log_complaint(
        actor=office_user,
        school=school,
        complainant_name="Mrs Alex Parent",
        complainant_email="parent@example.org",
        channel="email",
        received_at=timezone.now() - datetime.timedelta(days=1),
        summary="A photo was published after we said no.",
    )
    event = audit.record(
        actor=dpo_user, action=AuditAction.UPDATE, obj=pupil, summary="Matrix test entry"
    )
    period = set_retention_period(
        actor=dpo_user, school=school, kind="consent", amount=2, unit="years",
        reason="Governors' choice.", source="Governing body",
    )  # fmt: skip
    hold = place_hold(actor=dpo_user, pupil=pupil, reason="claim")
    objects = {
        "auth/user": office_user,
        "auth/group": Group.objects.get(name=OFFICE_STAFF),
        "pupils/school": school,
        "pupils/staffprofile": StaffProfile.objects.get(user=office_user),
        "pupils/pupil": pupil,
        "pupils/contact": contact,
        "pupils/auditevent": event,
        "pupils/retentionperiod": period,
        "pupils/legalhold": hold,
        "providers/provider": provider,
        "providers/riskassessment": assessment,
        "providers/dpia": dpia,
        "providers/policydocument": policy_document,
        "providers/privacynotice": notice,
        "consent/consentrecord": record,
        "consent/consentrequest": consent_request,
        "consent/offlinearrangement": arrangement,
        "sharing/accessrequest": access_request,
        "sharing/disclosure": disclosure,
        "sharing/censusdate": census_date,
        "sharing/ctfimportbatch": batch,
        "sharing/breach": breach,
        "sharing/processingrecordversion": record_version,
        "sharing/processingnote": note,
        "pupils/outboxmessage": OutboxMessage.objects.filter(school=school).first(),
        "pupils/job": start_job(
            actor=office_user,
            school=school,
            kind="matrix",
            title="Send consent requests",
            task_path="consent.tasks.send_consent_requests_job",
            arguments={},
        ),
        "django_tasks_database/dbtaskresult": DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="pupils.outbox.deliver_email",
            backend_name="default",
            run_after=get_date_max(),
        ),
        "sharing/rightsrequest": rights_request,
        "sharing/complaint": complaint,
    }
    from sharing.models import ResponseFile

    response_file = ResponseFile.objects.create(
        school=school,
        request=access_request,
        pupil=pupil,
        draft=True,
        content=b"%PDF-1.7 matrix",
        sha256="0" * 64,
        size=15,
    )
    return {
        "objects": objects,
        "response_file": response_file,
        "link": link,
        "pupil": pupil,
        "provider": provider,
        "breach_letter": letter,
    }


def url_for(route: str, world) -> str:
    """The route with real arguments from ``world``."""
    if route == "consent/link/<str:token>/":
        return world["link"]
    if route == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    if route.startswith("admin/^(?P<app_label>"):
        return "/admin/pupils/"
    model = next((m for m in MODELS if route.startswith(f"admin/{m}/")), None)
    obj = world["objects"].get(model)
    pupil, provider = world["pupil"], world["provider"]
    values = {
        "<path:object_id>": str(obj.pk) if obj else "",
        "<id>": str(obj.pk) if obj else "",
        "<int:provider_id>": str(provider.pk),
        "<int:notification_id>": str(world["breach_letter"].pk),
        "<int:pupil_id>": str(pupil.pk),
        "<str:code>": "pl",
        "<int:job_id>": str(world["objects"]["pupils/job"].pk),
        "<int:file_id>": str(world["response_file"].pk),
        "<str:token>": "not-a-real-link",
        "<int:version>": str(world["objects"]["providers/privacynotice"].version),
        "<path:content_type_id>": str(ContentType.objects.get_for_model(Pupil).pk),
    }
    if route.startswith("admin/r/"):
        values["<path:object_id>"] = str(pupil.pk)
    url = "/" + route
    for placeholder, value in values.items():
        url = url.replace(placeholder, value)
    assert "<" not in url, f"No argument for {route}"
    return url


# --- The tests ---------------------------------------------------------------------


def test_every_route_has_a_row():
    missing = [route for route, _ in project_urls() if route not in expected_table()]
    assert missing == []


def test_the_table_has_no_row_for_a_route_that_no_longer_exists():
    routes = {route for route, _ in project_urls()}
    assert [route for route in expected_table() if route not in routes] == []


CLIENTS = {
    "anonymous": "client",
    "office": "office_client",
    "dpo": "dpo_client",
    "other_school": "other_school_client",
    "deactivated": "deactivated_client",
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_outcome_on_every_route(role, world, request):
    client = request.getfixturevalue(CLIENTS[role])
    table = expected_table()
    column = ROLES.index(role)
    wrong = []
    for route, _ in project_urls():
        got = outcome(client.get(url_for(route, world)))
        if got != table[route][column]:
            wrong.append(f"{route}: expected {table[route][column]}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_a_forged_consent_link_opens_nothing_and_the_form_needs_a_link(client, world):
    real = world["link"]
    forged = real[:-3] + ("AAA" if not real.endswith("AAA/") else "BBB") + "/"

    assert outcome(client.get(forged)) == "400"
    assert outcome(client.get("/consent/link/not-a-token/")) == "400"
    assert outcome(client.get("/consent/form/")) == "400"  # no link opened


# The response PDF is an admin action (a POST on the list) that starts a
# background job, so it has no GET route in the table above: each role
# tries it here.
PDF_OUTCOMES = {
    "anonymous": "login",
    "office": "no pdf",  # the action is the DPO's (produce_access_response)
    "dpo": "job",
    "other_school": "no pdf",  # this school's request is not in their list
    "deactivated": "login",
}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_schools_dpo_can_produce_the_response_pdf(role, world, request):
    client = request.getfixturevalue(CLIENTS[role])
    sar = world["objects"]["sharing/accessrequest"]

    response = client.post(
        "/admin/sharing/accessrequest/",
        {"action": "produce_response", "_selected_action": [sar.pk], "index": 0},
    )

    if response.status_code == 302 and "/admin/pupils/job/" in response["Location"]:
        got = "job"
    elif outcome(response) == "login":
        got = "login"
    else:
        got = "no pdf"
    assert got == PDF_OUTCOMES[role]
