"""The DPO's pages for rights requests and complaints: each is one form,
one service call (all or nothing, trail included) and one redirect.
Mounted by ``RightsRequestAdmin.get_urls`` and ``ComplaintAdmin.get_urls``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from pupils.models import School
from sharing.staff import add_errors, form_page, get_for, handle_steps_page, render_page

from .complaints import acknowledge_complaint, record_complaint_outcome
from .forms import AcknowledgeForm, OutcomeForm, PortableCopyForm, RightsHandlingForm
from .models import Complaint
from .portability import export_portable_data
from .register import DUE_SOON, OVERDUE, open_requests
from .services import handle_rights_request

if TYPE_CHECKING:
    from pupils.admin_tools import SchoolScopedAdmin

HANDLE = "sharing.handle_rights_request"
HANDLE_COMPLAINT = "sharing.handle_complaint"
PAGE = "admin/sharing/rights/step.html"


def handle_view(
    request: HttpRequest, object_id: str, *, model_admin: SchoolScopedAdmin
) -> HttpResponse:
    rights = get_for(request, model_admin, object_id, HANDLE)
    return handle_steps_page(
        request,
        model_admin,
        rights,
        make_form=RightsHandlingForm,
        handle=handle_rights_request,
        template=PAGE,
    )


def portable_view(
    request: HttpRequest, object_id: str, *, model_admin: SchoolScopedAdmin
) -> HttpResponse:
    """Produce one pupil's portable copy (a POST: it writes the trail)."""
    rights = get_for(request, model_admin, object_id, HANDLE)
    form = PortableCopyForm(request.POST or None, request=rights)
    if request.method == "POST" and form.is_valid():
        pupil = form.cleaned_data["pupil"]
        try:
            body = export_portable_data(actor=request.user, request=rights, pupil=pupil)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            response = HttpResponse(body, content_type="application/json; charset=utf-8")
            name = f"portable-copy-{rights.pk}-{pupil.pk}.json"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "no-store"
            return response
    return render_page(
        request,
        model_admin,
        PAGE,
        gettext("Produce the portable copy (JSON)"),
        original=rights,
        form=form,
        submit=gettext("Download the JSON file"),
    )


def _complaint_step(
    form_class: type[Form], service: Callable[..., Complaint], done: str, title: str
):
    """A complaint's step: one form, one service call, back to the complaint."""

    def view(request: HttpRequest, object_id: str, *, model_admin: SchoolScopedAdmin):
        complaint = get_for(request, model_admin, object_id, HANDLE_COMPLAINT)
        return form_page(
            request,
            model_admin,
            complaint,
            form=form_class(request.POST or None),
            save=lambda data: service(actor=request.user, complaint=complaint, **data),
            done=lambda _complaint: gettext(done),
            template=PAGE,
            title=gettext(title),
        )

    return view


acknowledge_view = _complaint_step(
    AcknowledgeForm,
    acknowledge_complaint,
    gettext_noop("Acknowledgement recorded."),
    gettext_noop("Acknowledge this complaint"),
)
outcome_view = _complaint_step(
    OutcomeForm,
    record_complaint_outcome,
    gettext_noop("Outcome recorded."),
    gettext_noop("Record the outcome"),
)


#: Whoever may read a kind of request sees it on the page.
VIEW_PERMS = {
    "access": "sharing.view_accessrequest",
    "rights": "sharing.view_rightsrequest",
    "complaints": "sharing.view_complaint",
}
#: The registers a DPO hands over (the audit pack's, one at a time).
EXPORT = "sharing.download_audit_pack"


def requests_due_view(request: HttpRequest, *, model_admin: SchoolScopedAdmin) -> HttpResponse:
    """Every open request of every kind the user may read, soonest due first,
    overdue and due-soon marked: a fixed number of queries."""
    may = {kind: request.user.has_perm(perm) for kind, perm in VIEW_PERMS.items()}
    if not any(may.values()):
        raise PermissionDenied
    schools = School.objects.visible_to(request.user)
    rows = open_requests(schools, timezone.localdate(), **may)
    return render_page(
        request,
        model_admin,
        "admin/sharing/rights/requests.html",
        gettext("Requests by due date"),
        rows=rows,
        overdue=sum(1 for r in rows if r.urgency == OVERDUE),
        due_soon=sum(1 for r in rows if r.urgency == DUE_SOON),
        export_schools=list(schools.order_by("name")) if request.user.has_perm(EXPORT) else [],
    )
