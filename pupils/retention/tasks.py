"""The erasure the DPO confirms on the "due for erasure" page, run as a
background job (``pupils.jobs``) with its progress page: 10,000 pupils take
minutes, more than a web request may."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..audit import Actor
from ..jobs import JobError, report_progress, run_job, start_job
from ..models import Job, School
from .services import erase_due

ERASE_JOB = "retention_erase"
TASK_PATH = "pupils.retention.tasks.erase_due_job"
ERASE_PERMISSION = "pupils.erase_records"
#: Progress is written every so many pupils (and at the end).
PROGRESS_EVERY = 25


@transaction.atomic
def start_erasing(
    *,
    actor: Actor,
    as_of: datetime.date,
    schools: Iterable[School],
    pupils: Mapping[int, Collection[int]],
) -> list[Job]:
    """Queue the erasure of what is due on ``as_of`` for ``pupils`` (pupil
    ids by school id, what the DPO saw and confirmed): one job per school."""
    jobs = []
    for school in schools:
        ids = sorted(pupils.get(school.pk, ()))
        if not ids:
            continue
        jobs.append(
            start_job(
                actor=actor,
                school=school,
                kind=ERASE_JOB,
                title=ngettext(
                    "Erase the due records of %(n)d pupil",
                    "Erase the due records of %(n)d pupils",
                    len(ids),
                )
                % {"n": len(ids)},
                task_path=TASK_PATH,
                arguments={"as_of": as_of.isoformat(), "pupil_ids": ids},
                total=len(ids),
            )
        )
    return jobs


@task()
def erase_due_job(*, job_id: int) -> str:
    return run_job(job_id, _erase)


def _erase(job: Job) -> str:
    """Safe to run twice: an erased pupil is no longer due, so a second run
    erases only what the first did not reach."""
    user = job.created_by
    if user is None or not user.is_active or not user.has_perm(ERASE_PERMISSION):
        raise JobError(_("The member of staff who started this job can no longer erase records."))
    if not School.objects.visible_to(user).filter(pk=job.school_id).exists():
        raise JobError(_("The member of staff who started this job no longer sees the school."))

    def progress(done: int, total: int) -> None:
        if done == total or done % PROGRESS_EVERY == 0:
            report_progress(job, done=done, total=total)

    run = erase_due(
        actor=user,
        as_of=datetime.date.fromisoformat(job.arguments["as_of"]),
        schools=[job.school],
        only=job.arguments["pupil_ids"],
        progress=progress,
    )
    outcome = ngettext(
        "The due records of %(n)d pupil were erased.",
        "The due records of %(n)d pupils were erased.",
        len(run.erased),
    ) % {"n": len(run.erased)}
    if run.failed:
        outcome += " " + ngettext(
            "%(n)d pupil could not be erased (nothing of theirs was): see the due page.",
            "%(n)d pupils could not be erased (nothing of theirs was): see the due page.",
            len(run.failed),
        ) % {"n": len(run.failed)}
    return outcome
