"""The breach register in the staff site.

Any member of staff reports a suspected breach (a short form, through
``services.report_breach``) and sees the breaches they reported; the DPO
sees them all, most urgent first, and assesses each one and records the
notifications in explicit views (``views``). No breach is ever deleted
(Art 33(5)). Staff guide: docs/breaches.md.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pupils.admin_tools import ScopedAuditedAdmin
from pupils.models import School
from sharing.staff import AddedByServiceAdmin, mount

from . import services, views
from .forms import CorrectBreachForm, ReportBreachForm
from .models import Breach, BreachNotification, Urgency, urgency_at

ASSESS = views.ASSESS


class UrgencyFilter(admin.SimpleListFilter):
    title = _("ICO deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("urgent", _("Overdue or due within 24 hours")),
            ("overdue", _("Overdue")),
            ("soon", _("Due within 24 hours")),
            ("unassessed", _("Not assessed yet")),
            ("pending", _("ICO decision or report pending")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "urgent":
            return queryset.filter(urgency__in=[Urgency.OVERDUE, Urgency.DUE_SOON])
        if self.value() == "overdue":
            return queryset.overdue(now)
        if self.value() == "soon":
            return queryset.due_soon(now)
        if self.value() == "unassessed":
            return queryset.filter(assessed_at__isnull=True)
        if self.value() == "pending":
            return queryset.ico_pending()
        return queryset


class NotificationInline(admin.TabularInline):
    model = BreachNotification
    extra = 0
    can_delete = False
    fields = ("audience", "notified_at", "method", "reference", "content", "letter")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(ASSESS)

    @admin.display(description=_("letter"))
    def letter(self, obj):
        if not obj.is_letter:
            return "-"
        url = reverse("admin:sharing_breach_letter", args=[obj.breach_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Letter (PDF)"))


RISK_TAGS = {
    "unlikely": ("ok", _("Unlikely")),
    "risk": ("due-soon", _("Risk")),
    "high": ("overdue", _("High risk")),
}


@admin.register(Breach)
class BreachAdmin(AddedByServiceAdmin, ScopedAuditedAdmin):
    list_display = (
        "breach_reference",
        "deadline",
        "short_summary",
        "people",
        "risk_tag",
    )
    list_display_links = ("breach_reference",)
    list_filter = (UrgencyFilter, "risk", "ico_decision", "tell_people")
    search_fields = ("summary", "data_involved")
    autocomplete_fields = ("pupils",)
    show_full_result_count = False
    inlines = [NotificationInline]
    readonly_fields = (
        "breach_reference",
        "school",
        "discovered_at",
        "occurred_at",
        "report_due_at",
        "reported_by",
        "reported_at",
        "categories_display",
        "people_categories_display",
        "pupil_list",
        "likelihood",
        "severity",
        "risk",
        "likely_consequences",
        "containment",
        "ico_decision",
        "ico_reason",
        "ico_notified_at",
        "tell_people",
        "tell_people_by",
        "tell_people_reason",
        "assessed_by",
        "assessed_at",
    )

    # --- Who sees what ---------------------------------------------------------------
    def get_queryset(self, request):
        qs = super().get_queryset(request).with_urgency(timezone.now())
        if not request.user.has_perm(ASSESS):
            return qs.filter(reported_by=request.user)  # their own reports only
        return qs

    def get_ordering(self, request):
        # Overdue first, then due within 24 hours, then the rest on the
        # clock, then those reported or decided; soonest deadline first.
        return [urgency_at(timezone.now()).asc(), "report_due_at", "id"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and request.user.has_perm(ASSESS)

    def has_delete_permission(self, request, obj=None):
        return False  # every breach stays in the register (Art 33(5))

    # --- The list --------------------------------------------------------------------
    @admin.display(description=_("reference"), ordering="id")
    def breach_reference(self, obj):
        return obj.reference

    @admin.display(description=_("ICO deadline"), ordering="report_due_at")
    def deadline(self, obj):
        due = f"{timezone.localtime(obj.report_due_at):%d %b %Y %H:%M}"
        if obj.urgency == Urgency.OVERDUE:
            return format_html('<strong class="breach-overdue">{} ({})</strong>', due, _("overdue"))
        if obj.urgency == Urgency.DUE_SOON:
            return format_html(
                '<strong class="breach-due-soon">{} ({})</strong>', due, _("due soon")
            )
        if obj.ico_notified_at:
            return _("Reported")
        if obj.urgency == Urgency.SETTLED:
            return _("Not reportable")
        return due

    @admin.display(description=_("what happened"))
    def short_summary(self, obj):
        text = obj.summary
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description=_("risk"), ordering="risk")
    def risk_tag(self, obj):
        # Short, as a tag: the ICO decision shows in the deadline column
        # ("Reported", "Not reportable"), the full wording on the breach.
        if not obj.risk:
            return format_html('<span class="tag tag--to-do">{}</span>', _("Not assessed"))
        kind, label = RISK_TAGS[obj.risk]
        return format_html('<span class="tag tag--{}">{}</span>', kind, label)

    @admin.display(description=_("people"), ordering="people_affected")
    def people(self, obj):
        return obj.people_affected

    @admin.display(description=_("kinds of data"))
    def categories_display(self, obj):
        return obj.get_categories_display() or "-"

    @admin.display(description=_("whose data"))
    def people_categories_display(self, obj):
        return obj.get_people_categories_display()

    @admin.display(description=_("pupils concerned"))
    def pupil_list(self, obj):
        return ", ".join(str(p) for p in obj.pupils.all()) or "-"

    # --- Forms -------------------------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = CorrectBreachForm if obj is not None else ReportBreachForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_changeform_initial_data(self, request):
        # One school (nearly everyone): chosen already, one field fewer to fill.
        initial = super().get_changeform_initial_data(request)
        schools = list(School.objects.visible_to(request.user)[:2])
        if len(schools) == 1:
            initial.setdefault("school", schools[0].pk)
        return initial

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ReportBreachForm.Meta.fields})]
        return [
            (
                None,
                {
                    "fields": (
                        "breach_reference",
                        "school",
                        "discovered_at",
                        "occurred_at",
                        "report_due_at",
                        "reported_by",
                        "reported_at",
                    )
                },
            ),
            (
                _("What happened"),
                {
                    "fields": (
                        *CorrectBreachForm.Meta.fields,
                        "categories_display",
                        "people_categories_display",
                        "pupil_list",
                    )
                },
            ),
            (
                _("The DPO's assessment"),
                {
                    "fields": (
                        "likelihood",
                        "severity",
                        "risk",
                        "likely_consequences",
                        "containment",
                        "ico_decision",
                        "ico_reason",
                        "ico_notified_at",
                        "tell_people",
                        "tell_people_by",
                        "tell_people_reason",
                        "assessed_by",
                        "assessed_at",
                    )
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def add_with_service(self, request, data):
        return services.report_breach(
            actor=request.user,
            school=data["school"],
            summary=data["summary"],
            discovered_at=data["discovered_at"],
            occurred_at=data["occurred_at"],
            noticed_by=data["noticed_by"],
            data_involved=data["data_involved"],
            categories=data["categories"],
            people_categories=data["people_categories"],
            pupils=data["pupils"],
            people_affected=data["people_affected"],
        )

    # --- The DPO's steps: explicit views ------------------------------------------------
    def get_urls(self):
        return [
            mount(self, "<path:object_id>/assess/", views.assess_view, "sharing_breach_assess"),
            mount(self, "<path:object_id>/notify/", views.notify_view, "sharing_breach_notify"),
            mount(
                self,
                "<path:object_id>/notifications/<int:notification_id>/letter/",
                views.letter_view,
                "sharing_breach_letter",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_assess": request.user.has_perm(ASSESS)}
        return super().change_view(request, object_id, form_url, extra_context)
