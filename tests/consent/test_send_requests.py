"""Sending consent requests is all or nothing: a step that fails for one
family leaves no link issued, no older link revoked, no trail entry and no
e-mail (the service); from the staff page, a job, it is all or nothing per
family and the job can be tried again."""

import pytest
from django.core import mail
from django.urls import reverse

from consent import services
from consent.models import ConsentRequest, ConsentRequestReason
from pupils.models import Job, JobStatus

from .helpers import row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail_fails_for_the_second_family(monkeypatch):
    """The audit write for the second e-mail fails (a full disk, a lock
    timeout...): the first family's link has already been written by then."""
    real_record = services.audit.record
    calls: list[dict] = []

    def record(**entry):
        calls.append(entry)
        if len(calls) == 2:
            raise RuntimeError("the trail could not be written")
        return real_record(**entry)

    monkeypatch.setattr(services.audit, "record", record)


@pytest.fixture
def earlier_links(family, office_user, django_capture_on_commit_callbacks):
    """Each parent already has a working link from an earlier e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_consent_requests(actor=office_user, pupils=family.children)
    mail.outbox.clear()
    return {r.pk for r in sent}


def test_a_failing_step_for_one_family_leaves_nothing_written(
    family,
    office_user,
    earlier_links,
    trail_fails_for_the_second_family,
    django_capture_on_commit_callbacks,
):
    before = row_counts()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.send_consent_requests(
            actor=office_user, pupils=family.children, reason=ConsentRequestReason.REMINDER
        )

    assert row_counts() == before
    # The links sent before still work: nothing was revoked.
    assert set(ConsentRequest.objects.usable().values_list("pk", flat=True)) == earlier_links
    assert mail.outbox == []


def test_the_staff_page_reports_a_step_that_fails_and_trying_again_finishes_the_job(
    family, office_client, trail_fails_for_the_second_family, django_capture_on_commit_callbacks
):
    # From the staff page the work is a job, one family at a time: a family
    # whose step fails gets nothing written, the job says so, and trying
    # again sends to the families left without sending twice to the others.
    send = {"pupils": [c.pk for c in family.children], "confirmed": "yes"}
    before = row_counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(reverse("admin:consent_send"), send)
    job = Job.objects.get()
    assert response["Location"] == reverse("admin:pupils_job_progress", args=[job.pk])
    assert job.status == JobStatus.FAILED and job.done == 1 and job.total == 2
    assert "Something unexpected stopped the job" in job.error
    assert row_counts()["requests"] - before["requests"] == 1
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(reverse("admin:pupils_job_retry", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == job.total == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [family.mother.email, family.father.email]
    )
    assert ConsentRequest.objects.usable().count() == 2


def test_sending_to_every_family_writes_one_link_and_one_trail_entry_each(
    family, office_client, django_capture_on_commit_callbacks
):
    before = row_counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            reverse("admin:consent_send"),
            {"pupils": [c.pk for c in family.children], "confirmed": "yes"},
        )
    assert response.status_code == 302
    after = row_counts()
    assert after["requests"] - before["requests"] == 2
    assert after["audit"] - before["audit"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [family.mother.email, family.father.email]
    )


@pytest.mark.parametrize(
    ("name", "changelist"),
    [
        ("admin:consent_send", "admin:consent_consentrequest_changelist"),
        ("admin:consent_consentrecord_add", "admin:consent_consentrecord_changelist"),
    ],
)
def test_the_workflow_pages_have_breadcrumbs_back_to_their_list(
    family, office_client, name, changelist
):
    html = office_client.get(reverse(name)).content.decode()
    assert 'class="breadcrumbs"' in html
    assert f'href="{reverse(changelist)}"' in html
    assert f'href="{reverse("admin:app_list", args=["consent"])}"' in html
