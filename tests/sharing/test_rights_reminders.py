"""The DPO is reminded once a day of rights requests and complaints near their deadline."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from pupils.models import OutboxMessage
from sharing.rights.complaints import log_complaint


def test_an_unacknowledged_complaint_near_its_deadline_reminds_the_dpo_once_a_day(
    db, school, dpo_user, django_capture_on_commit_callbacks
):
    received = timezone.now() - datetime.timedelta(days=28)
    log_complaint(
        actor=dpo_user,
        school=school,
        complainant_name="A Parent",
        channel="email",
        received_at=received,
        summary="My child's photo was on the website without consent.",
        complainant_email="parent@example.org",
    )
    before = OutboxMessage.objects.count()
    for _ in range(2):
        call_command("run_scheduled", stdout=open("/dev/null", "w"))  # noqa: SIM115
    reminders = OutboxMessage.objects.filter(subject__startswith="Rights requests and complaints")
    assert reminders.count() == 1
    assert OutboxMessage.objects.count() == before + 1
    assert "photo" not in reminders.get().subject
