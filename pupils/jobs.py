"""Long staff jobs run by a worker, with progress staff can watch.

A job is a ``Job`` row and a task (``django.tasks``) that does the work. The
view that starts one calls ``start_job`` and redirects to the job's progress
page (``pupils.admin_outbox``); the task wraps its work in ``run_job``, which
marks the job running, done or failed, and calls ``report_progress`` as it
goes. A job that fails says why in plain words (``JobError``) and can be
started again (``retry_job``): tasks are written so that a second run skips
what the first one finished.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import audit
from .audit import Actor, staff_user
from .models import AuditAction, Job, JobStatus, School

logger = logging.getLogger(__name__)


#: ``links(job, user) -> [(label, url)]``: what a finished job of a kind
#: produced (files to download), registered by the app that owns the kind.
ResultLinks = Callable[[Job, object], list[tuple[str, str]]]
_result_links: dict[str, ResultLinks] = {}


def register_result_links(kind: str, links: ResultLinks) -> None:
    _result_links[kind] = links


def result_links(job: Job, user) -> list[tuple[str, str]]:
    """Links to what the job produced, for this user (none while it runs)."""
    links = _result_links.get(job.kind)
    return links(job, user) if links is not None and job.status == JobStatus.DONE else []


#: Run once when a worker starts, in the background (e.g. start a warm
#: process a job will need), registered by the app that needs it.
_on_worker_start: list[Callable[[], object]] = []


def register_worker_start(hook: Callable[[], object]) -> None:
    if hook not in _on_worker_start:
        _on_worker_start.append(hook)


def worker_started() -> None:
    """Called by ``manage.py worker``; a failing hook is logged, never fatal."""
    for hook in _on_worker_start:
        try:
            hook()
        except Exception:
            logger.exception("A worker start hook failed: %s", hook)


class JobError(Exception):
    """A job cannot go on; the message (plain words) is shown to staff."""


def start_job(
    *,
    actor: Actor,
    school: School,
    kind: str,
    title: str,
    task_path: str,
    arguments: dict,
    total: int = 0,
) -> Job:
    """Record a job and queue its task once the caller's transaction commits.
    ``arguments`` are ids and choices only, never personal data."""
    job = Job.objects.create(
        kind=kind,
        title=title,
        school=school,
        created_by=staff_user(actor),
        task_path=task_path,
        arguments=arguments,
        total=total,
    )
    transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: Job) -> None:
    import_string(job.task_path).enqueue(job_id=job.pk)


def report_progress(job: Job, *, done: int, total: int | None = None) -> None:
    """How far the job has got. Call it outside the work's own transactions
    (each step commits first) so that the progress page sees it."""
    job.done = done
    if total is not None:
        job.total = total
    job.total = max(job.total, job.done)
    Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total)


def run_job(job_id: int, work: Callable[[Job], str]) -> str:
    """Run ``work(job)`` for a queued job; it returns a plain-words outcome."""
    job = Job.objects.select_related("created_by", "school").get(pk=job_id)
    if job.status == JobStatus.DONE:
        return job.outcome  # already finished (a task run twice)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, error="")
    try:
        outcome = work(job)
    except JobError as exc:
        return _finish(job, JobStatus.FAILED, error=str(exc))
    except Exception:
        logger.exception("Job %s (%s) stopped with an error", job.pk, job.kind)
        return _finish(
            job,
            JobStatus.FAILED,
            error=_(
                "Something unexpected stopped the job. Try again; if it stops again, "
                "tell whoever looks after this system."
            ),
        )
    return _finish(job, JobStatus.DONE, outcome=outcome)


def _finish(job: Job, status: str, *, error: str = "", outcome: str = "") -> str:
    Job.objects.filter(pk=job.pk).update(
        status=status, error=error[:500], outcome=outcome[:500], finished_at=timezone.now()
    )
    return error or outcome


@transaction.atomic
def retry_job(*, actor: Actor, job: Job) -> Job:
    """Start a failed job again (its task skips what was already done)."""
    if job.status != JobStatus.FAILED:
        raise JobError(_("Only a job that failed can be tried again."))
    job.status = JobStatus.QUEUED
    job.error = ""
    job.finished_at = None
    job.save(update_fields=["status", "error", "finished_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=job,
        school_id=job.school_id,
        summary=f"Background job started again: {job.kind}",
        fields=["status"],
    )
    transaction.on_commit(lambda: _enqueue(job))
    return job
