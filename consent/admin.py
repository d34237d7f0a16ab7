"""Staff side: look up answers and links, see who must not be set up on a
service, the offline-alternative to-do list and an overview of answers.

The two workflows (recording a paper or telephone answer, sending consent
requests) are views in ``consent.staff``, mounted here; every write goes
through ``consent.services``."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from providers.models import Provider, PurposeKind
from pupils import audit
from pupils.admin import PupilAdmin
from pupils.admin_tools import SchoolScopedAdmin, ScopedAuditedAdmin
from pupils.models import AuditAction, NCYear, Pupil, School

from . import reports, staff
from .models import (
    ConsentRecord,
    ConsentRequest,
    OfflineArrangement,
)

VIEW_ANSWERS = "consent.view_consentrecord"


@admin.register(ConsentRecord)
class ConsentRecordAdmin(SchoolScopedAdmin):
    school_path = "pupil__school"
    list_display = ("pupil", "provider", "answer", "given_by", "method", "recorded_by", "at")
    list_filter = ("given", "method", "provider")
    list_select_related = ("pupil", "provider", "given_by_contact", "recorded_by")
    search_fields = ("=pupil__upn", "pupil__legal_surname", "provider__service")
    # Read by the answer form's pupil and contact search (``consent.staff``).
    autocomplete_fields = ("pupil", "given_by_contact")
    show_full_result_count = False
    change_list_template = "admin/consent/consentrecord/change_list.html"

    @admin.display(description=gettext_lazy("answer"), boolean=True, ordering="given")
    def answer(self, obj):
        return obj.given

    @admin.display(description=gettext_lazy("given by"))
    def given_by(self, obj):
        return obj.given_by_label

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [f.name for f in ConsentRecord._meta.fields]
        return ()

    def add_view(self, request, form_url="", extra_context=None):
        # Answers are appended by services.record_consent, never saved from
        # a model form: "Add" is the staff workflow in consent.staff.
        return staff.record_answer_view(request, model_admin=self)

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
            path("photographs/", view(self.photographs_view), name="consent_photographs"),
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
        for pupil in missing:
            pupil.missing_services = reports.missing_services(  # type: ignore[attr-defined]
                pupil, data["providers"]
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Consent answers: overview"),
            "opts": self.opts,
            "school": school,
            "missing": missing,
            "photo_uses": [p for p in data["providers"] if p.kind == PurposeKind.PHOTOGRAPHS],
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

    def photographs_view(self, request):
        """Who may be photographed, per use, for one year group or all."""
        school = self._school(request)
        uses = reports.photo_uses(school)
        year = request.GET.get("year") or None
        if year not in (None, *NCYear.values):
            raise Http404
        rows = reports.photo_list(school, uses, year)
        if request.GET.get("format") == "csv":
            audit.record(
                actor=request.user,
                action=AuditAction.EXPORT,
                school_id=school.pk,
                summary=f"Exported who may be photographed ({len(rows)} pupils)",
            )
            response = HttpResponse(
                reports.photo_list_csv(uses, rows), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = 'attachment; filename="may-be-photographed.csv"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Who may be photographed"),
            "opts": self.opts,
            "school": school,
            "uses": uses,
            "rows": rows,
            "year": year or "",
            "years": NCYear.choices,
        }
        return TemplateResponse(request, "admin/consent/photographs.html", context)

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
        return staff.send_requests_view(request, model_admin=self)


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


class PupilConsentInline(admin.TabularInline):
    """Read-only: the pupil's consent state on the pupil's page (per purpose:
    what the school may do, and each standing answer with who gave it, when
    and how). Added to the pupil admin from here, so pupils never imports
    consent. Answers are recorded through consent.staff, never here."""

    model = ConsentRecord
    fk_name = "pupil"
    template = "admin/consent/pupil_consent_state.html"
    verbose_name_plural = gettext_lazy("Consent")
    extra = 0
    max_num = 0
    can_delete = False
    fields = ()

    def has_view_permission(self, request, obj=None):
        # Shown on GET only: the panel holds nothing to submit, so the pupil
        # form's POST neither needs nor checks a formset for it.
        return (
            obj is not None
            and request.method in ("GET", "HEAD")
            and request.user.has_perm(VIEW_ANSWERS)
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        # No fields: an empty ``fields`` counts as "not given", and the admin
        # would build a form of every ConsentRecord field to find out.
        return []

    def get_queryset(self, request):
        return super().get_queryset(request).none()  # the state is read by get_formset

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.consent_state = state = _consent_state(request, obj)  # type: ignore[attr-defined]
        formset.not_asked = [row["provider"].service for row in state if row["not_asked"]]  # type: ignore[attr-defined]
        return formset


def _consent_state(request, pupil: Pupil | None) -> list[dict]:
    """The pupil's consent state, read once per request: the admin asks for
    the inline's formset more than once while building one page."""
    if pupil is None:
        return []
    cached = getattr(request, "_pupil_consent_state", None)
    if cached is None or cached[0] != pupil.pk:
        cached = (pupil.pk, reports.pupil_consent_state(pupil))
        request._pupil_consent_state = cached
    return cached[1]


def _show_consent_on_the_pupil_page() -> None:
    pupil_admin = admin.site.get_model_admin(Pupil)
    assert isinstance(pupil_admin, PupilAdmin)
    if PupilConsentInline not in pupil_admin.base_inlines:
        pupil_admin.base_inlines = [*pupil_admin.base_inlines, PupilConsentInline]


_show_consent_on_the_pupil_page()
