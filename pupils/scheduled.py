"""Scheduled work: one entry point, ``manage.py run_scheduled``, that cron
or a systemd timer calls every few minutes (docs/operations.md).

Each app registers what it needs in its own ``scheduled`` module (found the
way the admin finds ``admin`` modules)::

    from pupils.scheduled import register

    @register("provider_review_reminders")
    def remind_overdue_reviews(now) -> str: ...

A registered function takes the time of the run and returns a short
plain-words result; it must be safe to run twice (the command may overlap
itself or be run by hand): reminders go once per school per day
(``remind_dpo_once_today``).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks_db.models import DBTaskResult

from . import outbox, tasks
from .models import EmailKind, OutboxMessage, School
from .retention import services as retention

logger = logging.getLogger(__name__)

ScheduledFunction = Callable[[datetime.datetime], str]
REGISTRY: dict[str, ScheduledFunction] = {}

#: Finished tasks are kept this long for looking into, then pruned.
KEEP_FINISHED_TASKS = datetime.timedelta(days=14)


def register(name: str) -> Callable[[ScheduledFunction], ScheduledFunction]:
    def decorator(func: ScheduledFunction) -> ScheduledFunction:
        REGISTRY[name] = func
        return func

    return decorator


def run_all(*, now: datetime.datetime | None = None) -> dict[str, str]:
    """Run every registered function; one failing does not stop the others.
    Returns name -> result (or "failed: <error type>")."""
    autodiscover_modules("scheduled")
    now = now or timezone.now()
    results = {}
    for name, func in REGISTRY.items():
        try:
            results[name] = func(now)
        except Exception as exc:
            logger.exception("Scheduled work %s failed", name)
            results[name] = f"failed: {type(exc).__name__}"
    return results


def remind_dpo_once_today(
    *, school: School, subject: str, body: str, now: datetime.datetime
) -> bool:
    """E-mail the school's DPO, unless this reminder already went today."""
    today = timezone.localdate(now)
    with transaction.atomic():
        # The school's row lock keeps two overlapping runs from both sending.
        School.objects.select_for_update().filter(pk=school.pk).first()
        sent = OutboxMessage.objects.filter(
            school=school,
            kind=EmailKind.REMINDER,
            subject=subject,
            created_at__date__gte=today - datetime.timedelta(days=1),
        )
        if any(timezone.localdate(m.created_at) == today for m in sent):
            return False
        outbox.queue_email(
            kind=EmailKind.REMINDER,
            to=school.dpo_email,
            subject=subject,
            body=body,
            school_id=school.pk,
        )
        return True


# --- The queue's own housekeeping -----------------------------------------------


@register("requeue_stale_tasks")
def _requeue(now: datetime.datetime) -> str:
    return f"{tasks.requeue_stale_tasks(now=now)} task(s) of stopped workers queued again"


@register("retry_due_emails")
def _retry_emails(now: datetime.datetime) -> str:
    return f"{outbox.retry_due_messages(now=now)} e-mail(s) queued for delivery"


@register("prune_finished_tasks")
def _prune(now: datetime.datetime) -> str:
    old = DBTaskResult.objects.finished().filter(finished_at__lt=now - KEEP_FINISHED_TASKS)
    deleted, _ = old.delete()
    return f"{deleted} finished task(s) pruned"


# --- Retention (docs/retention.md) ----------------------------------------------------

#: The schedule erases once a day, at the first run after this local time.
RETENTION_AFTER = datetime.time(1, 0)


@register("retention")
def _retention(now: datetime.datetime) -> str:
    local = timezone.localtime(now)
    if local.time() < RETENTION_AFTER or not retention.claim_todays_run(now):
        return "retention: not due yet today"
    run = retention.run_schedule(as_of=local.date())
    by_school: dict[int, int] = {}
    for failure in run.failed:
        by_school[failure.school_id] = by_school.get(failure.school_id, 0) + 1
    for school in School.objects.filter(pk__in=by_school):
        remind_dpo_once_today(
            school=school,
            subject="Retention: some records could not be erased",
            body=(
                f"{by_school[school.pk]} pupil(s) due for erasure could not be erased "
                "tonight: nothing of theirs was erased, and the next run tries again. "
                "The staff site's Due for erasure page lists them."
            ),
            now=now,
        )
    return (
        f"retention: {run.erased} pupil(s) erased, {len(run.failed)} not erased (errors), "
        f"{run.purged} file(s) purged"
    )
