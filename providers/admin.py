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
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from pupils.admin_tools import ScopedAuditedAdmin
from pupils.models import NCYear, School, sees_every_school

from . import dpia, review, services
from .models import (
    DPIA_ALLOWS,
    AssessmentAnswer,
    ContractDocument,
    DataCategory,
    Decision,
    Dpia,
    PolicyDocument,
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
            "transfer_safeguard",
            "transfer_risk_assessed_on",
            "dpa_signed_on",
            "contract_reference",
            "contract_location",
            "certifications",
            "retention",
            "status",
            "lawful_basis",
            "art9_condition",
            "schedule1_paragraph",
            "offline_alternative",
            "notes",
            "kind",
            "year_groups",
        ]

    dpia_screening = forms.MultipleChoiceField(
        label=_("DPIA screening: what applies"),
        choices=[(q.code, _(q.text)) for q in dpia.QUESTIONS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Any of these (or biometric data) means a DPIA must be completed and signed off "
            "by the DPO before the provider is approved or used."
        ),
    )
    contract_file = forms.FileField(
        label=_("upload a copy of the contract"),
        required=False,
        help_text=_(
            "PDF, Word, OpenDocument, PNG or JPEG, up to 10 MB. Replaces any earlier copy."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        upload = cleaned.get("contract_file")
        school = cleaned.get("school") or getattr(self.instance, "school", None)
        if upload is not None and school is not None:
            try:
                self.instance.contract_document = services.contract_document_from(
                    file_name=upload.name, content=upload.read(), school=school, actor=self.user
                )
            except ValidationError as exc:
                self.add_error("contract_file", exc)
        status = cleaned.get("status")
        # Only a change of status is checked against the review: a provider
        # already in use whose latest review rejects it can still have its
        # record corrected. The DPIA rule is the model's (Provider.clean), on
        # every save, and shows on the status field.
        if status and "status" in self.changed_data:
            try:
                services.check_assessment_allows(self.instance, status)
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
        "dpia_display",
    )
    list_filter = ("status", ReviewFilter, "lawful_basis", "art9_condition", "storage_location")
    list_select_related = ("school",)
    search_fields = ("service", "name")
    actions = ["start_assessments", "start_dpias"]
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
            _("Lawful basis"),
            {"fields": ("lawful_basis", "art9_condition", "schedule1_paragraph")},
        ),
        (
            _("Art 28 contract"),
            {
                "fields": (
                    "dpa_signed_on",
                    "contract_reference",
                    "contract_location",
                    "contract_copy",
                    "contract_file",
                )
            },
        ),
        (
            _("Transfers outside the UK and safeguards"),
            {
                "fields": (
                    "transfer_safeguard",
                    "transfer_risk_assessed_on",
                    "certifications",
                    "retention",
                )
            },
        ),
        (
            _("Data protection impact assessment (DPIA)"),
            {"fields": ("dpia_screening", "dpia_state")},
        ),
        (
            _("Use"),
            {"fields": ("status", "kind", "year_groups", "offline_alternative", "notes")},
        ),
    )
    readonly_fields = ("contract_copy", "dpia_state")

    class Media:
        css = {"all": ["css/providers-admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_last_assessment().with_dpia()

    @admin.display(description=_("DPIA"))
    def dpia_display(self, obj):
        if obj.dpia_signed_off_on and obj.dpia_decision in DPIA_ALLOWS:
            return _("signed off %(date)s") % {"date": date_format(obj.dpia_signed_off_on, "j M Y")}
        if obj.needs_dpia:
            return format_html('<span class="review review--overdue">{}</span>', _("needed"))
        return _("not needed")

    @admin.display(description=_("DPIA"))
    def dpia_state(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        reasons = [str(_(dpia.BY_CODE[c].text)) for c in obj.dpia_reasons]
        done = obj.signed_off_dpia()
        if done is not None:
            return _("Signed off (version %(v)s), review by %(date)s.") % {
                "v": done.version,
                "date": date_format(done.review_on, "j F Y"),
            }
        if reasons:
            return _("Needed, not yet signed off. Because: %(why)s") % {"why": " ".join(reasons)}
        return _("Not needed on the screening answers.")

    @admin.action(description=_("Start a DPIA"), permissions=["add_dpia"])
    def start_dpias(self, request, queryset):
        started = [services.start_dpia(provider=p, actor=request.user) for p in queryset]
        if len(started) == 1:
            return HttpResponseRedirect(
                reverse("admin:providers_dpia_change", args=[started[0].pk])
            )
        self.message_user(request, _("Draft DPIAs started."), messages.SUCCESS)
        return None

    def has_add_dpia_permission(self, request):
        return request.user.has_perm("providers.add_dpia")

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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class WithUser(form):  # type: ignore[valid-type,misc]
            def __init__(self, *args, **kw):
                super().__init__(*args, user=request.user, **kw)

        return WithUser

    @admin.display(description=_("copy on record"))
    def contract_copy(self, obj):
        if obj is None or obj.contract_document_id is None:
            return "–"
        url = reverse("admin:providers_provider_contract", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download the copy of the contract"))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/contract/",
                self.admin_site.admin_view(self.contract_view),
                name="providers_provider_contract",
            ),
            *super().get_urls(),
        ]

    def contract_view(self, request, object_id):
        provider = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_or_change_permission(request, provider):
            raise PermissionDenied
        if provider.contract_document_id is None:
            raise Http404
        document = ContractDocument.objects.get(pk=provider.contract_document_id)
        response = HttpResponse(bytes(document.content), content_type=document.content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=document.file_name
        )
        return response

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
    publish_label: Any = _("Save and publish")
    published_message: Any = _("Published. It can no longer be changed.")

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
        context["publish_label"] = self.publish_label
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        if "_publish" in request.POST and self._can_publish(request, obj):
            try:
                self.publish(request, obj)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return HttpResponseRedirect(request.path)
            self.message_user(request, self.published_message)
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


class ProcessingDpiaForm(forms.ModelForm):
    """Adding a DPIA of the school's own processing (a provider's DPIA is
    started from the provider, "Start a DPIA")."""

    screening_answers = forms.MultipleChoiceField(
        label=_("DPIA screening: what applies"),
        choices=[(q.code, _(q.text)) for q in dpia.QUESTIONS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Dpia
        fields = ("school", "processing", "description")

    def clean_processing(self):
        processing = " ".join(self.cleaned_data.get("processing", "").split())
        if not processing:
            raise ValidationError(_("Name the processing this DPIA is about."))
        return processing

    def _post_clean(self):
        # The numbered draft is made by the service; nothing to check here.
        pass


@admin.register(Dpia)
class DpiaAdmin(PublishButtonMixin, ScopedAuditedAdmin):
    publish_permission = "publish_dpia"
    publish_label = _("Save and sign off")
    published_message = _("Signed off. This DPIA can no longer be changed.")
    list_display = (
        "subject_display",
        "version",
        "status",
        "residual_risk",
        "decision",
        "review_on",
        "signed_off_by",
    )
    list_filter = ("status", "residual_risk", "decision")
    list_select_related = ("provider", "signed_off_by")
    search_fields = ("provider__service", "provider__name", "processing")
    fields = (
        "provider",
        "processing",
        "version",
        "status",
        "screening_display",
        "description",
        "necessity",
        "risks",
        "measures",
        "residual_risk",
        "dpo_advice",
        "decision",
        "decision_notes",
        "review_on",
        "signed_off_by",
        "published_at",
    )
    readonly_fields = (
        "provider",
        "processing",
        "version",
        "status",
        "screening_display",
        "signed_off_by",
        "published_at",
    )
    add_fields = ("school", "processing", "screening_answers", "description")

    @admin.display(description=_("provider or processing"), ordering="provider__service")
    def subject_display(self, obj):
        return obj.subject

    def get_fields(self, request, obj=None):
        # A provider's DPIA starts from the provider ("Start a DPIA"); the
        # add page is for the school's own processing.
        return self.add_fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ProcessingDpiaForm
            kwargs["fields"] = ("school", "processing", "description")
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        draft = services.start_processing_dpia(
            school=form.cleaned_data["school"],
            processing=form.cleaned_data["processing"],
            screening=form.cleaned_data["screening_answers"],
            description=form.cleaned_data.get("description", ""),
            actor=request.user,
        )
        obj.pk = draft.pk

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    @admin.display(description=_("why it is needed"))
    def screening_display(self, obj):
        reasons = [str(_(dpia.BY_CODE[c].text)) for c in obj.screening if c in dpia.BY_CODE]
        return " ".join(reasons) or _("Not needed on the screening answers; done anyway.")

    def publish(self, request, obj):
        services.sign_off_dpia(dpia=obj, actor=request.user)


class NoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ("title", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 40, "cols": 100})}


class PublishedDocumentAdmin(PublishButtonMixin, ScopedAuditedAdmin):
    """A document published in versions (``PublishedDocument``): nobody adds
    one by hand; "Create a draft" on the list makes the next version
    (``draft``, through its service), staff check it, then publish it."""

    list_filter = ("status",)
    list_select_related = ("school",)

    def has_add_permission(self, request):
        return False

    def _url_name(self, suffix: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{suffix}"

    def _may_draft(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.add_{self.opts.model_name}")

    def get_urls(self):
        draft = self.admin_site.admin_view(require_POST(self.draft_view))
        return [path("draft/", draft, name=self._url_name("draft")), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "draft_schools": School.objects.visible_to(request.user),
            "can_draft": self._may_draft(request),
        }
        return super().changelist_view(request, extra_context)

    def draft_view(self, request):
        if not self._may_draft(request):
            raise PermissionDenied
        school_id = request.POST.get("school", "")
        school = (
            School.objects.visible_to(request.user).filter(pk=school_id).first()
            if school_id.isdigit()
            else None
        )
        if school is None:
            raise Http404
        draft, message = self.draft(request, school)
        self.message_user(request, message)
        return HttpResponseRedirect(reverse(f"admin:{self._url_name('change')}", args=[draft.pk]))

    def draft(self, request, school: School) -> tuple[Any, str]:
        """Make the next version for ``school``: the draft and what to tell staff."""
        raise NotImplementedError


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(PublishedDocumentAdmin):
    form = NoticeForm
    publish_permission = "publish_privacynotice"
    change_list_template = "admin/providers/privacynotice/change_list.html"
    list_display = ("title", "school", "version", "status", "published_at", "preview_link")
    readonly_fields = ("school", "version", "status", "published_at", "preview_link")

    def get_fields(self, request, obj=None):
        return ("school", "version", "status", "published_at", "preview_link", "title", "body")

    @admin.display(description=_("preview"))
    def preview_link(self, obj):
        url = reverse("admin:providers_privacynotice_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview version %s") % obj.version)

    def publish(self, request, obj):
        services.publish_notice(notice=obj, actor=request.user)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<path:object_id>/preview/", preview, name="providers_privacynotice_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id):
        notice = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_or_change_permission(request, notice):
            raise PermissionDenied
        context = page_context(notice.school, notice)
        context.update(is_current=True, preview=True)
        return TemplateResponse(request, "providers/privacy.html", context)

    def draft(self, request, school):
        # Generated from what the app knows, or a copy of the current version.
        body = title = None
        if request.POST.get("source", "generate") == "copy":
            current = PrivacyNotice.objects.current_for(school)
            if current is not None:
                body, title = current.body, current.title
        draft = services.draft_notice(school=school, actor=request.user, title=title, body=body)
        return draft, _("Draft version %s created. Check it, preview it, then publish it.") % (
            draft.version
        )


class PolicyForm(forms.ModelForm):
    class Meta:
        model = PolicyDocument
        fields = ("title", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 40, "cols": 100})}


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(PublishedDocumentAdmin):
    """The appropriate policy document: generated, checked, published."""

    form = PolicyForm
    publish_permission = "publish_policydocument"
    change_list_template = "admin/providers/policydocument/change_list.html"
    list_display = ("title", "school", "version", "status", "published_at")
    readonly_fields = ("school", "version", "status", "published_at")

    def get_fields(self, request, obj=None):
        return ("school", "version", "status", "published_at", "title", "body")

    def publish(self, request, obj):
        services.publish_policy_document(document=obj, actor=request.user)

    def draft(self, request, school):
        draft = services.draft_policy_document(school=school, actor=request.user)
        message = _(
            "Draft version %s created from the conditions the school relies on. Check it, then "
            "publish it."
        )
        return draft, message % draft.version
