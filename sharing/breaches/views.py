"""The DPO's pages of a breach: assess it, record a notification, and the
letter to families as a PDF. Each form page is one form, one service call
(all or nothing, trail included) and one redirect. Mounted by
``BreachAdmin.get_urls``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from sharing.access.pdf import PdfRenderError
from sharing.staff import add_errors, render_page, require

from .forms import AssessBreachForm, NotificationForm
from .letter import render_breach_letter
from .models import Breach
from .services import assess_breach, record_breach_notification

if TYPE_CHECKING:
    from pupils.admin_tools import SchoolScopedAdmin

ASSESS = "sharing.assess_breach"


def change_url(pk: int) -> str:
    return reverse("admin:sharing_breach_change", args=[pk])


def _breach(request: HttpRequest, object_id: str, model_admin: SchoolScopedAdmin) -> Breach:
    model_admin._ensure_visible(request, object_id)
    require(request, ASSESS)
    return model_admin.get_queryset(request).get(pk=object_id)


def assess_view(
    request: HttpRequest, object_id: str, *, model_admin: SchoolScopedAdmin
) -> HttpResponse:
    breach = _breach(request, object_id, model_admin)
    form = AssessBreachForm.for_breach(breach, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assess_breach(actor=request.user, breach=breach, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, gettext("Assessment saved."))
            return HttpResponseRedirect(change_url(breach.pk))
    return _page(request, model_admin, breach, form, gettext("Assess this breach"))


def notify_view(
    request: HttpRequest, object_id: str, *, model_admin: SchoolScopedAdmin
) -> HttpResponse:
    breach = _breach(request, object_id, model_admin)
    form = NotificationForm.for_breach(breach, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_breach_notification(actor=request.user, breach=breach, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, gettext("Notification recorded."))
            return HttpResponseRedirect(change_url(breach.pk))
    return _page(request, model_admin, breach, form, gettext("Record a notification"))


def _page(request, model_admin, breach: Breach, form, title: str) -> HttpResponse:
    return render_page(
        request,
        model_admin,
        "admin/sharing/breach/step.html",
        title,
        original=breach,
        form=form,
        due=timezone.localtime(breach.report_due_at),
    )


def letter_view(
    request: HttpRequest, object_id: str, notification_id: int, *, model_admin: SchoolScopedAdmin
) -> HttpResponse:
    breach = _breach(request, object_id, model_admin)
    notification = breach.notifications.filter(pk=notification_id).first()
    if notification is None or not notification.is_letter:
        raise Http404
    try:
        body = render_breach_letter(notification)
    except PdfRenderError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(change_url(breach.pk))
    response = HttpResponse(body, content_type="application/pdf")
    name = f"breach-letter-{breach.reference}-{notification.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
