"""``manage.py worker``: run background tasks (e-mail, bulk sends, jobs).

django-tasks-db's ``db_worker`` with a heartbeat, so that a task left by a
worker that was killed is run again (``pupils.tasks``). Run as many as you
like, on any machines that reach the database (docs/operations.md). Stop one
with SIGTERM (or Ctrl-C): it finishes the task in hand, then exits.
"""

from __future__ import annotations

import threading
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from pupils.jobs import worker_started
from pupils.models import WorkerHeartbeat
from pupils.tasks import Heartbeat, beat, new_worker_id, requeue_stale_tasks


class Command(DbWorkerCommand):
    help = "Run background tasks from the database queue (stop with SIGTERM or Ctrl-C)."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # No autoreload: a reloader's parent process would keep the heartbeat
        # alive for a child that may be gone.
        parser.set_defaults(reload=False, worker_id=new_worker_id())

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        beat(worker_id)
        requeue_stale_tasks()
        heartbeat = Heartbeat(worker_id)
        heartbeat.start()
        # Apps' start hooks (the warm PDF worker) run beside the first tasks.
        threading.Thread(target=worker_started, name="worker-start", daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
            WorkerHeartbeat.objects.filter(pk=worker_id).delete()
