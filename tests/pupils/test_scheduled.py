"""``manage.py run_scheduled``: the one entry point for scheduled work.
Safe to run twice: reminders go once per school per day."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from providers import criteria, services
from pupils import scheduled
from pupils.models import EmailKind, OutboxMessage, OutboxStatus
from tests.factories import AccessRequestFactory, ProviderFactory

from .worker_tasks import append_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(school, dpo_user):
    today = timezone.localdate()
    provider = ProviderFactory(school=school, service="Seesaw")
    services.record_assessment(
        provider=provider,
        answers={c.code: "met" for c in criteria.CRITERIA},
        decision="approve",
        actor=dpo_user,
        assessed_on=today - datetime.timedelta(days=400),
        next_review_on=today - datetime.timedelta(days=35),
    )
    AccessRequestFactory(
        school=school,
        received_at=timezone.now() - datetime.timedelta(days=60),
        received_on=today - datetime.timedelta(days=60),
        due_on=today - datetime.timedelta(days=20),
    )
    return school


def run(now) -> dict[str, str]:
    return scheduled.run_all(now=now)


def test_the_dpo_is_reminded_of_overdue_reviews_and_requests_once_a_day(
    overdue, django_capture_on_commit_callbacks
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        run(now)
        run(now)  # cron ran twice, or two machines ran it

    reminders = OutboxMessage.objects.filter(kind=EmailKind.REMINDER)
    assert sorted(reminders.values_list("subject", flat=True)) == [
        "1 cloud service review(s) overdue",
        "1 subject access request(s) overdue",
    ]
    assert {m.to[0] for m in mail.outbox} == {overdue.dpo_email}
    assert "Mrs Alex Parent" not in "".join(m.body for m in mail.outbox)  # nothing personal

    OutboxMessage.objects.update(created_at=now - datetime.timedelta(days=1))
    run(now)
    assert reminders.count() == 4  # the next day, again


def test_the_command_retries_emails_whose_time_has_come(school, django_capture_on_commit_callbacks):
    message = OutboxMessage.objects.create(
        kind=EmailKind.RECEIPT,
        to="parent@example.org",
        subject="Receipt",
        body="Your answers",
        school=school,
        attempts=2,
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduled", stdout=StringIO())

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and [m.to for m in mail.outbox] == [
        ["parent@example.org"]
    ]


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
)
def test_the_command_puts_back_tasks_of_a_worker_that_stopped():
    result = append_line.enqueue(path="/dev/null", line="x")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["gone"]
    )

    call_command("run_scheduled", stdout=StringIO())

    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY


def test_a_failing_step_does_not_stop_the_others_and_the_command_fails(monkeypatch, school):
    ran = []
    monkeypatch.setitem(scheduled.REGISTRY, "broken", lambda now: 1 / 0)
    monkeypatch.setitem(scheduled.REGISTRY, "after", lambda now: ran.append(now) or "ok")

    with pytest.raises(CommandError, match="broken"):
        call_command("run_scheduled", stdout=StringIO())
    assert ran
