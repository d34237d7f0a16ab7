"""Staff pages for subject access requests.

Any member of staff can log a request (a short form); the DPO handles it:
the change page's "Handling" fields call the services in ``sharing.access``
(pause, restart, extend, identity check, redaction decision, answered), so
each step is validated and audited exactly as anywhere else.
"""

from __future__ import annotations

import datetime
import io
import zipfile

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, F, IntegerField, Value, When
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pupils.admin_tools import ScopedAuditedAdmin
from pupils.models import Contact, School

from . import access, deadlines
from .models import (
    AccessRequest,
    AccessRequestStatus,
    ClockPause,
    IdentityCheck,
    PauseReason,
    RedactionDecision,
    RedactionGround,
    RedactionOutcome,
)
from .pdf import PdfRenderError

PRODUCE = "sharing.produce_access_response"
DUE_SOON_WORKING_DAYS = 5


def due_soon_limit(today):
    """The last day that counts as "due within 5 working days"."""
    day, counted = today, 0
    while counted < DUE_SOON_WORKING_DAYS:
        day = deadlines.next_working_day(day + datetime.timedelta(days=1))
        counted += 1
    return day


class UrgencyFilter(admin.SimpleListFilter):
    title = _("urgency")
    parameter_name = "urgency"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("soon", _("Due within 5 working days")),
            ("open", _("All open")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(today)
        if self.value() == "soon":
            return queryset.open().filter(due_on__gte=today, due_on__lte=due_soon_limit(today))
        if self.value() == "open":
            return queryset.open()
        return queryset


class ClockPauseInline(admin.TabularInline):
    model = ClockPause
    extra = 0
    can_delete = False
    fields = ("reason", "starts_on", "ends_on", "note")
    readonly_fields = fields

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


class HandlingForm(forms.ModelForm):
    """The request's own fields plus one optional step of each kind."""

    identity_method = forms.ChoiceField(
        label=_("Record identity check"),
        choices=[("", "---------"), *IdentityCheck.choices[1:]],
        required=False,
    )
    identity_on = forms.DateField(label=_("Identity checked on"), required=False)
    identity_why = forms.CharField(label=_("How, or why not needed"), required=False)
    pause_reason = forms.ChoiceField(
        label=_("Pause the clock"),
        choices=[("", "---------"), *PauseReason.choices],
        required=False,
    )
    pause_starts_on = forms.DateField(label=_("Asked on"), required=False)
    pause_note = forms.CharField(label=_("Pause note"), required=False)
    resume_on = forms.DateField(label=_("Restart the clock: answer received on"), required=False)
    extend_told_on = forms.DateField(label=_("Extend: requester told on"), required=False)
    extend_reason = forms.CharField(label=_("Why it needs more time"), required=False)
    redaction_contact = forms.ModelChoiceField(
        label=_("Decision about a contact"), queryset=Contact.objects.none(), required=False
    )
    redaction_item = forms.CharField(label=_("Or about this item"), required=False)
    redaction_outcome = forms.ChoiceField(
        label=_("Decision"), choices=[("", "---------"), *RedactionOutcome.choices], required=False
    )
    redaction_ground = forms.ChoiceField(
        label=_("Ground"), choices=[("", "---------"), *RedactionGround.choices], required=False
    )
    redaction_reason = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea)
    mark_answered_on = forms.DateField(label=_("Answered on"), required=False)

    class Meta:
        model = AccessRequest
        fields = [
            "requester_name",
            "requester_relationship",
            "requester_address",
            "channel",
            "details",
            "handler",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["redaction_contact"].queryset = Contact.objects.filter(
                pupil_links__pupil__in=self.instance.pupils.all()
            ).distinct()


class LogRequestForm(forms.ModelForm):
    received_at = forms.DateTimeField(
        label=_("Received at"),
        initial=timezone.now,
        help_text=_("When it reached any member of staff."),
    )

    class Meta:
        model = AccessRequest
        fields = [
            "school",
            "pupils",
            "requester_name",
            "requester_relationship",
            "requester_contact",
            "requester_address",
            "channel",
            "received_at",
            "details",
            "educational_record",
        ]


HANDLING_STEPS = (
    (_("Identity"), ("identity_method", "identity_on", "identity_why")),
    (_("Clock"), ("pause_reason", "pause_starts_on", "pause_note", "resume_on")),
    (_("Extension"), ("extend_told_on", "extend_reason")),
    (
        _("What is disclosed, redacted or withheld"),
        (
            "redaction_contact",
            "redaction_item",
            "redaction_outcome",
            "redaction_ground",
            "redaction_reason",
        ),
    ),
    (_("Answer"), ("mark_answered_on",)),
)


@admin.register(AccessRequest)
class AccessRequestAdmin(ScopedAuditedAdmin):
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
    actions = ["produce_response"]
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
    inlines = [ClockPauseInline, RedactionInline]

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
        label = f"{obj.due_on.day} {obj.due_on:%B %Y}"
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
        kwargs["form"] = HandlingForm if obj is not None else LogRequestForm
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
            (_("Who asked"), {"fields": HandlingForm.Meta.fields}),
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
        if obj.is_open and request.user.has_perm("sharing.handle_access_request"):
            base += [(title, {"fields": fields}) for title, fields in HANDLING_STEPS]
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

    # --- Saving: through the services -----------------------------------------
    def save_model(self, request, obj, form, change):
        if not change:
            data = form.cleaned_data
            created = access.open_access_request(
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
            obj.pk, obj.received_on, obj._state.adding = created.pk, created.received_on, False
            return
        super().save_model(request, obj, form, change)
        try:
            self._handle_steps(request, obj, form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(request, message, messages.ERROR)

    def save_related(self, request, form, formsets, change):
        if change:  # pupils are set by the service on add and never changed after
            super().save_related(request, form, formsets, change)

    def _handle_steps(self, request, obj, data) -> None:
        actor = user = request.user
        if data.get("identity_method"):
            access.record_identity_check(
                actor=actor,
                request=obj,
                method=data["identity_method"],
                checked_on=data.get("identity_on") or timezone.localdate(),
                note=data.get("identity_why", ""),
            )
        if data.get("resume_on"):
            access.resume_clock(actor=actor, request=obj, ends_on=data["resume_on"])
        if data.get("pause_reason"):
            access.pause_clock(
                actor=actor,
                request=obj,
                reason=data["pause_reason"],
                starts_on=data.get("pause_starts_on") or timezone.localdate(),
                note=data.get("pause_note", ""),
            )
        if data.get("extend_told_on") or data.get("extend_reason"):
            if not data.get("extend_told_on"):
                raise ValidationError(_("Say when the requester was told of the extension."))
            access.extend_request(
                actor=actor,
                request=obj,
                told_on=data["extend_told_on"],
                reason=data.get("extend_reason", ""),
            )
        if data.get("redaction_outcome"):
            access.record_redaction(
                actor=user,
                request=obj,
                outcome=data["redaction_outcome"],
                ground=data.get("redaction_ground", ""),
                reason=data.get("redaction_reason", ""),
                contact=data.get("redaction_contact"),
                item=data.get("redaction_item", ""),
            )
        if data.get("mark_answered_on"):
            access.mark_answered(actor=actor, request=obj, answered_on=data["mark_answered_on"])

    # --- The response PDF -------------------------------------------------------
    @admin.action(description=_("Produce the response PDF"), permissions=["produce"])
    def produce_response(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one request."), messages.WARNING)
            return None
        sar = queryset.get()
        files = []
        try:
            for pupil in sar.pupils.order_by("id"):
                pdf = access.produce_access_response(actor=request.user, request=sar, pupil=pupil)
                files.append((f"subject-access-{sar.pk}-{pupil.pk}.pdf", pdf))
        except (PdfRenderError, ValidationError) as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        if len(files) == 1:
            name, body = files[0]
            response = HttpResponse(body, content_type="application/pdf")
        else:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                for name, body in files:
                    archive.writestr(name, body)
            name, response = (
                f"subject-access-{sar.pk}.zip",
                HttpResponse(buffer.getvalue(), content_type="application/zip"),
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response

    def has_produce_permission(self, request):
        return request.user.has_perm(PRODUCE)
