"""The staff pages of subject access requests: logging, the list by due
date, handling, and who may produce the response PDF."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pupils.models import AuditAction, AuditEvent
from sharing.models import AccessRequest, AccessRequestStatus, PauseReason

from ..factories import AccessRequestFactory, PupilFactory

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


def test_office_staff_cannot_handle_a_request(office_client, school):
    request = make_request(school, due_in=5)
    response = office_client.post(
        change_url(request),
        {
            "requester_name": "Changed",
            "requester_relationship": "parent",
            "channel": "email",
            "pause_reason": PauseReason.IDENTITY,
            **management_forms(),
        },
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.requester_name != "Changed"
    assert not request.pauses.exists()


def test_the_dpo_pauses_the_clock_from_the_request_page(dpo_client, dpo_user, school):
    request = make_request(school, due_in=20)
    response = dpo_client.post(
        change_url(request),
        {
            "requester_name": request.requester_name,
            "requester_relationship": "parent",
            "channel": "email",
            "pause_reason": PauseReason.IDENTITY,
            "pause_starts_on": request.received_on.isoformat(),
            **management_forms(),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AccessRequestStatus.PAUSED
    assert request.due_on is None
    assert request.pauses.get().created_by == dpo_user


def test_a_step_the_rules_refuse_is_reported_and_changes_nothing(dpo_client, school):
    request = make_request(school, due_in=20)
    response = dpo_client.post(
        change_url(request),
        {
            "requester_name": request.requester_name,
            "requester_relationship": "parent",
            "channel": "email",
            "extend_told_on": (request.received_on + datetime.timedelta(days=10)).isoformat(),
            "extend_reason": "",
            **management_forms(),
        },
        follow=True,
    )
    assert "Say why the request needs more time." in response.content.decode()
    request.refresh_from_db()
    assert request.extended_on is None


def produce(client, request):
    return client.post(
        LIST, {"action": "produce_response", "_selected_action": [request.pk], "index": 0}
    )


def test_office_staff_cannot_produce_the_response_pdf(office_client, school):
    request = make_request(school, due_in=5)
    assert "produce_response" not in office_client.get(LIST).content.decode()
    response = produce(office_client, request)
    assert response.get("Content-Type", "").startswith("text/html")
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("n_pupils", [1, 2])
def test_the_dpo_produces_the_response_pdf_from_the_list(dpo_client, school, n_pupils):
    pupils = PupilFactory.create_batch(n_pupils, school=school)
    request = AccessRequestFactory(school=school, pupils=pupils)
    response = produce(dpo_client, request)
    assert response.status_code == 200
    if n_pupils == 1:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    else:
        assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == n_pupils
