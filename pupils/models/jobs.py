"""Background work: long staff jobs with progress (``pupils.jobs``) and the
workers' heartbeats that let a crashed worker's task be run again
(``pupils.tasks``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A long piece of staff work run by a worker: what it is, how far it
    has got, and, if it failed, why in plain words."""

    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("what"), max_length=200)
    school = models.ForeignKey(
        "pupils.School", verbose_name=_("school"), on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # The task that does the work and its keyword arguments (ids only,
    # never personal data): a retry enqueues the same again.
    task_path = models.CharField(_("task"), max_length=200)
    arguments = models.JSONField(_("arguments"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    error = models.CharField(_("what went wrong"), max_length=500, blank=True)
    outcome = models.CharField(_("outcome"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        constraints = [
            models.CheckConstraint(
                condition=Q(total=0) | Q(done__lte=models.F("total")), name="job_done_within_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class WorkerHeartbeat(models.Model):
    """A running worker process. Its row is touched every few seconds; a task
    left RUNNING by a worker whose row has gone stale is put back in the queue."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=200)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("worker")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"
