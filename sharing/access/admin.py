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
from django.db.models import Case, Count, F, IntegerField, Value, When
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pupils.admin_tools import ScopedAuditedAdmin
from pupils.models import Contact, School
from sharing.dates import long_date
from sharing.deadlines import due_soon_limit
from sharing.staff import AddedByServiceAdmin, UrgencyFilter, mount

from . import services, tasks, views
from .forms import CorrectRequestForm, LogRequestForm
from .models import (
    AccessRequest,
    AccessRequestStatus,
    AccessResponse,
    ClockPause,
    RedactionDecision,
    SystemSearch,
)

PRODUCE = "sharing.produce_access_response"


class ClockPauseInline(admin.TabularInline):
    model = ClockPause
    extra = 0
    can_delete = False
    fields = ("reason", "starts_on", "ends_on", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ResponseInline(admin.TabularInline):
    model = AccessResponse
    extra = 0
    can_delete = False
    fields = (
        "pupil",
        "produced_at",
        "produced_by",
        "file_sha256",
        "sent_on",
        "sent_method",
        "sent_to",
    )
    readonly_fields = fields
    verbose_name_plural = _("responses produced, and sent")

    def has_add_permission(self, request, obj=None):
        return False


class SearchInline(admin.TabularInline):
    model = SystemSearch
    extra = 0
    can_delete = False
    fields = ("system", "detail", "searched_by", "searched_on")
    readonly_fields = fields
    verbose_name_plural = _("systems searched (besides this application's record)")

    def has_add_permission(self, request, obj=None):
        return False


class RedactionInline(admin.TabularInline):
    model = RedactionDecision
    extra = 0
    can_delete = False
    fields = ("contact", "item", "outcome", "ground", "reason", "decided_by", "decided_on")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AccessRequest)
class AccessRequestAdmin(AddedByServiceAdmin, ScopedAuditedAdmin):
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
    search_fields = ("requester_name",)
    autocomplete_fields = ("pupils", "requester_contact")
    show_full_result_count = False
    actions = ["produce_response", "produce_draft"]
    readonly_fields = (
        "school",
        "pupil_list",
        "received_at",
        "received_on",
        "status",
        "due_on",
        "educational_record",
        "identity_check",
        "identity_checked_on",
        "identity_note",
        "extended_on",
        "extension_reason",
        "answered_on",
        "logged_by",
    )
    inlines = [ClockPauseInline, SearchInline, RedactionInline, ResponseInline]

    # --- List ---------------------------------------------------------------
    # Open requests first, soonest due first (paused ones, with no due date,
    # after them), then answered and withdrawn ones.
    ordering = (
        Case(
            When(status__in=[AccessRequestStatus.OPEN, AccessRequestStatus.PAUSED], then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ).asc(),
        F("due_on").asc(nulls_last=True),
        "received_at",
        "id",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_pupils=Count("pupils"))

    @admin.display(description=_("pupils"), ordering="n_pupils")
    def pupil_count(self, obj):
        return obj.n_pupils

    @admin.display(description=_("due"), ordering="due_on")
    def due(self, obj):
        if not obj.is_open:
            return "-"
        if obj.due_on is None:
            return _("Clock paused")
        today = timezone.localdate()
        label = long_date(obj.due_on)
        if obj.due_on < today:
            return format_html('<strong class="sar-overdue">{} ({})</strong>', label, _("overdue"))
        if obj.due_on <= due_soon_limit(today):
            return format_html(
                '<strong class="sar-due-soon">{} ({})</strong>', label, _("due soon")
            )
        return label

    @admin.display(description=_("pupils"))
    def pupil_list(self, obj):
        return ", ".join(str(p) for p in obj.pupils.all())

    # --- Forms ----------------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = CorrectRequestForm if obj is not None else LogRequestForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": LogRequestForm.Meta.fields})]
        base = [
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
            (
                _("Identity and extension"),
                {
                    "fields": (
                        "identity_check",
                        "identity_checked_on",
                        "identity_note",
                        "extended_on",
                        "extension_reason",
                    )
                },
            ),
        ]
        return base

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "requester_contact":
            kwargs["queryset"] = Contact.objects.filter(
                school__in=School.objects.visible_to(request.user)
            )
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        if db_field.name == "handler":  # staff of this school only
            kwargs["queryset"] = db_field.related_model.objects.filter(
                is_active=True,
                staff_profile__school__in=School.objects.visible_to(request.user),
            )
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and request.user.has_perm(
            "sharing.handle_access_request"
        )

    def has_delete_permission(self, request, obj=None):
        return False  # a logged request is part of the record: withdraw it instead

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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        can_handle = bool(obj and obj.is_open and request.user.has_perm(views.HANDLE))
        extra_context = {
            **(extra_context or {}),
            "can_handle": can_handle,
            "can_record_sent": bool(obj and request.user.has_perm(views.PRODUCE)),
            "requester_warning": services.requester_warning(obj) if obj else "",
        }
        return super().change_view(request, object_id, form_url, extra_context)

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
