"""Staff pages of Common Transfer Files, each one form, one service call and
one redirect: upload (the check runs in the worker; staff watch the job's
progress page, which leads on to the preview), confirm (the import runs in
the worker too) or discard, and send a leaver's CTF. Mounted by
``CtfImportBatchAdmin.get_urls``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext

from pupils.models import Job
from sharing.staff import add_errors, render_page, require

from .export import export_leaver_ctf
from .forms import CtfExportForm, CtfUploadForm
from .models import CtfImportBatch, CtfImportStatus
from .report import CtfImportError, ImportReport, group_by_action
from .services import (
    discard_ctf_import,
    earlier_import_of,
    job_of,
    start_ctf_check,
    start_ctf_import,
)

if TYPE_CHECKING:
    from pupils.admin_tools import SchoolScopedAdmin

IMPORT_CTF = "sharing.import_ctf"
EXPORT_CTF = "sharing.export_ctf"
LIST = "admin:sharing_ctfimportbatch_changelist"


def preview_url(batch: CtfImportBatch) -> str:
    return reverse("admin:sharing_ctf_preview", args=[batch.pk])


def progress_url(job: Job) -> str:
    return reverse("admin:pupils_job_progress", args=[job.pk])


def upload_view(request: HttpRequest, *, model_admin: admin.ModelAdmin) -> HttpResponse:
    require(request, IMPORT_CTF)
    form = CtfUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = start_ctf_check(
                actor=request.user,
                school=form.cleaned_data["school"],
                data=b"".join(upload.chunks()),
                file_name=upload.name,
            )
        except CtfImportError as exc:
            form.add_error("file", gettext("Refused, nothing changed: %(why)s") % {"why": exc})
        else:
            messages.info(
                request,
                gettext(
                    "Nothing has been changed yet: the file is being checked, then you confirm."
                ),
            )
            return HttpResponseRedirect(progress_url(job))
    return render_page(
        request,
        model_admin,
        "admin/sharing/ctfimportbatch/upload.html",
        gettext("Import a Common Transfer File"),
        form=form,
    )


def preview_view(
    request: HttpRequest, object_id: str, *, model_admin: SchoolScopedAdmin
) -> HttpResponse:
    """GET shows what the file would do (or did); POST confirms or discards it."""
    model_admin._ensure_visible(request, object_id)
    require(request, IMPORT_CTF)
    batch = model_admin.get_queryset(request).get(pk=object_id)
    if request.method == "POST":
        return _confirm_or_discard(request, batch)
    if batch.status in (CtfImportStatus.CHECKING, CtfImportStatus.IMPORTING):
        job = job_of(batch)
        if job is not None:  # still in the worker: its progress page
            return HttpResponseRedirect(progress_url(job))
    if batch.status == CtfImportStatus.REFUSED:
        messages.error(request, gettext("This file was refused; nothing was imported."))
        return HttpResponseRedirect(reverse(LIST))
    report_data = batch.result or batch.preview
    if not report_data:
        messages.info(request, gettext("This file was discarded without being imported."))
        return HttpResponseRedirect(reverse(LIST))
    report = ImportReport.from_dict(report_data)
    return render_page(
        request,
        model_admin,
        "admin/sharing/ctfimportbatch/preview.html",
        gettext("Common Transfer File %(name)s") % {"name": batch.file_name},
        batch=batch,
        report=report,
        groups=group_by_action(report),
        waiting=batch.status == CtfImportStatus.PREVIEWED,
        earlier=earlier_import_of(batch),
    )


def _confirm_or_discard(request: HttpRequest, batch: CtfImportBatch) -> HttpResponse:
    try:
        if "discard" in request.POST:
            discard_ctf_import(actor=request.user, batch=batch)
            messages.success(request, gettext("The file was discarded; nothing was imported."))
            return HttpResponseRedirect(reverse(LIST))
        job = start_ctf_import(actor=request.user, batch=batch)
    except CtfImportError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(preview_url(batch))
    return HttpResponseRedirect(progress_url(job))


def export_view(request: HttpRequest, *, model_admin: admin.ModelAdmin) -> HttpResponse:
    """Build a leaver's CTF, log the disclosure and hand the file over."""
    require(request, EXPORT_CTF)
    form = CtfExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            exported = export_leaver_ctf(
                actor=request.user,
                pupil=form.cleaned_data["pupil"],
                method=form.cleaned_data["method"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            response = HttpResponse(exported.content, content_type="application/xml")
            response["Content-Disposition"] = f'attachment; filename="{exported.file_name}"'
            return response
    return render_page(
        request,
        model_admin,
        "admin/sharing/disclosure/export_ctf.html",
        gettext("Send a Common Transfer File"),
        form=form,
    )
