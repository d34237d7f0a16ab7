"""The DPO's "Handle this request" page: one form of optional steps, one
service call (``handle_access_request``: all or nothing, trail included),
one redirect with a message; "record that the response was sent"; and the
download of a response PDF a job produced. Mounted by
``AccessRequestAdmin.get_urls``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext

from pupils import audit
from pupils.models import AuditAction
from sharing.forms import file_bytes
from sharing.staff import form_page, get_for, handle_steps_page

from .files import ResponseFile
from .forms import HandlingForm, SentForm
from .models import AccessResponse
from .response import record_response_sent
from .services import handle_access_request, requester_warning

if TYPE_CHECKING:
    from pupils.admin_tools import SchoolScopedAdmin

HANDLE = "sharing.handle_access_request"
PRODUCE = "sharing.produce_access_response"


def handle_view(
    request: HttpRequest, object_id: str, *, model_admin: SchoolScopedAdmin
) -> HttpResponse:
    sar = get_for(request, model_admin, object_id, HANDLE)
    return handle_steps_page(
        request,
        model_admin,
        sar,
        make_form=lambda data: HandlingForm(data, request=sar, admin_site=model_admin.admin_site),
        handle=handle_access_request,
        template="admin/sharing/accessrequest/handle.html",
        context=lambda: {"requester_warning": requester_warning(sar)},
    )


def sent_view(
    request: HttpRequest, object_id: str, *, model_admin: SchoolScopedAdmin
) -> HttpResponse:
    """Record that the response was sent: this logs the disclosure, once."""
    sar = get_for(request, model_admin, object_id, PRODUCE)

    def save(data: dict) -> AccessResponse:
        return record_response_sent(
            actor=request.user,
            request=sar,
            pupil=data["pupil"],
            sent_on=data["sent_on"],
            method=data["method"],
            sent_to=data["sent_to"],
            file_bytes=file_bytes(data["sent_file"])[0],
        )

    return form_page(
        request,
        model_admin,
        sar,
        form=SentForm(request.POST or None, request.FILES or None, request=sar),
        save=save,
        done=lambda response: (
            gettext("Recorded: the response was sent on %(date)s and is in the disclosure log.")
            % {"date": response.sent_on}
        ),
        template="admin/sharing/accessrequest/sent.html",
        title=gettext("Record that the response was sent"),
    )


def file_view(
    request: HttpRequest, object_id: str, file_id: int, *, model_admin: SchoolScopedAdmin
) -> HttpResponse:
    """A response PDF (or draft) a job produced: for staff who may produce
    responses at the request's school; each download is on the trail."""
    sar = get_for(request, model_admin, object_id, PRODUCE)
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
