"""Scheduled work of the consent app (run by ``manage.py run_scheduled``).

``consent_new_questions``: once a day, from ``CONSENT_NEW_QUESTIONS_HOUR``
(local time, default 7), each school starts a job that e-mails the families
of pupils on roll who have a question they were never asked: a pupil new on
roll, or one who moved into a year group that uses a purpose
(``queries.never_asked``). Families already asked and not answering are
left to reminders. Safe to run twice: one job per school and day, and each
family's send checks again, under a lock, that something is still unasked.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from pupils.jobs import start_job
from pupils.models import EnrolmentStatus, Job, PupilContact, School
from pupils.scheduled import register

from . import tasks
from .queries import active_pupils, never_asked, providers_needing_consent, started

NEW_QUESTIONS_JOB = "consent_new_questions"


def _due(now: datetime.datetime) -> bool:
    return timezone.localtime(now).hour >= getattr(settings, "CONSENT_NEW_QUESTIONS_HOUR", 7)


def pupils_never_asked(school: School) -> list[int]:
    """Pupils on roll at ``school`` with a question never put to their family."""
    purposes = started(providers_needing_consent(school))
    if not purposes:
        return []
    # Only pupils a link can reach: a family with no e-mail address is on the
    # overview's "not answered" list for the office, not a daily empty job.
    reachable = PupilContact.objects.filter(
        pupil=OuterRef("pk"), parental_responsibility=True
    ).exclude(contact__email="")
    on_roll = active_pupils(school).filter(
        Exists(reachable), enrolment_status=EnrolmentStatus.ON_ROLL
    )
    return list(on_roll.filter(never_asked(purposes)).order_by("pk").values_list("pk", flat=True))


@register(NEW_QUESTIONS_JOB)
def ask_new_questions(now: datetime.datetime) -> str:
    """Start, per school, the day's job asking families their new questions."""
    if not _due(now):
        return "not yet today"
    today = timezone.localdate(now)
    started_jobs = 0
    for school in School.objects.order_by("pk"):
        ran_today = Job.objects.filter(
            school=school,
            kind=NEW_QUESTIONS_JOB,
            created_at__gte=now - datetime.timedelta(days=1),
        )
        if any(timezone.localdate(job.created_at) == today for job in ran_today):
            continue
        pupil_ids = pupils_never_asked(school)
        if not pupil_ids:
            continue
        # Started by no one (scheduled work), dated by this run.
        start_job(
            actor=NEW_QUESTIONS_JOB,
            school=school,
            kind=NEW_QUESTIONS_JOB,
            title="Ask families their new consent questions",
            task_path=f"{tasks.__name__}.send_new_questions_job",
            arguments={"pupil_ids": pupil_ids},
            created_at=now,
        )
        started_jobs += 1
    return f"{started_jobs} job(s) started to ask families new questions"
