"""The DPO's "Handle this request" page: one form of optional steps, one
service call (``handle_access_request``: all or nothing, trail included),
one redirect with a message. Mounted by ``AccessRequestAdmin.get_urls``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext

from sharing.staff import add_errors, render_page, require

from .forms import HandlingForm
from .services import handle_access_request

if TYPE_CHECKING:
    from pupils.admin_tools import SchoolScopedAdmin

HANDLE = "sharing.handle_access_request"


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
    form = HandlingForm(request.POST or None, request=sar)
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
    )


def _why(exc: ValidationError) -> str:
    return " ".join(exc.messages)
