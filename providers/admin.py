"""Staff screens: providers with their review state, versioned risk
assessments, and the privacy notice (draft, preview, publish).

Every write goes through ``providers.services`` (or the audited admin save
followed by the cache invalidation), so the trail and /privacy stay true.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from pupils.admin_tools import ScopedAuditedAdmin
from pupils.models import NCYear, School, sees_every_school

from . import review, services
from .models import (
    AssessmentAnswer,
    DataCategory,
    Decision,
    PrivacyNotice,
    Provider,
    Rating,
    RiskAssessment,
)
from .review import ReviewState
from .views import page_context


class ReviewFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            (ReviewState.OVERDUE, _("Overdue")),
            (ReviewState.DUE, _("Due within %(days)d days") % {"days": review.DUE_SOON_DAYS}),
            (ReviewState.NONE, _("Never assessed")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is not None and value in ReviewState:
            return queryset.with_review_state(ReviewState(value), timezone.localdate())
        return queryset


class ProviderForm(forms.ModelForm):
    data_categories = forms.MultipleChoiceField(
        label=_("categories of data it receives"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Medical, SEN, ethnicity and biometric data are special category data."),
    )
    year_groups = forms.MultipleChoiceField(
        label=_("year groups that use it"),
        choices=NCYear.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every year group. Families are asked only about these."),
    )

    class Meta:
        model = Provider
        fields = [
            "school",
            "name",
            "service",
            "purpose",
            "website",
            "privacy_policy_url",
            "role",
            "data_categories",
            "data_fields",
            "pupils_covered",
            "storage_location",
            "storage_detail",
            "dpa_signed_on",
            "certifications",
            "retention",
            "status",
            "lawful_basis",
            "offline_alternative",
            "notes",
            "kind",
            "year_groups",
        ]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        status = cleaned.get("status")
        # Only a change of status is checked: a provider already in use whose
        # latest review rejects it can still have its record corrected.
        if status and "status" in self.changed_data:
            try:
                services.check_status_allowed(self.instance, status)
            except ValidationError as exc:
                self.add_error("status", exc)
        return cleaned


@admin.register(Provider)
class ProviderAdmin(ScopedAuditedAdmin):
    form = ProviderForm
    list_display = (
        "service",
        "name",
        "school",
        "status",
        "lawful_basis",
        "last_rating_display",
        "last_decision_display",
        "next_review_display",
    )
    list_filter = ("status", ReviewFilter, "lawful_basis", "storage_location")
    list_select_related = ("school",)
    search_fields = ("service", "name")
    actions = ["start_assessments"]
    fieldsets = (
        (
            None,
            {"fields": ("school", "name", "service", "purpose", "website", "privacy_policy_url")},
        ),
        (
            _("Data"),
            {
                "fields": (
                    "role",
                    "data_categories",
                    "data_fields",
                    "pupils_covered",
                    "storage_location",
                    "storage_detail",
                )
            },
        ),
        (
            _("Contract and safeguards"),
            {"fields": ("dpa_signed_on", "certifications", "retention")},
        ),
        (
            _("Use"),
            {
                "fields": (
                    "status",
                    "lawful_basis",
                    "kind",
                    "year_groups",
                    "offline_alternative",
                    "notes",
                )
            },
        ),
    )

    class Media:
        css = {"all": ["css/providers-admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_last_assessment()

    def get_list_display(self, request):
        # The school column only helps staff who see several schools.
        if sees_every_school(request.user):
            return self.list_display
        return tuple(f for f in self.list_display if f != "school")

    @admin.display(description=_("last rating"), ordering="last_rating")
    def last_rating_display(self, obj):
        if not obj.last_rating:
            return "–"
        return format_html(
            '<span class="rag rag--{}">{}</span>', obj.last_rating, Rating(obj.last_rating).label
        )

    @admin.display(description=_("decision"), ordering="last_decision")
    def last_decision_display(self, obj):
        return Decision(obj.last_decision).label if obj.last_decision else "–"

    @admin.display(description=_("next review"), ordering="next_review_on")
    def next_review_display(self, obj):
        state = review.review_state(obj.next_review_on, timezone.localdate())
        if state == ReviewState.NONE:
            return format_html('<span class="review review--none">{}</span>', _("never assessed"))
        labels = {
            ReviewState.OVERDUE: _("(overdue)"),
            ReviewState.DUE: _("(due soon)"),
            ReviewState.OK: "",
        }
        return format_html(
            '<span class="review review--{}">{} {}</span>',
            state,
            date_format(obj.next_review_on, "j F Y"),
            labels[state],
        )

    def save_model(self, request, obj, form, change):
        services.save_provider(provider=obj, actor=request.user, fields=form.changed_data)

    @admin.action(description=_("Start a new risk assessment"), permissions=["add_assessment"])
    def start_assessments(self, request, queryset):
        started = services.start_assessments(providers=queryset, actor=request.user)
        if len(started) == 1:
            return HttpResponseRedirect(
                reverse("admin:providers_riskassessment_change", args=[started[0].pk])
            )
        self.message_user(request, _("Draft assessments started."), messages.SUCCESS)
        return None

    def has_add_assessment_permission(self, request):
        return request.user.has_perm("providers.add_riskassessment")


class AnswerInline(admin.TabularInline):
    model = AssessmentAnswer
    fields = ("criterion", "answer", "evidence")
    readonly_fields = ("criterion",)
    extra = 0
    can_delete = False
    formfield_overrides = {}

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["widgets"] = {"evidence": forms.Textarea(attrs={"rows": 2, "cols": 60})}
        return super().get_formset(request, obj, **kwargs)


if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    # The mixin below is only ever mixed into model admins.
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class PublishButtonMixin(_AdminBase):
    """A "Publish" button on the change form of a draft; the service does
    the work and refuses what cannot be published."""

    change_form_template = "admin/providers/publish_change_form.html"
    publish_permission = ""

    def publish(self, request, obj) -> None:
        raise NotImplementedError

    def _can_publish(self, request, obj) -> bool:
        return (
            obj is not None
            and not obj.is_published
            and request.user.has_perm(f"providers.{self.publish_permission}")
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_publish"] = self._can_publish(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        if "_publish" in request.POST and self._can_publish(request, obj):
            try:
                self.publish(request, obj)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return HttpResponseRedirect(request.path)
            self.message_user(request, _("Published. It can no longer be changed."))
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(PublishButtonMixin, ScopedAuditedAdmin):
    school_path = "provider__school"
    publish_permission = "publish_riskassessment"
    list_display = (
        "provider",
        "version",
        "status",
        "rating_display",
        "decision",
        "assessed_on",
        "next_review_on",
        "assessor",
    )
    list_filter = ("status", "rating", "decision")
    list_select_related = ("provider", "assessor")
    search_fields = ("provider__service", "provider__name")

    inlines = [AnswerInline]
    fields = (
        "provider",
        "version",
        "status",
        "assessed_on",
        "assessor",
        "decision",
        "conditions",
        "next_review_on",
        "notes",
        "rating_display",
        "storage_location",
        "special_category",
        "published_at",
    )
    readonly_fields = (
        "provider",
        "version",
        "status",
        "assessor",
        "rating_display",
        "storage_location",
        "special_category",
        "published_at",
    )

    class Media:
        css = {"all": ["css/providers-admin.css"]}

    def has_add_permission(self, request):
        # New reviews start from a provider ("Start a new risk assessment"),
        # so that the version and the criteria rows are always right.
        return False

    @admin.display(description=_("rating"))
    def rating_display(self, obj):
        label: str | StrPromise
        if obj.rating:
            level = obj.rating
            label = Rating(level).label
        else:
            level = services.rate_assessment(obj).level
            label = _("%(rating)s (provisional, on the saved answers)") % {
                "rating": Rating(level).label
            }
        return format_html('<span class="rag rag--{}">{}</span>', level, label)

    def publish(self, request, obj):
        services.publish_assessment(assessment=obj, actor=request.user)


class NoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ("title", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 40, "cols": 100})}


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(PublishButtonMixin, ScopedAuditedAdmin):
    form = NoticeForm
    publish_permission = "publish_privacynotice"
    change_list_template = "admin/providers/privacynotice/change_list.html"
    list_display = ("title", "school", "version", "status", "published_at", "preview_link")
    list_filter = ("status",)
    list_select_related = ("school",)
    readonly_fields = ("school", "version", "status", "published_at", "preview_link")

    def get_fields(self, request, obj=None):
        return ("school", "version", "status", "published_at", "preview_link", "title", "body")

    def has_add_permission(self, request):
        # New versions are made by "Create a draft" (generated or copied).
        return False

    @admin.display(description=_("preview"))
    def preview_link(self, obj):
        url = reverse("admin:providers_privacynotice_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview version %s") % obj.version)

    def publish(self, request, obj):
        services.publish_notice(notice=obj, actor=request.user)

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="providers_privacynotice_preview",
            ),
            path(
                "draft/",
                self.admin_site.admin_view(require_POST(self.draft_view)),
                name="providers_privacynotice_draft",
            ),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["draft_schools"] = School.objects.visible_to(request.user)
        extra_context["can_draft"] = request.user.has_perm("providers.add_privacynotice")
        return super().changelist_view(request, extra_context)

    def preview_view(self, request, object_id):
        notice = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_or_change_permission(request, notice):
            raise PermissionDenied
        context = page_context(notice.school, notice)
        context.update(is_current=True, preview=True)
        return TemplateResponse(request, "providers/privacy.html", context)

    def draft_view(self, request):
        if not request.user.has_perm("providers.add_privacynotice"):
            raise PermissionDenied
        school = (
            School.objects.visible_to(request.user).filter(pk=request.POST.get("school")).first()
        )
        if school is None:
            raise Http404
        source = request.POST.get("source", "generate")
        body = title = None
        if source == "copy":
            current = PrivacyNotice.objects.current_for(school)
            if current is not None:
                body, title = current.body, current.title
        draft = services.draft_notice(school=school, actor=request.user, title=title, body=body)
        self.message_user(
            request,
            _("Draft version %s created. Check it, preview it, then publish it.") % draft.version,
        )
        return HttpResponseRedirect(
            reverse("admin:providers_privacynotice_change", args=[draft.pk])
        )
