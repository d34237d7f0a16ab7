"""The real queue: django-tasks-db workers, run as separate processes
against PostgreSQL (row locks: SELECT ... FOR UPDATE SKIP LOCKED).

- two workers never run one task;
- a worker killed with SIGKILL mid-task leaves the task to the next worker
  (heartbeat and lease, pupils.tasks.requeue_stale_tasks).
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pupils.models import WorkerHeartbeat
from pupils.tasks import MAX_WORKER_LOSSES, requeue_stale_tasks

from .worker_tasks import append_line

BASE_DIR = Path(settings.BASE_DIR)
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locks across processes"
)


def start_worker(*args: str, lease: int = 60) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "TASK_HEARTBEAT_SECONDS": "1",
        "TASK_WORKER_LEASE_SECONDS": str(lease),
        "DEBUG": "true",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-startup-delay", "--interval", "0.2", *args],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(predicate, what: str, limit: float = 60) -> None:
    # Not a timing assertion: a generous bound so a broken worker fails the
    # test instead of hanging it.
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.postgres_only
@postgres_only
@override_settings(TASKS=DB_QUEUE)
def test_two_workers_run_each_task_exactly_once(tmp_path):
    out = tmp_path / "runs.txt"
    ids = [str(i) for i in range(30)]
    for i in ids:
        append_line.enqueue(path=str(out), line=i, seconds=0.05)

    workers = [start_worker("--batch") for _ in range(2)]
    outputs = [w.communicate(timeout=120)[0] for w in workers]

    assert [w.returncode for w in workers] == [0, 0], outputs
    started = [line.split()[1] for line in out.read_text().splitlines() if line.startswith("start")]
    assert sorted(started, key=int) == ids  # every task once, none twice
    assert DBTaskResult.objects.successful().count() == len(ids)
    claimed_by = {r.worker_ids[0] for r in DBTaskResult.objects.all()}
    assert len(claimed_by) == 2, "both workers took tasks from the one queue"


@pytest.mark.postgres_only
@postgres_only
@override_settings(TASKS=DB_QUEUE)
def test_a_task_whose_worker_is_killed_is_run_again_by_the_next_worker(tmp_path):
    out = tmp_path / "runs.txt"
    result = append_line.enqueue(path=str(out), line="the-task", seconds=3)

    first = start_worker(lease=3)
    wait_for(lambda: out.exists() and "start" in out.read_text(), "the first worker to start")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.RUNNING  # left behind by the dead worker

    second = start_worker("--max-tasks", "1", lease=3)
    output = second.communicate(timeout=120)[0]

    assert second.returncode == 0, output
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert len(row.worker_ids) == 2 and row.worker_ids[0] != row.worker_ids[1]
    assert out.read_text().splitlines() == ["start the-task", "start the-task", "done the-task"]
    assert not WorkerHeartbeat.objects.exists()  # the dead one's row is cleared, the live one's too


@override_settings(TASKS=DB_QUEUE)
def test_a_running_task_of_a_live_worker_is_left_alone():
    result = append_line.enqueue(path="/dev/null", line="x")
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="alive", hostname="h", pid=1, last_seen=now)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["alive"], started_at=now
    )

    assert requeue_stale_tasks(now=now) == 0
    assert requeue_stale_tasks(now=now + datetime.timedelta(minutes=5)) == 1
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY


@override_settings(TASKS=DB_QUEUE)
def test_a_task_that_keeps_killing_its_workers_is_marked_failed_not_retried_for_ever():
    result = append_line.enqueue(path="/dev/null", line="x")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["a", "b", "c"][:MAX_WORKER_LOSSES]
    )

    assert requeue_stale_tasks() == 0
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "pupils.tasks.WorkerLost"
