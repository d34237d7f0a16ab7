"""Background tasks of the consent app (run by ``manage.py worker``)."""

from __future__ import annotations

from django.tasks import task
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pupils.jobs import JobError, report_progress, run_job
from pupils.models import Job, Pupil, School

from . import services
from .models import ConsentRequest
from .queries import contacts_to_email

SEND_JOB = "send_consent_requests"
NEW_QUESTIONS_ACTOR = "scheduled: consent_new_questions"


@task()
def send_consent_requests_job(*, job_id: int) -> str:
    return run_job(job_id, _send_to_families)


def _send_to_families(job: Job) -> str:
    user = job.created_by
    if user is None or not user.is_active:
        raise JobError(_("The member of staff who started this job can no longer send e-mails."))
    pupils = Pupil.objects.filter(
        pk__in=job.arguments["pupil_ids"], school__in=School.objects.visible_to(user)
    )
    contacts = list(contacts_to_email(pupils))
    # A retried job skips the families this job has already sent a link to,
    # so nobody's new link is replaced by yet another.
    already = set(
        ConsentRequest.objects.filter(
            contact__in=contacts, created_at__gte=job.created_at, sent_by=user
        ).values_list("contact_id", flat=True)
    )
    report_progress(job, done=len(already), total=len(contacts))
    sent = 0
    for contact in contacts:
        if contact.pk in already:
            continue
        if services.send_consent_request(
            actor=user, contact=contact, reason=job.arguments["reason"]
        ):
            sent += 1
        report_progress(job, done=job.done + 1)
    return ngettext(
        "%(n)d e-mail queued to parents and carers.",
        "%(n)d e-mails queued to parents and carers.",
        sent + len(already),
    ) % {"n": sent + len(already)}


@task()
def send_new_questions_job(*, job_id: int) -> str:
    return run_job(job_id, _ask_new_questions)


def _ask_new_questions(job: Job) -> str:
    """The daily step's job (``consent.scheduled``): each family of these
    pupils with a question never asked gets a link; a family sent one
    already (by this job before a retry, or by a run that overlapped)
    has nothing unasked left and is skipped."""
    pupils = Pupil.objects.filter(pk__in=job.arguments["pupil_ids"], school=job.school)
    contacts = list(contacts_to_email(pupils))
    report_progress(job, done=0, total=len(contacts))
    sent = 0
    for done, contact in enumerate(contacts, start=1):
        if services.send_new_questions(actor=NEW_QUESTIONS_ACTOR, contact=contact):
            sent += 1
        report_progress(job, done=done)
    return ngettext(
        "%(n)d e-mail queued to parents and carers.",
        "%(n)d e-mails queued to parents and carers.",
        sent,
    ) % {"n": sent}
