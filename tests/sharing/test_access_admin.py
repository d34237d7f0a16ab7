"""The staff pages of subject access requests: logging, the list by due
date, handling, and who may produce the response PDF."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pupils.models import AuditAction, AuditEvent
from sharing.access import services
from sharing.models import (
    AccessRequest,
    AccessRequestStatus,
    IdentityCheck,
    PauseReason,
    RedactionGround,
    RedactionOutcome,
)

from ..factories import AccessRequestFactory, PupilContactFactory, PupilFactory

LIST = reverse("admin:sharing_accessrequest_changelist")
ADD = reverse("admin:sharing_accessrequest_add")


def change_url(request):
    return reverse("admin:sharing_accessrequest_change", args=[request.pk])


def days_from_today(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def make_request(school, *, due_in, **kwargs):
    pupil = PupilFactory(school=school)
    return AccessRequestFactory(
        school=school, pupils=[pupil], due_on=days_from_today(due_in), **kwargs
    )


def management_forms(count_pauses=0, count_redactions=0):
    return {
        "pauses-TOTAL_FORMS": count_pauses,
        "pauses-INITIAL_FORMS": count_pauses,
        "redactions-TOTAL_FORMS": count_redactions,
        "redactions-INITIAL_FORMS": count_redactions,
    }


def test_office_staff_can_log_a_request_and_the_dpo_is_emailed(
    office_client, office_user, school, django_capture_on_commit_callbacks
):
    pupil = PupilFactory(school=school)
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            ADD,
            {
                "school": school.pk,
                "pupils": [pupil.pk],
                "requester_name": "Mrs Alex Parent",
                "requester_relationship": "parent",
                "requester_address": "alex@family.example",
                "channel": "in_person",
                "received_at": "2026-11-20 15:10",
                "details": "Everything you hold about my daughter",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    request = AccessRequest.objects.get()
    assert request.logged_by == office_user
    assert list(request.pupils.all()) == [pupil]
    assert request.received_on == datetime.date(2026, 11, 20)
    assert request.due_on == datetime.date(2026, 12, 21)  # 20 December is a Sunday
    assert mail.outbox[0].to == [school.dpo_email]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, pupil=pupil).exists()


def test_logging_a_pupil_of_another_school_is_refused(office_client, school, other_school):
    stranger = PupilFactory(school=other_school)
    response = office_client.post(
        ADD,
        {
            "school": school.pk,
            "pupils": [stranger.pk],
            "requester_name": "Someone",
            "requester_relationship": "parent",
            "channel": "email",
            "received_at": "2026-11-20 15:10",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not AccessRequest.objects.exists()


def test_the_list_shows_open_requests_by_due_date_with_overdue_and_due_soon_marked(
    dpo_client, school
):
    answered = make_request(school, due_in=-30, requester_name="Answered Requester")
    AccessRequest.objects.filter(pk=answered.pk).update(
        status=AccessRequestStatus.ANSWERED, answered_on=answered.received_on
    )
    paused = make_request(school, due_in=1, requester_name="Paused Requester")
    AccessRequest.objects.filter(pk=paused.pk).update(
        status=AccessRequestStatus.PAUSED, due_on=None
    )
    later = make_request(school, due_in=20, requester_name="Later Requester")
    overdue = make_request(school, due_in=-3, requester_name="Overdue Requester")
    soon = make_request(school, due_in=2, requester_name="Soon Requester")

    html = dpo_client.get(LIST).content.decode()

    order = (overdue, soon, later, paused, answered)
    positions = [html.index(r.requester_name) for r in order]
    assert positions == sorted(positions)
    assert html.count('class="sar-overdue"') == 1
    assert html.count('class="sar-due-soon"') == 1


def test_the_urgency_filter_lists_overdue_and_due_soon_requests(dpo_client, school):
    make_request(school, due_in=30, requester_name="Later Requester")
    make_request(school, due_in=-1, requester_name="Overdue Requester")
    make_request(school, due_in=1, requester_name="Soon Requester")
    answered = make_request(school, due_in=-5, requester_name="Answered Requester")
    AccessRequest.objects.filter(pk=answered.pk).update(
        status=AccessRequestStatus.ANSWERED, answered_on=answered.received_on, due_on=None
    )

    overdue = dpo_client.get(LIST, {"urgency": "overdue"}).content.decode()
    assert "Overdue Requester" in overdue
    assert "Soon Requester" not in overdue and "Answered Requester" not in overdue
    soon = dpo_client.get(LIST, {"urgency": "soon"}).content.decode()
    assert "Soon Requester" in soon
    assert "Overdue Requester" not in soon and "Later Requester" not in soon


def count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_costs_the_same_queries_for_3_and_30_requests(dpo_client, school):
    for n in range(3):
        make_request(school, due_in=n)
    with_3 = count_list_queries(dpo_client)
    for n in range(27):
        make_request(school, due_in=n - 10)
    assert count_list_queries(dpo_client) == with_3 <= 12


def test_staff_of_another_school_neither_see_nor_open_a_request(other_school_client, school):
    request = make_request(school, due_in=5, requester_name="Hidden Requester")
    assert "Hidden Requester" not in other_school_client.get(LIST).content.decode()
    assert other_school_client.get(change_url(request)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, school):
    request = make_request(school, due_in=5)
    for url in (LIST, ADD, change_url(request)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def handle_url(request):
    return reverse("admin:sharing_accessrequest_handle", args=[request.pk])


def test_office_staff_cannot_handle_a_request(office_client, school):
    request = make_request(school, due_in=5)
    response = office_client.post(
        change_url(request),
        {
            "requester_name": "Changed",
            "requester_relationship": "parent",
            "channel": "email",
            **management_forms(),
        },
    )
    assert response.status_code == 403
    assert office_client.get(handle_url(request)).status_code == 403
    response = office_client.post(handle_url(request), {"pause_reason": PauseReason.IDENTITY})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.requester_name != "Changed"
    assert not request.pauses.exists()


def test_the_change_page_links_to_handling_and_corrects_details_only(dpo_client, school):
    request = make_request(school, due_in=20)
    html = dpo_client.get(change_url(request)).content.decode()
    assert handle_url(request) in html
    assert 'name="pause_reason"' not in html

    response = dpo_client.post(
        change_url(request),
        {
            "requester_name": "Mrs Alex Parent-Smith",
            "requester_relationship": "parent",
            "channel": "email",
            **management_forms(),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.requester_name == "Mrs Alex Parent-Smith"
    assert AuditEvent.objects.filter(object_id=str(request.pk), action=AuditAction.UPDATE).exists()


def test_the_handling_page_has_breadcrumbs_back_to_the_request(dpo_client, school):
    request = make_request(school, due_in=20)
    html = dpo_client.get(handle_url(request)).content.decode()
    assert 'class="breadcrumbs"' in html
    assert change_url(request) in html
    assert LIST in html


def test_the_dpo_pauses_the_clock_from_the_handling_page(dpo_client, dpo_user, school):
    request = make_request(school, due_in=20)
    response = dpo_client.post(
        handle_url(request),
        {
            "pause_reason": PauseReason.IDENTITY,
            "pause_starts_on": request.received_on.isoformat(),
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == change_url(request)
    assert "Request updated: clock paused." in response.content.decode()
    request.refresh_from_db()
    assert request.status == AccessRequestStatus.PAUSED
    assert request.due_on is None
    assert request.pauses.get().created_by == dpo_user


def test_a_step_the_rules_refuse_is_reported_and_changes_nothing(dpo_client, school):
    request = make_request(school, due_in=20)
    response = dpo_client.post(
        handle_url(request),
        {
            "extend_told_on": (request.received_on + datetime.timedelta(days=10)).isoformat(),
            "extend_reason": "",
        },
        follow=True,
    )
    assert "Say why the request needs more time." in response.content.decode()
    request.refresh_from_db()
    assert request.extended_on is None


def several_steps(request, contact):
    """Identity check, extension, a redaction decision and the answer: four steps."""
    return {
        "identity_method": IdentityCheck.KNOWN,
        "identity_on": request.received_on.isoformat(),
        "extend_told_on": (request.received_on + datetime.timedelta(days=3)).isoformat(),
        "extend_reason": "Many years of records to go through.",
        "redaction_contact": contact.pk,
        "redaction_outcome": RedactionOutcome.REDACT,
        "redaction_ground": RedactionGround.THIRD_PARTY,
        "redaction_reason": "The other parent's new address.",
        "answered_on": timezone.localdate().isoformat(),
    }


@pytest.fixture
def open_request(school):
    pupil = PupilFactory(school=school)
    contact = PupilContactFactory(pupil=pupil).contact
    request = AccessRequestFactory(
        school=school, pupils=[pupil], received_at=timezone.now() - datetime.timedelta(days=5)
    )
    return request, contact


def snapshot(request):
    return AccessRequest.objects.filter(pk=request.pk).values().get()


def test_all_the_steps_asked_for_are_taken_together(dpo_client, open_request):
    request, contact = open_request
    response = dpo_client.post(handle_url(request), several_steps(request, contact), follow=True)

    assert "Request updated" in response.content.decode()
    request.refresh_from_db()
    assert request.identity_check == IdentityCheck.KNOWN
    assert request.extended_on is not None
    assert request.redactions.get().contact == contact
    assert request.status == AccessRequestStatus.ANSWERED


def test_a_failing_last_step_leaves_nothing_written_and_the_dpo_sees_an_error(
    dpo_client, open_request, monkeypatch
):
    request, contact = open_request
    before = snapshot(request)
    trail_before = AuditEvent.objects.count()

    def refuse(**kwargs):
        raise ValidationError("The answer could not be recorded.")

    monkeypatch.setattr(services, "mark_answered", refuse)
    response = dpo_client.post(handle_url(request), several_steps(request, contact), follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "The answer could not be recorded." in html
    assert "Nothing was saved" in html
    assert "Request updated" not in html
    assert snapshot(request) == before  # no identity check, no extension, not answered
    assert not request.pauses.exists()
    assert not request.redactions.exists()
    assert AuditEvent.objects.count() == trail_before


def test_a_step_refused_after_a_pause_leaves_no_pause(dpo_client, open_request):
    request, _contact = open_request
    before = snapshot(request)
    response = dpo_client.post(
        handle_url(request),
        {
            "identity_method": IdentityCheck.KNOWN,
            "pause_reason": PauseReason.CLARIFICATION,
            "answered_on": timezone.localdate().isoformat(),
        },
    )

    assert "Restart the clock before answering." in response.content.decode()
    assert snapshot(request) == before
    assert not request.pauses.exists()


def test_staff_of_another_school_cannot_open_the_handling_page(other_school_client, school):
    request = make_request(school, due_in=5)
    assert other_school_client.get(handle_url(request)).status_code == 404
    assert (
        other_school_client.post(handle_url(request), {"answered_on": "2026-01-01"}).status_code
        == 404
    )


def produce(client, request, action="produce_response", capture=None):
    """The list action; with ``capture`` (django_capture_on_commit_callbacks)
    the job runs (the test settings' task backend runs tasks at once)."""
    data = {"action": action, "_selected_action": [request.pk], "index": 0}
    if capture is None:
        return client.post(LIST, data)
    with capture(execute=True):
        return client.post(LIST, data)


def test_office_staff_cannot_produce_the_response_pdf(office_client, school):
    from pupils.models import Job

    request = make_request(school, due_in=5)
    assert "produce_response" not in office_client.get(LIST).content.decode()
    response = produce(office_client, request)
    assert response.get("Content-Type", "").startswith("text/html")
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    assert not Job.objects.exists()


@pytest.mark.parametrize("n_pupils", [1, 2])
def test_the_dpo_produces_the_response_as_a_job_and_downloads_each_pdf(
    dpo_client, school, n_pupils, django_capture_on_commit_callbacks
):
    from django.utils.html import escape

    from pupils.models import Job, JobStatus
    from sharing.models import AccessResponse, Disclosure, ResponseFile

    pupils = PupilFactory.create_batch(n_pupils, school=school)
    request = AccessRequestFactory(school=school, pupils=pupils, identity_checked=True)
    response = produce(dpo_client, request, capture=django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:pupils_job_progress", args=[job.pk])
    assert (job.status, job.done, job.total) == (JobStatus.DONE, n_pupils, n_pupils)
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == n_pupils
    assert AccessResponse.objects.count() == n_pupils and not Disclosure.objects.exists()

    page = dpo_client.get(response["Location"]).content.decode()
    files = list(ResponseFile.objects.order_by("pupil_id"))
    assert len(files) == n_pupils
    for file, pupil in zip(files, sorted(pupils, key=lambda p: p.pk), strict=True):
        url = reverse("admin:sharing_accessrequest_file", args=[request.pk, file.pk])
        assert url in page and escape(str(pupil)) in page  # O'Brien is O&#x27;Brien
        download = dpo_client.get(url)
        assert download["Content-Type"] == "application/pdf"
        assert download.content.startswith(b"%PDF") and "no-store" in download["Cache-Control"]
        assert file.response.file_sha256 == file.sha256
    # Each download is on the trail too.
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 2 * n_pupils
    assert not Disclosure.objects.exists()


def test_the_dpo_cannot_produce_the_response_while_identity_is_unchecked(
    dpo_client, school, django_capture_on_commit_callbacks
):
    from pupils.models import Job
    from sharing.models import AccessResponse, Disclosure, ResponseFile

    request = make_request(school, due_in=5)
    response = produce(dpo_client, request, capture=django_capture_on_commit_callbacks)
    assert response["Content-Type"].startswith("text/html")
    assert "identity has not been checked" in dpo_client.get(LIST).content.decode()
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    assert not AccessResponse.objects.exists() and not Disclosure.objects.exists()
    draft = produce(dpo_client, request, "produce_draft", django_capture_on_commit_callbacks)
    assert draft.status_code == 302
    file = ResponseFile.objects.get()
    assert file.draft and file.response is None
    assert file.filename.startswith("draft-")
    assert not AccessResponse.objects.exists() and not Disclosure.objects.exists()


def test_a_job_whose_request_lost_its_identity_check_fails_in_plain_words(
    dpo_user, school, django_capture_on_commit_callbacks
):
    from pupils.models import JobStatus
    from sharing.access import tasks
    from sharing.models import AccessResponse, ResponseFile

    request = AccessRequestFactory(
        school=school, pupils=[PupilFactory(school=school)], identity_checked=True
    )
    job = tasks.start_producing(actor=dpo_user, request=request, draft=False)
    AccessRequest.objects.filter(pk=request.pk).update(identity_check="", identity_checked_on=None)
    tasks.produce_response_job.call(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "identity has not been checked" in job.error
    assert not AccessResponse.objects.exists() and not ResponseFile.objects.exists()


def test_a_retried_job_produces_only_the_pupils_still_missing(dpo_user, school, monkeypatch):
    from pupils.jobs import retry_job
    from pupils.models import JobStatus
    from sharing.access import pdf, tasks
    from sharing.access.pdf import PdfRenderError
    from sharing.models import AccessResponse, ResponseFile

    first, second = PupilFactory.create_batch(2, school=school)
    request = AccessRequestFactory(school=school, pupils=[first, second], identity_checked=True)
    job = tasks.start_producing(actor=dpo_user, request=request, draft=False)
    real = pdf.render_access_response
    rendered = []

    def fail_for_the_second(record, **kwargs):
        rendered.append(record.pupil.pk)
        if record.pupil.pk == max(first.pk, second.pk) and len(rendered) == 2:
            raise PdfRenderError("The PDF took longer than 120 seconds and was stopped.")
        return real(record, **kwargs)

    monkeypatch.setattr("sharing.access.pdf.render_access_response", fail_for_the_second)
    tasks.produce_response_job.call(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "longer than 120 seconds" in job.error
    assert job.done == 1 and ResponseFile.objects.count() == 1

    retry_job(actor=dpo_user, job=job)
    tasks.produce_response_job.call(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == 2
    assert ResponseFile.objects.count() == 2 and AccessResponse.objects.count() == 2
    assert rendered == sorted([first.pk, second.pk]) + [max(first.pk, second.pk)]


def test_a_produced_file_is_served_only_to_staff_who_may_produce_at_that_school(
    dpo_client,
    office_client,
    other_school_client,
    client,
    dpo_user,
    school,
    django_capture_on_commit_callbacks,
):
    from sharing.models import ResponseFile

    request = AccessRequestFactory(
        school=school, pupils=[PupilFactory(school=school)], identity_checked=True
    )
    produce(dpo_client, request, capture=django_capture_on_commit_callbacks)
    file = ResponseFile.objects.get()
    url = reverse("admin:sharing_accessrequest_file", args=[request.pk, file.pk])
    assert office_client.get(url).status_code == 403
    assert other_school_client.get(url).status_code == 404
    assert client.get(url).status_code == 302  # to sign in
    other = AccessRequestFactory(
        school=school, pupils=[PupilFactory(school=school)], identity_checked=True
    )
    wrong = reverse("admin:sharing_accessrequest_file", args=[other.pk, file.pk])
    assert dpo_client.get(wrong).status_code == 404
    assert dpo_client.get(url).status_code == 200


def sent_url(request):
    return reverse("admin:sharing_accessrequest_sent", args=[request.pk])


def test_the_dpo_records_that_the_response_was_sent_once(
    dpo_client, school, django_capture_on_commit_callbacks
):
    from sharing.models import AccessResponse, Disclosure

    pupil = PupilFactory(school=school)
    request = AccessRequestFactory(school=school, pupils=[pupil], identity_checked=True)
    produce(dpo_client, request, capture=django_capture_on_commit_callbacks)
    data = {
        "pupil": pupil.pk,
        "sent_on": "2026-09-20",
        "method": "post",
        "sent_to": "Mrs Alex Parent, 12 Elm Road",
    }
    for _ in range(2):
        assert dpo_client.post(sent_url(request), data).status_code == 302
    assert Disclosure.objects.filter(dataset="subject_access").count() == 1
    sent = AccessResponse.objects.get(sent_on__isnull=False)
    assert (sent.sent_method, sent.sent_to) == ("post", "Mrs Alex Parent, 12 Elm Road")


def test_recording_sent_before_producing_is_refused(dpo_client, school):
    from sharing.models import Disclosure

    pupil = PupilFactory(school=school)
    request = AccessRequestFactory(school=school, pupils=[pupil], identity_checked=True)
    response = dpo_client.post(
        sent_url(request),
        {"pupil": pupil.pk, "sent_on": "2026-09-20", "method": "post", "sent_to": "Mrs Parent"},
    )
    assert response.status_code == 200
    assert "Produce the response before" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_office_staff_and_other_schools_cannot_record_sent(
    office_client, other_school_client, school
):
    request = make_request(school, due_in=5)
    assert office_client.get(sent_url(request)).status_code == 403
    assert other_school_client.get(sent_url(request)).status_code == 404


def test_the_progress_page_links_to_the_files_only_for_staff_who_may_produce(
    dpo_client, office_client, school, django_capture_on_commit_callbacks
):
    from pupils.models import Job

    request = AccessRequestFactory(
        school=school, pupils=[PupilFactory(school=school)], identity_checked=True
    )
    produce(dpo_client, request, capture=django_capture_on_commit_callbacks)
    progress = reverse("admin:pupils_job_progress", args=[Job.objects.get().pk])
    file_prefix = f"/admin/sharing/accessrequest/{request.pk}/file/"
    assert file_prefix in dpo_client.get(progress).content.decode()
    office_page = office_client.get(progress)
    assert office_page.status_code == 200  # office staff see the school's jobs...
    assert file_prefix not in office_page.content.decode()  # ...but not the response
