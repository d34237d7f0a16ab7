"""The DPO's register pages, mounted by ``ProcessingRecordVersionAdmin``:
the record of processing as the data stands (page, CSV, PDF), publishing a
version (POST: one service call, one redirect), each published version as
CSV or PDF, and the audit pack.

A member of staff who sees several schools (trust-wide) chooses one with
``?school=<id>``; otherwise it is their own school.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from pupils import audit
from pupils.models import AuditAction, School
from sharing.access.pdf import PdfRenderError
from sharing.staff import render_page, require

from . import csvexport, documents, pack
from .models import ProcessingRecordVersion
from .ropa import ProcessingRecord, build_record
from .services import publish_processing_record

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

VIEW = "sharing.view_processingrecordversion"
PUBLISH = "sharing.publish_processing_record"
AUDIT_PACK = "sharing.download_audit_pack"


def chosen_school(request: HttpRequest) -> School:
    """The school asked for (404 if not the user's), or the user's first."""
    visible = School.objects.visible_to(request.user).order_by("name", "pk")
    wanted = request.GET.get("school") or request.POST.get("school")
    if wanted:
        school = visible.filter(pk=wanted).first() if wanted.isdigit() else None
    else:
        school = visible.first()
    if school is None:
        raise Http404
    return school


def download(body: bytes | str, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _file_stem(record: ProcessingRecord) -> str:
    if record.version:
        return f"record-of-processing-v{record.version}"
    return f"record-of-processing-{timezone.localdate():%Y-%m-%d}"


def record_view(request: HttpRequest, *, model_admin: ModelAdmin) -> HttpResponse:
    require(request, VIEW)
    school = chosen_school(request)
    record = build_record(school)
    return render_page(
        request,
        model_admin,
        "admin/sharing/processingrecordversion/record.html",
        gettext("Record of processing activities"),
        record=record,
        school=school,
        schools=School.objects.visible_to(request.user).order_by("name"),
        can_publish=request.user.has_perm(PUBLISH),
        can_download_pack=request.user.has_perm(AUDIT_PACK),
        versions=ProcessingRecordVersion.objects.filter(school=school).select_related(
            "published_by"
        )[:10],
    )


def record_csv_view(request: HttpRequest, *, model_admin: ModelAdmin) -> HttpResponse:
    require(request, VIEW)
    record = build_record(chosen_school(request))
    return download(
        csvexport.record_csv(record), f"{_file_stem(record)}.csv", "text/csv; charset=utf-8"
    )


def record_pdf_view(request: HttpRequest, *, model_admin: ModelAdmin) -> HttpResponse:
    require(request, VIEW)
    return _pdf(request, build_record(chosen_school(request)))


def _pdf(request: HttpRequest, record: ProcessingRecord) -> HttpResponse:
    try:
        body = documents.record_pdf(record)
    except PdfRenderError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("admin:sharing_processingrecordversion_record"))
    return download(body, f"{_file_stem(record)}.pdf", "application/pdf")


@require_POST
def publish_view(request: HttpRequest, *, model_admin: ModelAdmin) -> HttpResponse:
    require(request, PUBLISH)
    school = chosen_school(request)
    version = publish_processing_record(actor=request.user, school=school)
    messages.success(
        request, gettext("Version %(v)d of the record was published.") % {"v": version.version}
    )
    return HttpResponseRedirect(
        reverse("admin:sharing_processingrecordversion_record") + f"?school={school.pk}"
    )


def _version(request: HttpRequest, object_id: str, model_admin) -> ProcessingRecord:
    model_admin._ensure_visible(request, object_id)
    require(request, VIEW)
    version = model_admin.get_queryset(request).select_related("school").get(pk=object_id)
    return ProcessingRecord.from_json(
        school_name=version.school.name,
        at=version.published_at,
        version=version.version,
        rows=version.rows,
    )


def version_csv_view(request: HttpRequest, object_id: str, *, model_admin) -> HttpResponse:
    record = _version(request, object_id, model_admin)
    return download(
        csvexport.record_csv(record), f"{_file_stem(record)}.csv", "text/csv; charset=utf-8"
    )


def version_pdf_view(request: HttpRequest, object_id: str, *, model_admin) -> HttpResponse:
    return _pdf(request, _version(request, object_id, model_admin))


def audit_pack_view(request: HttpRequest, *, model_admin: ModelAdmin) -> HttpResponse:
    """The zip for an ICO visit. A download, not a change: the trail notes
    who took a copy (as every export of personal data)."""
    require(request, AUDIT_PACK)
    school = chosen_school(request)
    try:
        body = pack.build_audit_pack(school)
    except PdfRenderError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("admin:sharing_processingrecordversion_record"))
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        school_id=school.pk,
        summary="Audit pack downloaded",
    )
    return download(body, f"audit-pack-{timezone.localdate():%Y-%m-%d}.zip", "application/zip")


# --- The registers a DPO hands over, one at a time ----------------------------
# The audit pack's CSVs (one copy of each rule, in ``pack``), each download
# noted in the trail as an export. The DPO's: office staff read the lists.
EXPORTS = {
    "requests": (pack.requests_register_csv, "requests-register", "Requests register"),
    "disclosures": (pack.disclosure_summary_csv, "disclosure-log-summary", "Disclosure log"),
    "providers": (pack.provider_register_csv, "provider-register", "Provider register"),
    "breaches": (
        lambda school: pack.breach_register_csv(pack.breaches(school)),
        "breach-register",
        "Breach register",
    ),
    "dpias": (lambda school: pack.dpia_register_csv(pack.dpias(school)), "dpia-register", "DPIAs"),
    "contracts": (pack.contracts_csv, "contracts", "Contracts register"),
}


def export_view(request: HttpRequest, *, model_admin: ModelAdmin, which: str) -> HttpResponse:
    require(request, AUDIT_PACK)
    school = chosen_school(request)
    build, stem, title = EXPORTS[which]
    body = build(school)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        school_id=school.pk,
        summary=f"{title} downloaded (CSV)",
    )
    name = f"{stem}-{timezone.localdate():%Y-%m-%d}.csv"
    return download(body, name, "text/csv; charset=utf-8")
