"""Staff pages for the disclosure log, census returns and Common Transfer Files.

Every write goes through the services (``sharing.disclosures``,
``sharing.ctf_import``, ``sharing.ctf_export``), which write the audit trail.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pupils.admin_tools import SchoolScopedAdmin, ScopedAuditedAdmin
from pupils.models import Pupil

from . import ctf_import
from .ctf_export import export_leaver_ctf
from .disclosures import log_disclosure, record_census_return
from .forms import CensusReturnForm, CtfExportForm, CtfUploadForm, DisclosureForm
from .models import CensusDate, CtfImportBatch, CtfImportStatus, Disclosure

WHO_AND_WHY = ("recipient_type", "recipient_name", "gateway", "basis_detail")
CENSUS = ("census_term", "census_date")
VIEW_LOG = "sharing.view_disclosure"
ADD_LOG = "sharing.add_disclosure"
IMPORT_CTF = "sharing.import_ctf"
EXPORT_CTF = "sharing.export_ctf"


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _file_bytes(upload) -> tuple[bytes | None, str]:
    if not upload:
        return None, ""
    return b"".join(upload.chunks()), upload.name


@admin.register(Disclosure)
class DisclosureAdmin(SchoolScopedAdmin):
    """The log can be read and added to, never changed: corrections are new entries."""

    form = DisclosureForm
    list_display = (
        "disclosed_at",
        "dataset",
        "recipient_name",
        "recipient_type",
        "pupil_count",
        "sent_by",
        "corrects",
    )
    list_filter = ("dataset", "recipient_type", "gateway")
    list_select_related = ("sent_by", "corrects")
    search_fields = ("recipient_name", "=pupils__upn")
    date_hierarchy = "disclosed_at"
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("school",)}),
        (_("To whom and why"), {"fields": WHO_AND_WHY}),
        (
            _("What"),
            {"fields": ("dataset", ("census_term", "census_date"), "pupils", "categories")},
        ),
        (_("How and when"), {"fields": ("disclosed_at", "method", "sent_file")}),
        (
            _("Requests from outside (ad-hoc disclosures)"),
            {"fields": ("requested_by", "request_reason", "approved_by")},
        ),
        (_("Notes and corrections"), {"fields": ("notes", "corrects")}),
    )  # fmt: skip
    readonly_fieldsets = (
        (None, {"fields": ("school", "recorded_at", "sent_by")}),
        (_("To whom and why"), {"fields": WHO_AND_WHY}),
        (_("What"), {"fields": ("dataset", CENSUS, "category_list", "pupil_list")}),
        (_("How and when"), {"fields": ("disclosed_at", "method", "file_name", "file_sha256")}),
        (
            _("Requests from outside (ad-hoc disclosures)"),
            {"fields": ("requested_by", "request_reason", "approved_by")},
        ),
        (_("Notes and corrections"), {"fields": ("notes", "corrects", "correction")}),
    )  # fmt: skip
    autocomplete_fields = ("pupils",)

    # --- Read-only after it is written ---------------------------------------

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        return self.readonly_fieldsets if obj is not None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return [f for _name, opts in self.readonly_fieldsets for f in _flatten(opts["fields"])]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pupil_count=Count("pupils"))

    @admin.display(description=_("pupils"), ordering="pupil_count")
    def pupil_count(self, obj) -> int:
        return obj.pupil_count

    @admin.display(description=_("categories of data"))
    def category_list(self, obj) -> str:
        return obj.get_categories_display()

    @admin.display(description=_("pupils"))
    def pupil_list(self, obj) -> str:
        return "; ".join(str(p) for p in obj.pupils.all())

    @admin.display(description=_("corrected by"))
    def correction(self, obj):
        return getattr(obj, "correction", None) or "-"

    # --- Adding goes through the service ---------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        user = request.user

        class ScopedDisclosureForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=user, **kw)

        return ScopedDisclosureForm

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        file_bytes, file_name = _file_bytes(data.get("sent_file"))
        text = {name: data.get(name) or "" for name in _TEXT_FIELDS}
        created = log_disclosure(
            actor=request.user,
            school=data["school"],
            pupils=data["pupils"],
            categories=data["categories"],
            census_date=data.get("census_date"),
            disclosed_at=data.get("disclosed_at"),
            corrects=data.get("corrects"),
            file_bytes=file_bytes,
            file_name=file_name,
            **text,
        )
        obj.pk = created.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """The service has saved the pupils already."""

    # --- Extra pages -------------------------------------------------------------

    def get_urls(self):
        extra = [
            path("census/", self.admin_site.admin_view(self.census_view), name="sharing_census"),
            path(
                "pupil/<int:pupil_id>/",
                self.admin_site.admin_view(self.pupil_history_view),
                name="sharing_disclosure_pupil",
            ),
            path(
                "export-ctf/",
                self.admin_site.admin_view(self.export_ctf_view),
                name="sharing_export_ctf",
            ),
        ]
        return extra + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_record_census": request.user.has_perm(ADD_LOG),
            "can_export_ctf": request.user.has_perm(EXPORT_CTF),
        }
        return super().changelist_view(request, extra_context)

    def _context(self, request, title: str, **extra) -> dict:
        return {**self.admin_site.each_context(request), "title": title, "opts": self.opts, **extra}

    def census_view(self, request):
        _require(request, ADD_LOG)
        form = CensusReturnForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            file_bytes, file_name = _file_bytes(data.get("sent_file"))
            try:
                disclosure = record_census_return(
                    actor=request.user, school=data["school"], term=data["term"],
                    academic_year=data["academic_year"], census_date=data["census_date"],
                    method=data["method"], file_bytes=file_bytes, file_name=file_name,
                    notes=data["notes"],
                )  # fmt: skip
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    gettext("Census return recorded for %(n)d pupils on roll on %(day)s.")
                    % {"n": disclosure.pupils.count(), "day": _day(disclosure.census_date)},
                )
                return HttpResponseRedirect(
                    reverse("admin:sharing_disclosure_change", args=[disclosure.pk])
                )
        context = self._context(request, gettext("Record a census return"), form=form)
        return TemplateResponse(request, "admin/sharing/disclosure/census.html", context)

    def pupil_history_view(self, request, pupil_id: int):
        _require(request, VIEW_LOG)
        pupil = get_object_or_404(Pupil.objects.visible_to(request.user), pk=pupil_id)
        disclosures = (
            Disclosure.objects.visible_to(request.user)
            .for_pupil(pupil)
            .select_related("sent_by", "corrects", "correction")
            .newest_first()
        )
        context = self._context(
            request,
            gettext("Disclosures of %(pupil)s") % {"pupil": pupil},
            pupil=pupil,
            disclosures=disclosures,
        )
        return TemplateResponse(request, "admin/sharing/disclosure/pupil_history.html", context)

    def export_ctf_view(self, request):
        _require(request, EXPORT_CTF)
        form = CtfExportForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                exported = export_leaver_ctf(
                    actor=request.user,
                    pupil=form.cleaned_data["pupil"],
                    method=form.cleaned_data["method"],
                )
            except ValidationError as exc:
                form.add_error("pupil", exc)
            else:
                response = HttpResponse(exported.content, content_type="application/xml")
                response["Content-Disposition"] = f'attachment; filename="{exported.file_name}"'
                return response
        context = self._context(request, gettext("Send a Common Transfer File"), form=form)
        return TemplateResponse(request, "admin/sharing/disclosure/export_ctf.html", context)


_TEXT_FIELDS = (
    "recipient_type", "recipient_name", "gateway", "basis_detail", "dataset", "census_term",
    "method", "requested_by", "request_reason", "approved_by", "notes",
)  # fmt: skip


def _flatten(fields):
    for field in fields:
        if isinstance(field, (tuple, list)):
            yield from field
        else:
            yield field


def _day(value) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


@admin.register(CensusDate)
class CensusDateAdmin(ScopedAuditedAdmin):
    list_display = ("academic_year", "term", "date", "school")
    list_filter = ("term",)
    list_select_related = ("school",)


@admin.register(CtfImportBatch)
class CtfImportBatchAdmin(SchoolScopedAdmin):
    """Upload a CTF, see what it would do, then confirm."""

    list_display = ("file_name", "uploaded_at", "uploaded_by", "status", "outcome")
    list_filter = ("status",)
    list_select_related = ("uploaded_by",)
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request):
        return request.user.has_perm(IMPORT_CTF)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("outcome"))
    def outcome(self, obj) -> str:
        report = obj.result or obj.preview
        if not report:
            return ""
        return ctf_import.ImportReport.from_dict(report).summary

    def add_view(self, request, form_url="", extra_context=None):
        _require(request, IMPORT_CTF)
        form = CtfUploadForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = ctf_import.stage_ctf_import(
                    actor=request.user,
                    school=form.cleaned_data["school"],
                    data=b"".join(upload.chunks()),
                    file_name=upload.name,
                )
            except ctf_import.CtfImportError as exc:
                form.add_error("file", gettext("Refused, nothing changed: %(why)s") % {"why": exc})
            else:
                return HttpResponseRedirect(
                    reverse("admin:sharing_ctfimportbatch_change", args=[batch.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import a Common Transfer File"),
            "opts": self.opts,
            "form": form,
        }
        return TemplateResponse(request, "admin/sharing/ctfimportbatch/upload.html", context)

    def _confirm_or_discard(self, request, batch):
        try:
            if "discard" in request.POST:
                ctf_import.discard_ctf_import(actor=request.user, batch=batch)
                messages.success(request, gettext("The file was discarded; nothing was imported."))
                return HttpResponseRedirect(reverse("admin:sharing_ctfimportbatch_changelist"))
            report = ctf_import.confirm_ctf_import(actor=request.user, batch=batch)
        except ctf_import.CtfImportError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, report.summary)
        return HttpResponseRedirect(request.path)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._ensure_visible(request, object_id)
        _require(request, IMPORT_CTF)
        batch = self.get_queryset(request).get(pk=object_id)
        if request.method == "POST":
            return self._confirm_or_discard(request, batch)
        report_data = batch.result or batch.preview
        if not report_data:
            messages.info(request, gettext("This file was discarded without being imported."))
            return HttpResponseRedirect(reverse("admin:sharing_ctfimportbatch_changelist"))
        report = ctf_import.ImportReport.from_dict(report_data)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Common Transfer File %(name)s") % {"name": batch.file_name},
            "opts": self.opts,
            "batch": batch,
            "report": report,
            "groups": ctf_import.group_by_action(report),
            "waiting": batch.status == CtfImportStatus.PREVIEWED,
            "earlier": ctf_import.earlier_import_of(batch),
        }
        return TemplateResponse(request, "admin/sharing/ctfimportbatch/preview.html", context)
