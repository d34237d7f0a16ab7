"""Staff pages for subject access requests.

Any member of staff can log a request (a short form, through
``services.open_access_request``). The change page looks the request up and
corrects its details; handling it (identity, the clock, the extension,
redaction decisions, the answer) is the explicit "Handle this request" view
(``views.handle_view``), one service call for all its steps.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from sharing.staff import (
    IDENTITY_AND_EXTENSION,
    ClockedRequestAdmin,
    PauseInline,
    ReadOnlyInline,
    UrgencyFilter,
    mount,
    open_first,
)

from . import services, tasks, views
from .forms import CorrectRequestForm, LogRequestForm
from .models import (
    OPEN_STATUSES,
    AccessRequest,
    AccessResponse,
    ClockPause,
    RedactionDecision,
    SystemSearch,
)

PRODUCE = "sharing.produce_access_response"


class ClockPauseInline(PauseInline):
    model = ClockPause


class ResponseInline(ReadOnlyInline):
    model = AccessResponse
    fields = (
        "pupil",
        "produced_at",
        "produced_by",
        "file_sha256",
        "sent_on",
        "sent_method",
        "sent_to",
    )
    verbose_name_plural = _("responses produced, and sent")


class SearchInline(ReadOnlyInline):
    model = SystemSearch
    fields = ("system", "detail", "searched_by", "searched_on")
    verbose_name_plural = _("systems searched (besides this application's record)")


class RedactionInline(ReadOnlyInline):
    model = RedactionDecision
    fields = ("contact", "item", "outcome", "ground", "reason", "decided_by", "decided_on")


@admin.register(AccessRequest)
class AccessRequestAdmin(ClockedRequestAdmin):
    handle_permission = views.HANDLE
    list_display = (
        "received_on",
        "due",
        "status",
        "requester_name",
        "requester_relationship",
        "pupil_count",
        "educational_record",
        "handler",
    )
    list_filter = (UrgencyFilter, "status", "educational_record")
    list_select_related = ("handler",)
    actions = ["produce_response", "produce_draft"]
    inlines = [ClockPauseInline, SearchInline, RedactionInline, ResponseInline]
    add_form = LogRequestForm
    change_form = CorrectRequestForm
    change_fieldsets = (
        (
            None,
            {
                "fields": (
                    "school",
                    "pupil_list",
                    "received_at",
                    "received_on",
                    "status",
                    "due_on",
                    "educational_record",
                    "logged_by",
                    "answered_on",
                )
            },
        ),
        (_("Who asked"), {"fields": CorrectRequestForm.Meta.fields}),
        IDENTITY_AND_EXTENSION,
    )

    ordering = open_first(OPEN_STATUSES)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_pupils=Count("pupils"))

    @admin.display(description=_("pupils"), ordering="n_pupils")
    def pupil_count(self, obj):
        return obj.n_pupils

    @admin.display(description=_("pupils"))
    def pupil_list(self, obj):
        return ", ".join(str(p) for p in obj.pupils.all())

    # --- Handling: an explicit view ---------------------------------------------
    def get_urls(self):
        return [
            mount(
                self, "<path:object_id>/handle/", views.handle_view, "sharing_accessrequest_handle"
            ),
            mount(self, "<path:object_id>/sent/", views.sent_view, "sharing_accessrequest_sent"),
            mount(
                self,
                "<path:object_id>/file/<int:file_id>/",
                views.file_view,
                "sharing_accessrequest_file",
            ),
            *super().get_urls(),
        ]

    def change_context(self, request, obj):
        return {
            "can_record_sent": bool(obj and request.user.has_perm(views.PRODUCE)),
            "requester_warning": services.requester_warning(obj) if obj else "",
        }

    # --- Logging a request: through the service -------------------------------
    def add_with_service(self, request, data):
        return services.open_access_request(
            actor=request.user,
            school=data["school"],
            pupils=data["pupils"],
            requester_name=data["requester_name"],
            requester_relationship=data["requester_relationship"],
            channel=data["channel"],
            received_at=data["received_at"],
            details=data["details"],
            requester_contact=data["requester_contact"],
            requester_address=data["requester_address"],
            educational_record=data["educational_record"],
        )

    # --- The response PDF -------------------------------------------------------
    @admin.action(description=_("Produce the response PDF"), permissions=["produce"])
    def produce_response(self, request, queryset):
        return self._produce(request, queryset, draft=False)

    @admin.action(
        description=_("Produce a draft to read (not for sending)"), permissions=["produce"]
    )
    def produce_draft(self, request, queryset):
        return self._produce(request, queryset, draft=True)

    def _produce(self, request, queryset, *, draft: bool):
        """A background job renders every pupil's PDF; the page goes to the
        job's progress page, which links to the files when they are ready.
        Refused at once while identity is unchecked (drafts apart); never
        logs a disclosure (that is "record sent")."""
        if queryset.count() != 1:
            self.message_user(request, _("Choose one request."), messages.WARNING)
            return None
        try:
            job = tasks.start_producing(actor=request.user, request=queryset.get(), draft=draft)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return None
        return redirect("admin:pupils_job_progress", job.pk)

    def has_produce_permission(self, request):
        return request.user.has_perm(PRODUCE)
