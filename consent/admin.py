"""Staff side: record paper and telephone answers, send links, see who must
not be set up on a service, the offline-alternative to-do list and an
overview of answers. Every write goes through ``consent.services``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from providers.models import PrivacyNotice, Provider
from pupils import audit
from pupils.admin_tools import SchoolScopedAdmin, ScopedAuditedAdmin
from pupils.models import AuditAction, Contact, EnrolmentStatus, Pupil, School

from . import reports, services
from .models import (
    ConsentMethod,
    ConsentRecord,
    ConsentRequest,
    ConsentRequestReason,
    EnrolmentOverride,
    OfflineArrangement,
)

VIEW_ANSWERS = "consent.view_consentrecord"
SEND_REQUESTS = "consent.add_consentrequest"
ENROL_WITHOUT_CONSENT = "pupils.enrol_without_consent"


class StaffAnswerForm(forms.ModelForm):
    """A paper, telephone or e-mail answer, entered by staff."""

    given = forms.TypedChoiceField(
        label=gettext_lazy("Answer"),
        choices=[(True, gettext_lazy("Yes, consent given")), (False, gettext_lazy("No, refused"))],
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(
        label=gettext_lazy("How"),
        choices=[c for c in ConsentMethod.choices if c[0] != ConsentMethod.ONLINE],
    )

    class Meta:
        model = ConsentRecord
        fields = ("pupil", "provider", "given", "given_by_contact", "by_pupil", "method", "notice")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.validate_answer(
                actor=self.request.user,
                pupil=data["pupil"],
                provider=data["provider"],
                given_by_contact=data.get("given_by_contact"),
                by_pupil=data.get("by_pupil", False),
                method=data["method"],
                request=None,
            )
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return data

    def _post_clean(self):
        # The record is built by services.record_consent, not from this form.
        pass


@admin.register(ConsentRecord)
class ConsentRecordAdmin(SchoolScopedAdmin):
    school_path = "pupil__school"
    list_display = ("pupil", "provider", "answer", "given_by", "method", "recorded_by", "at")
    list_filter = ("given", "method", "provider")
    list_select_related = ("pupil", "provider", "given_by_contact", "recorded_by")
    search_fields = ("=pupil__upn", "pupil__legal_surname", "provider__service")
    autocomplete_fields = ("pupil", "given_by_contact")
    show_full_result_count = False
    form = StaffAnswerForm
    change_list_template = "admin/consent/consentrecord/change_list.html"

    @admin.display(description=gettext_lazy("answer"), boolean=True, ordering="given")
    def answer(self, obj):
        return obj.given

    @admin.display(description=gettext_lazy("given by"))
    def given_by(self, obj):
        return obj.given_by_label

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return RequestForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        visible = School.objects.visible_to(request.user)
        if db_field.name == "provider":
            kwargs["queryset"] = Provider.objects.filter(school__in=visible).needing_consent()
        elif db_field.name == "given_by_contact":
            kwargs["queryset"] = Contact.objects.filter(school__in=visible)
        elif db_field.name == "notice":
            kwargs["queryset"] = PrivacyNotice.objects.filter(school__in=visible).published()
        elif db_field.name == "pupil":
            kwargs["queryset"] = Pupil.objects.visible_to(request.user).exclude(
                enrolment_status=EnrolmentStatus.LEFT
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [f.name for f in ConsentRecord._meta.fields]
        return ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        record, _created = services.record_consent(
            actor=request.user,
            pupil=data["pupil"],
            provider=data["provider"],
            given=data["given"],
            given_by_contact=data.get("given_by_contact"),
            by_pupil=data.get("by_pupil", False),
            method=data["method"],
            notice=data.get("notice"),
        )
        # The admin logs and redirects with ``obj``: make it the saved record.
        obj.__dict__.update(record.__dict__)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- Pages -------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("overview/", view(self.overview_view), name="consent_overview"),
            path(
                "provider/<int:provider_id>/not-set-up/",
                view(self.not_set_up_view),
                name="consent_not_set_up",
            ),
            path(
                "provider/<int:provider_id>/offline/",
                view(self.offline_view),
                name="consent_offline_todo",
            ),
            *super().get_urls(),
        ]

    def _school(self, request) -> School:
        if not request.user.has_perm(VIEW_ANSWERS):
            raise PermissionDenied
        schools = School.objects.visible_to(request.user)
        school_id = request.GET.get("school")
        school = schools.filter(pk=school_id).first() if school_id else schools.first()
        if school is None:
            raise Http404
        return school

    def _provider(self, request, provider_id: int) -> Provider:
        if not request.user.has_perm(VIEW_ANSWERS):
            raise PermissionDenied
        return get_object_or_404(Provider.objects.visible_to(request.user), pk=provider_id)

    def overview_view(self, request):
        school = self._school(request)
        data = reports.overview(school)
        missing = list(reports.pupils_missing_answers(school, data["providers"])[:500])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Consent answers: overview"),
            "opts": self.opts,
            "school": school,
            "missing": missing,
            "provider_count": len(data["providers"]),
            **data,
        }
        return TemplateResponse(request, "admin/consent/overview.html", context)

    def not_set_up_view(self, request, provider_id: int):
        provider = self._provider(request, provider_id)
        pupils = reports.not_to_set_up(provider)
        if request.GET.get("format") == "csv":
            rows = list(pupils)
            audit.record(
                actor=request.user,
                action=AuditAction.EXPORT,
                obj=provider,
                school_id=provider.school_id,
                summary=f"Exported pupils not to set up on {provider.service} ({len(rows)})",
            )
            response = HttpResponse(
                reports.not_to_set_up_csv(provider, rows), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = 'attachment; filename="not-to-set-up.csv"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Do not set up on %(service)s") % {"service": provider.service},
            "opts": self.opts,
            "provider": provider,
            "pupils": list(pupils),
        }
        return TemplateResponse(request, "admin/consent/not_set_up.html", context)

    def offline_view(self, request, provider_id: int):
        provider = self._provider(request, provider_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Offline alternative for %(service)s") % {"service": provider.service},
            "opts": self.opts,
            "provider": provider,
            "pupils": list(reports.offline_to_do(provider)),
            "add_url": reverse("admin:consent_offlinearrangement_add"),
        }
        return TemplateResponse(request, "admin/consent/offline.html", context)

    def changelist_view(self, request, extra_context=None):
        extra = {
            "consent_providers": Provider.objects.visible_to(request.user).needing_consent(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)


class SendForm(forms.Form):
    pupils = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Pupils"),
        queryset=Pupil.objects.none(),
        required=False,
        widget=FilteredSelectMultiple(gettext_lazy("pupils"), is_stacked=False),
    )
    missing_only = forms.BooleanField(
        label=gettext_lazy("All pupils still missing an answer (applicants and pupils on roll)"),
        required=False,
    )
    reminder = forms.BooleanField(label=gettext_lazy("Word it as a reminder"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupils"].queryset = (
            Pupil.objects.visible_to(user)
            .exclude(enrolment_status=EnrolmentStatus.LEFT)
            .order_by("legal_surname", "legal_forename", "pk")
        )

    def clean(self):
        data = super().clean()
        if not data.get("pupils") and not data.get("missing_only"):
            raise forms.ValidationError(
                _("Choose one or more pupils, or all pupils still missing an answer.")
            )
        return data


def pupils_missing_for_user(user) -> list[Pupil]:
    pupils: list[Pupil] = []
    for school in School.objects.visible_to(user):
        providers = list(services.providers_needing_consent(school))
        if providers:
            pupils += list(reports.pupils_missing_answers(school, providers))
    return pupils


@admin.register(ConsentRequest)
class ConsentRequestAdmin(SchoolScopedAdmin):
    list_display = ("contact", "reason", "created_at", "expires_at", "sent_by", "revoked_at")
    list_select_related = ("contact", "sent_by")
    list_filter = ("reason",)
    search_fields = ("contact__surname", "contact__email")
    exclude = ("token_digest",)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ConsentRequest._meta.fields if f.name != "token_digest"]

    def has_add_permission(self, request):
        return False  # links are sent with "Send consent requests", never typed in

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("send/", self.admin_site.admin_view(self.send_view), name="consent_send"),
            *super().get_urls(),
        ]

    def send_view(self, request):
        if not request.user.has_perm(SEND_REQUESTS):
            raise PermissionDenied
        initial = {"pupils": request.GET.getlist("pupil")} if request.GET.get("pupil") else {}
        if request.GET.get("missing_only"):
            initial.update({"missing_only": True, "reminder": True})
        data = request.POST if request.method == "POST" else None
        form = SendForm(data, user=request.user, initial=initial)
        if request.method == "POST" and form.is_valid():
            pupils = list(form.cleaned_data["pupils"])
            if form.cleaned_data["missing_only"]:
                pupils += pupils_missing_for_user(request.user)
            reason = (
                ConsentRequestReason.REMINDER
                if form.cleaned_data["reminder"]
                else ConsentRequestReason.SENT_BY_STAFF
            )
            sent = services.send_consent_requests(actor=request.user, pupils=pupils, reason=reason)
            messages.success(
                request,
                _("%(n)d e-mail(s) sent to parents and carers of %(p)d pupil(s).")
                % {"n": len(sent), "p": len({p.pk for p in pupils})},
            )
            return redirect("admin:consent_consentrequest_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send consent requests"),
            "opts": self.opts,
            "form": form,
        }
        return TemplateResponse(request, "admin/consent/send.html", context)


@admin.register(OfflineArrangement)
class OfflineArrangementAdmin(ScopedAuditedAdmin):
    school_path = "pupil__school"
    list_display = ("pupil", "provider", "arranged_by", "arranged_at")
    list_select_related = ("pupil", "provider", "arranged_by")
    list_filter = ("provider",)
    fields = ("pupil", "provider", "notes")
    show_full_result_count = False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "provider":
            kwargs["queryset"] = Provider.objects.visible_to(request.user).needing_consent()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.arranged_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EnrolmentOverride)
class EnrolmentOverrideAdmin(ScopedAuditedAdmin):
    school_path = "pupil__school"
    list_display = ("pupil", "recorded_by", "recorded_at")
    list_select_related = ("pupil", "recorded_by")
    fields = ("pupil", "reason")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "pupil":
            kwargs["queryset"] = Pupil.objects.visible_to(request.user).filter(
                enrolment_status=EnrolmentStatus.APPLICANT
            )
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return request.user.has_perm(ENROL_WITHOUT_CONSENT) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
