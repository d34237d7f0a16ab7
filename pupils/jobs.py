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

import datetime
import logging
import threading
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import audit
from .audit import Actor
from .models import AuditAction, Job, JobStatus, School

logger = logging.getLogger(__name__)


#: ``links(job, user) -> [(label, url)]``: what a finished job of a kind
#: produced (files to download), registered by the app that owns the kind.
ResultLinks = Callable[[Job, object], list[tuple[str, str]]]
_result_links: dict[str, ResultLinks] = {}


def register_result_links(kind: str, links: ResultLinks) -> None:
    _result_links[kind] = links


def result_links(job: Job, user) -> list[tuple[str, str]]:
    """Links to what the job produced, for this user (none while it runs):
    the page its ``result_url`` argument names, then what its kind's
    registered function lists."""
    if job.status != JobStatus.DONE:
        return []
    found = []
    if url := job.arguments.get("result_url"):
        found.append((_("See the result"), url))
    if (links := _result_links.get(job.kind)) is not None:
        found += links(job, user)
    return found


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
    created_at: datetime.datetime | None = None,
) -> Job:
    """Record a job and queue its task once the caller's transaction commits.
    ``arguments`` are ids and choices only, never personal data; a
    ``result_url`` among them is where the progress page links on to when
    the job is done (a CTF's preview). A job started by scheduled work (an
    actor that is no staff account) is started by no one; ``created_at``
    dates it by the run that started it."""
    job = Job.objects.create(
        kind=kind,
        title=title,
        school=school,
        created_by=audit.acting_user(actor),
        task_path=task_path,
        arguments=arguments,
        total=total,
        created_at=created_at or timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: Job) -> None:
    import_string(job.task_path).enqueue(job_id=job.pk)


def report_progress(job: Job, *, done: int, total: int | None = None) -> None:
    """How far the job has got. Best called outside the work's own
    transactions (each step commits first) so that the progress page sees
    it. Work that must be all or nothing (a CTF import) calls it inside its
    transaction: on PostgreSQL the figures then go through a second
    connection, seen at once; elsewhere they are seen when the work commits."""
    job.done = done
    if total is not None:
        job.total = total
    job.total = max(job.total, job.done)
    if transaction.get_connection().in_atomic_block and _report_aside(job):
        return
    Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total)


_aside = threading.local()


def _report_aside(job: Job) -> bool:
    """Write the progress through a connection of its own, committed at once.
    False when that cannot be done (not PostgreSQL, or the job's row is not
    committed yet, as in a test's transaction)."""
    if transaction.get_connection().vendor != "postgresql" or _aside.__dict__.get("off") == job.pk:
        return False
    try:
        side = getattr(_aside, "connection", None)
        if side is None:
            side = _aside.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        with side.cursor() as cursor:
            # Never wait on the work's own locks: a progress figure can be lost.
            cursor.execute("SET lock_timeout = '1s'")
            cursor.execute(
                # The table's name is the model's, not anyone's input.
                f"UPDATE {Job._meta.db_table} SET done = %s, total = %s WHERE id = %s",  # noqa: S608
                [job.done, job.total, job.pk],
            )
            return cursor.rowcount == 1
    except DatabaseError:
        logger.warning("Progress of job %s not reported aside", job.pk, exc_info=True)
        _close_aside()
        _aside.off = job.pk  # not again for this job: each try may wait a second
        return False


def _close_aside() -> None:
    side = getattr(_aside, "connection", None)
    _aside.connection = None
    if side is not None:
        side.close()


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
    _close_aside()
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
