"""Rights requests and complaints in the staff site.

Any member of staff logs a request or a complaint (a short form, through
the services) and reads them; the DPO handles them in explicit views
(``views``): one form, one service call, one redirect. Neither is ever
deleted: a request is withdrawn, a complaint closed. Staff guide:
docs/rights.md.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.admin_tools import ScopedAuditedAdmin
from sharing.staff import (
    IDENTITY_AND_EXTENSION,
    AddedByServiceAdmin,
    ClockedRequestAdmin,
    PauseInline,
    UrgencyFilter,
    due_label,
    mount,
    open_first,
)

from . import complaints, services, views
from .forms import (
    CorrectComplaintForm,
    CorrectRightsRequestForm,
    LogComplaintForm,
    LogRightsRequestForm,
)
from .models import (
    OPEN_STATUSES,
    Complaint,
    ComplaintStatus,
    RightsPause,
    RightsRequest,
)


class RightsPauseInline(PauseInline):
    model = RightsPause


@admin.register(RightsRequest)
class RightsRequestAdmin(ClockedRequestAdmin):
    handle_permission = views.HANDLE
    list_display = ("received_on", "due", "kind", "status", "requester_name", "decision")
    list_filter = (UrgencyFilter, "kind", "status", "decision")
    inlines = [RightsPauseInline]
    add_form = LogRightsRequestForm
    change_form = CorrectRightsRequestForm
    change_fieldsets = (
        (None, {"fields": ("school", "kind", "received_at", "received_on", "status", "due_on")}),
        (_("Who asked, about whom"), {"fields": ("pupil_named", "pupil_born_on", "channel")}),
        (None, {"fields": CorrectRightsRequestForm.Meta.fields}),
        IDENTITY_AND_EXTENSION,
        (
            _("Decision"),
            {
                "fields": (
                    "decision",
                    "decision_reason",
                    "changes_made",
                    "decided_on",
                    "decided_by",
                    "exported_at",
                    "logged_by",
                )
            },
        ),
    )
    ordering = open_first(OPEN_STATUSES)

    def get_urls(self):
        return [
            # Every kind of request by due date (access, rights, complaints).
            mount(self, "due/", views.requests_due_view, "sharing_requests_due"),
            mount(
                self, "<path:object_id>/handle/", views.handle_view, "sharing_rightsrequest_handle"
            ),
            mount(
                self,
                "<path:object_id>/portable/",
                views.portable_view,
                "sharing_rightsrequest_portable",
            ),
            *super().get_urls(),
        ]

    def add_with_service(self, request, data):
        return services.open_rights_request(
            actor=request.user,
            school=data["school"],
            kind=data["kind"],
            pupils=data["pupils"],
            requester_name=data["requester_name"],
            requester_relationship=data["requester_relationship"],
            requester_contact=data["requester_contact"],
            requester_email=data["requester_email"],
            requester_address=data["requester_address"],
            channel=data["channel"],
            received_at=data["received_at"],
            details=data["details"],
        )


@admin.register(Complaint)
class ComplaintAdmin(AddedByServiceAdmin, ScopedAuditedAdmin):
    list_display = ("received_on", "acknowledge", "status", "complainant_name", "outcome_told_on")
    list_filter = ("status",)
    search_fields = ("complainant_name",)
    show_full_result_count = False
    readonly_fields = (
        "school",
        "complainant_email",
        "channel",
        "received_at",
        "received_on",
        "acknowledge_by",
        "status",
        "acknowledged_on",
        "outcome",
        "outcome_told_on",
        "logged_by",
    )
    add_form = LogComplaintForm
    change_form = CorrectComplaintForm
    change_fieldsets = (
        (None, {"fields": readonly_fields[:7]}),
        (None, {"fields": CorrectComplaintForm.Meta.fields}),
        (_("Outcome"), {"fields": readonly_fields[7:]}),
    )
    ordering = (
        Case(
            When(status=ComplaintStatus.RECEIVED, then=Value(0)),
            When(status=ComplaintStatus.ACKNOWLEDGED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ).asc(),
        "acknowledge_by",
        "received_at",
        "id",
    )

    @admin.display(description=_("acknowledge by"), ordering="acknowledge_by")
    def acknowledge(self, obj):
        if obj.status != ComplaintStatus.RECEIVED:
            return "-"
        return due_label(obj.acknowledge_by, timezone.localdate())

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and request.user.has_perm(
            views.HANDLE_COMPLAINT
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            mount(
                self,
                "<path:object_id>/acknowledge/",
                views.acknowledge_view,
                "sharing_complaint_acknowledge",
            ),
            mount(
                self, "<path:object_id>/outcome/", views.outcome_view, "sharing_complaint_outcome"
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_handle": request.user.has_perm(views.HANDLE_COMPLAINT),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def add_with_service(self, request, data):
        return complaints.log_complaint(
            actor=request.user,
            school=data["school"],
            complainant_name=data["complainant_name"],
            complainant_email=data["complainant_email"],
            complainant_address=data["complainant_address"],
            channel=data["channel"],
            received_at=data["received_at"],
            summary=data["summary"],
        )
