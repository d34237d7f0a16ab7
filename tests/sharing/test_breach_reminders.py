"""The DPO is reminded once a day, through ``manage.py run_scheduled``, of
breaches overdue for the ICO, due within 24 hours or not yet assessed
(docs/breaches.md, "Reminders"); nothing personal in the e-mail."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from pupils.models import EmailKind, OutboxMessage
from sharing.breaches import services
from sharing.scheduled import BREACH_SUBJECT

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def breach(school, actor, *, hours_ago, summary="Class list e-mailed to the wrong parent"):
    return services.report_breach(
        actor=actor,
        school=school,
        summary=summary,
        discovered_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        noticed_by="Mrs Teachername",
        data_involved="Names and reading levels of Year 3",
        people_categories=["pupils"],
        people_affected=28,
    )


def settled(school, actor):
    """Assessed and decided not to report: off the ICO clock, nothing to remind."""
    b = breach(school, actor, hours_ago=70, summary="Unlikely to harm anyone")
    return services.assess_breach(
        actor=actor,
        breach=b,
        became_aware_at=b.discovered_at,
        likelihood="remote",
        severity="minimal",
        likely_consequences="None.",
        containment="Deleted by the recipient.",
        ico_decision="not_report",
        ico_reason="No likely risk to people.",
        tell_people="not_tell",
        tell_people_reason="No risk.",
    )


def reminders(school):
    return OutboxMessage.objects.filter(
        school=school, kind=EmailKind.REMINDER, subject=BREACH_SUBJECT
    )


def test_a_breach_near_its_deadline_reminds_the_dpo_once_a_day(
    school, dpo_user, other_school, django_capture_on_commit_callbacks
):
    breach(school, dpo_user, hours_ago=60)  # due within 12 hours
    other_dpo = UserFactory(username="other-dpo", school=other_school)
    settled(other_school, other_dpo)
    mail.outbox.clear()  # the DPO's notices of the new reports

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduled", stdout=StringIO())
        call_command("run_scheduled", stdout=StringIO())  # cron ran twice

    assert reminders(school).count() == 1
    assert reminders(other_school).count() == 0  # no breach of theirs needs attention
    sent = [m for m in mail.outbox if m.subject == BREACH_SUBJECT]
    assert [m.to for m in sent] == [[school.dpo_email]]
    body = sent[0].body
    assert "due within 24 hours: 1" in body and "not yet assessed: 1" in body
    assert "/admin/sharing/breach/" in body
    for personal in ("wrong parent", "reading levels", "Teachername", "Year 3"):
        assert personal not in body

    OutboxMessage.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))
    call_command("run_scheduled", stdout=StringIO())
    assert reminders(school).count() == 2  # the next day, again


def test_a_school_whose_breaches_are_all_settled_gets_none(school, dpo_user):
    settled(school, dpo_user)

    call_command("run_scheduled", stdout=StringIO())

    assert not reminders(school).exists()
