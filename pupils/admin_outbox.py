"""The staff site's view of background work: the e-mail outbox (who, what
kind, how many attempts, the last error; never a message's body) with a
"send again" action, for the DPO; and background jobs with their progress
page (which refreshes itself while the job runs) and "try again"."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import jobs, outbox
from .admin_tools import SchoolScopedAdmin
from .models import Job, OutboxMessage, OutboxStatus

OUTBOX_FIELDS = (
    "to",
    "kind",
    "status",
    "attempts",
    "last_error",
    "created_at",
    "next_attempt_at",
    "sent_at",
)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(SchoolScopedAdmin):
    list_display = ("to", "kind", "status", "attempts", "last_error", "created_at")
    list_filter = ("status", "kind")
    # The body is never shown: it may carry a parent's consent link.
    fields = OUTBOX_FIELDS
    readonly_fields = OUTBOX_FIELDS
    actions = ["send_again"]
    date_hierarchy = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Send the selected e-mails again now"), permissions=["change"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        retried = 0
        for message in queryset.exclude(status=OutboxStatus.SENT):
            outbox.retry_message(actor=request.user, message=message)
            retried += 1
        messages.success(
            request,
            ngettext(
                "%(n)d e-mail queued to be sent again.",
                "%(n)d e-mails queued to be sent again.",
                retried,
            )
            % {"n": retried},
        )


@admin.register(Job)
class JobAdmin(SchoolScopedAdmin):
    """Background jobs of the school: the list, and each job's progress page."""

    list_display = ("title", "status", "done", "total", "created_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("created_by",)
    fields = ("title", "status", "done", "total", "error", "outcome", "created_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:job_id>/progress/", view(self.progress_view), name="pupils_job_progress"),
            path("<int:job_id>/retry/", view(self.retry_view), name="pupils_job_retry"),
            *super().get_urls(),
        ]

    def _job(self, request: HttpRequest, job_id: int) -> Job:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request).select_related("created_by"), pk=job_id)

    @staticmethod
    def _can_retry(request: HttpRequest, job: Job) -> bool:
        return job.created_by_id == request.user.pk or request.user.has_perm("pupils.change_job")

    def progress_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = self._job(request, job_id)
        context = {
            **self.admin_site.each_context(request),
            "title": job.title,
            "opts": self.opts,
            "job": job,
            "can_retry": self._can_retry(request, job),
            "results": jobs.result_links(job, request.user),
        }
        return TemplateResponse(request, "admin/pupils/job_progress.html", context)

    def retry_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self._job(request, job_id)
        if not self._can_retry(request, job):
            raise PermissionDenied
        try:
            jobs.retry_job(actor=request.user, job=job)
        except jobs.JobError as exc:
            messages.error(request, str(exc))
        return redirect("admin:pupils_job_progress", job.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The progress page is the job's page.
        self._ensure_visible(request, object_id)
        return redirect("admin:pupils_job_progress", int(object_id))
