"""The task queue's crash recovery (tasks themselves live with their
feature: ``pupils.outbox.deliver_email``, ``consent.tasks``...).

The queue is django-tasks-db: a worker claims a task with
``SELECT ... FOR UPDATE SKIP LOCKED`` and marks it RUNNING in the same
transaction, so two workers never run one task. A worker killed mid-task
(SIGKILL, a crashed machine) would leave its task RUNNING for ever; here each
worker keeps a heartbeat row (``WorkerHeartbeat``), and ``requeue_stale_tasks``
puts a RUNNING task whose worker has not been seen for
``settings.TASK_WORKER_LEASE_SECONDS`` back to READY. Workers call it at
start and on every heartbeat; ``manage.py run_scheduled`` calls it too.

Tasks are therefore run at least once: each task here is written so that
running it twice does no harm (delivery checks the message is still pending).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

#: A task whose workers died this many times is marked failed, not retried:
#: it is probably what kills them.
MAX_WORKER_LOSSES = 3


# --- Workers' heartbeats and recovery -------------------------------------------


def new_worker_id() -> str:
    from django.utils.crypto import get_random_string

    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"


def beat(worker_id: str) -> None:
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(pk=worker_id).update(last_seen=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            pk=worker_id,
            defaults={"hostname": socket.gethostname()[:200], "pid": os.getpid(), "last_seen": now},
        )


def requeue_stale_tasks(*, now: datetime.datetime | None = None) -> int:
    """Put back to READY every RUNNING task whose worker is gone; returns how many."""
    now = now or timezone.now()
    edge = now - datetime.timedelta(seconds=settings.TASK_WORKER_LEASE_SECONDS)
    alive = set(WorkerHeartbeat.objects.filter(last_seen__gte=edge).values_list("pk", flat=True))
    requeued = 0
    with transaction.atomic():
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for result in running:
            if result.worker_ids and result.worker_ids[-1] in alive:
                continue
            if len(result.worker_ids) >= MAX_WORKER_LOSSES:
                _give_up(result, now)
                continue
            DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None
            )
            requeued += 1
        WorkerHeartbeat.objects.filter(last_seen__lt=edge).delete()
    if requeued:
        logger.warning("Put %d task(s) of stopped workers back in the queue", requeued)
    return requeued


def _give_up(result: DBTaskResult, now: datetime.datetime) -> None:
    DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="pupils.tasks.WorkerLost",
        traceback=f"The worker running this task stopped {len(result.worker_ids)} times.",
    )


class Heartbeat(threading.Thread):
    """Touches the worker's row and recovers other workers' tasks, every
    ``settings.TASK_HEARTBEAT_SECONDS``, beside the worker's main loop."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(settings.TASK_HEARTBEAT_SECONDS):
                try:
                    close_old_connections()
                    beat(self.worker_id)
                    requeue_stale_tasks()
                except Exception:
                    # The database may be away for a moment: try again next beat.
                    logger.exception("Worker heartbeat failed")
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
