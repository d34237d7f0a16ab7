"""Sending consent requests to many families: form, a confirmation that
says how many parents and carers will get an e-mail, a job in the worker,
and a progress page that refreshes itself until the job is done."""

import pytest
from django.urls import reverse

from consent.models import ConsentRequest
from pupils.jobs import start_job
from pupils.models import Job, JobStatus, OutboxMessage
from tests.factories import PupilContactFactory, PupilFactory

pytestmark = pytest.mark.django_db

SEND = reverse("admin:consent_send")


def test_sending_first_says_how_many_parents_will_get_an_email_and_sends_nothing(
    family, office_client
):
    response = office_client.post(SEND, {"pupils": [c.pk for c in family.children]})
    html = response.content.decode()

    assert response.status_code == 200
    assert "2 parents and carers will get an e-mail" in html
    assert "(families of 2 pupils)" in html
    assert 'name="confirmed" value="yes"' in html and "Send 2 e-mails" in html
    assert not ConsentRequest.objects.exists() and not Job.objects.exists()


def test_confirming_starts_a_job_whose_progress_page_shows_it_done(
    family, office_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            SEND, {"pupils": [c.pk for c in family.children], "confirmed": "yes"}
        )
    job = Job.objects.get()
    page = office_client.get(response["Location"])
    html = page.content.decode()

    assert job.status == JobStatus.DONE and (job.done, job.total) == (2, 2)
    assert OutboxMessage.objects.count() == 2
    assert "2 of 2 done" in html and 'value="100"' in html
    assert "2 e-mails queued to parents and carers." in html
    assert 'http-equiv="refresh"' not in html  # finished: no more refreshing


def test_a_job_in_progress_refreshes_itself_without_inline_script(
    school, office_user, office_client
):
    job = start_job(
        actor=office_user,
        school=school,
        kind="test",
        title="Send consent requests",
        task_path="consent.tasks.send_consent_requests_job",
        arguments={},
        total=40,
    )  # not run: no commit callbacks here
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=10)

    response = office_client.get(reverse("admin:pupils_job_progress", args=[job.pk]))
    html = response.content.decode()

    assert "10 of 40 done" in html and 'value="25"' in html
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_nobody_to_email_is_said_before_any_job_starts(school, office_client):
    pupil = PupilFactory(school=school)
    PupilContactFactory(pupil=pupil, contact__email="")

    response = office_client.post(SEND, {"pupils": [pupil.pk], "confirmed": "yes"})

    assert "Nobody would get an e-mail" in response.content.decode()
    assert not Job.objects.exists()


def test_another_schools_job_is_not_found(family, office_user, other_school_client):
    job = start_job(
        actor=office_user,
        school=family.school,
        kind="test",
        title="Send consent requests",
        task_path="consent.tasks.send_consent_requests_job",
        arguments={},
    )

    url = reverse("admin:pupils_job_progress", args=[job.pk])
    assert other_school_client.get(url).status_code == 404
    retry = reverse("admin:pupils_job_retry", args=[job.pk])
    assert other_school_client.post(retry).status_code == 404


def test_the_jobs_list_makes_a_fixed_number_of_queries(
    school, office_user, dpo_client, django_assert_max_num_queries
):
    for _ in range(8):
        start_job(
            actor=office_user,
            school=school,
            kind="test",
            title="Send consent requests",
            task_path="consent.tasks.send_consent_requests_job",
            arguments={},
        )
    with django_assert_max_num_queries(12):
        response = dpo_client.get(reverse("admin:pupils_job_changelist"))
    assert response.content.decode().count("Send consent requests") >= 8
