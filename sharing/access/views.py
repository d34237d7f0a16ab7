"""The DPO's "Handle this request" page: one form of optional steps, one
service call (``handle_access_request``: all or nothing, trail included),
one redirect with a message; "record that the response was sent"; and the
download of a response PDF a job produced. Mounted by
``AccessRequestAdmin.get_urls``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext

from pupils import audit
from pupils.models import AuditAction
from sharing.forms import file_bytes
from sharing.staff import add_errors, render_page, require

from .files import ResponseFile
from .forms import HandlingForm, SentForm
from .response import record_response_sent
from .services import handle_access_request, requester_warning

if TYPE_CHECKING:
    from pupils.admin_tools import SchoolScopedAdmin

HANDLE = "sharing.handle_access_request"
PRODUCE = "sharing.produce_access_response"


def change_url(pk: int) -> str:
    return reverse("admin:sharing_accessrequest_change", args=[pk])


def handle_view(
    request: HttpRequest, object_id: str, *, model_admin: SchoolScopedAdmin
) -> HttpResponse:
    model_admin._ensure_visible(request, object_id)
    require(request, HANDLE)
    sar = model_admin.get_queryset(request).get(pk=object_id)
    if not sar.is_open:
        messages.info(request, gettext("This request is no longer open."))
        return HttpResponseRedirect(change_url(sar.pk))
    form = HandlingForm(request.POST or None, request=sar, admin_site=model_admin.admin_site)
    if request.method == "POST" and form.is_valid():
        try:
            done = handle_access_request(actor=request.user, request=sar, steps=form.steps())
        except ValidationError as exc:
            add_errors(form, exc)
            messages.error(request, gettext("Nothing was saved: %(why)s") % {"why": _why(exc)})
        else:
            messages.success(
                request, gettext("Request updated: %(steps)s.") % {"steps": "; ".join(done)}
            )
            return HttpResponseRedirect(change_url(sar.pk))
    return render_page(
        request,
        model_admin,
        "admin/sharing/accessrequest/handle.html",
        gettext("Handle this request"),
        original=sar,
        form=form,
        requester_warning=requester_warning(sar),
    )


def sent_view(
    request: HttpRequest, object_id: str, *, model_admin: SchoolScopedAdmin
) -> HttpResponse:
    """Record that the response was sent: this logs the disclosure, once."""
    model_admin._ensure_visible(request, object_id)
    require(request, PRODUCE)
    sar = model_admin.get_queryset(request).get(pk=object_id)
    form = SentForm(request.POST or None, request.FILES or None, request=sar)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        body, _name = file_bytes(data["sent_file"])
        try:
            response = record_response_sent(
                actor=request.user,
                request=sar,
                pupil=data["pupil"],
                sent_on=data["sent_on"],
                method=data["method"],
                sent_to=data["sent_to"],
                file_bytes=body,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("Recorded: the response was sent on %(date)s and is in the disclosure log.")
                % {"date": response.sent_on},
            )
            return HttpResponseRedirect(change_url(sar.pk))
    return render_page(
        request,
        model_admin,
        "admin/sharing/accessrequest/sent.html",
        gettext("Record that the response was sent"),
        original=sar,
        form=form,
    )


def file_view(
    request: HttpRequest, object_id: str, file_id: int, *, model_admin: SchoolScopedAdmin
) -> HttpResponse:
    """A response PDF (or draft) a job produced: for staff who may produce
    responses at the request's school; each download is on the trail."""
    model_admin._ensure_visible(request, object_id)
    require(request, PRODUCE)
    sar = model_admin.get_queryset(request).get(pk=object_id)
    file = ResponseFile.objects.filter(pk=file_id, request=sar).select_related("pupil").first()
    if file is None:
        raise Http404(gettext("This file is no longer kept: produce the response again."))
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=sar,
        pupil=file.pupil,
        school_id=file.school_id,
        summary=(
            "Subject access response draft downloaded (PDF), not for sending"
            if file.draft
            else "Subject access response downloaded (PDF)"
        ),
    )
    response = HttpResponse(bytes(file.content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _why(exc: ValidationError) -> str:
    return " ".join(exc.messages)
