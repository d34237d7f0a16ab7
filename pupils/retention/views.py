"""The DPO's "due for erasure" page: what the schedule says is due today in
the user's schools, with the reasons and the holds; erasing it takes a
confirmation. One form, one service call, one redirect."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..models import School
from .due import due_for_erasure
from .schedule import schedules_for
from .services import erase_due

ERASE_PERMISSION = "pupils.erase_records"


class ConfirmErasureForm(forms.Form):
    pupils = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I have checked the list: erase these records now. This cannot be undone."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm the erasure.")},
    )

    def clean_pupils(self) -> set[int]:
        try:
            return {int(v) for v in self.cleaned_data["pupils"].split(",") if v}
        except ValueError as exc:
            raise forms.ValidationError(_("The list was changed: reload the page.")) from exc


def due_view(request: HttpRequest, *, model_admin: admin.ModelAdmin) -> HttpResponse:
    if not request.user.has_perm(ERASE_PERMISSION):
        raise PermissionDenied
    schools = list(School.objects.visible_to(request.user))
    today = timezone.localdate()
    due = due_for_erasure(as_of=today, schools=schools)
    erasable = [d for d in due if not d.held]
    ids = ",".join(str(d.pupil_id) for d in erasable)
    form = ConfirmErasureForm(request.POST or None, initial={"pupils": ids})
    if request.method == "POST" and form.is_valid():
        results = erase_due(
            actor=request.user, as_of=today, schools=schools, only=form.cleaned_data["pupils"]
        )
        messages.success(
            request,
            ngettext(
                "The due records of %(n)d pupil were erased.",
                "The due records of %(n)d pupils were erased.",
                len(results),
            )
            % {"n": len(results)},
        )
        return HttpResponseRedirect(reverse("admin:pupils_retentionperiod_due"))
    by_school = schedules_for(schools)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Due for erasure"),
        "opts": model_admin.opts,
        "today": today,
        "due": due,
        "erasable": erasable,
        "held": len(due) - len(erasable),
        "schedules": [(s, by_school[s.pk]) for s in schools],
        "form": form,
    }
    return TemplateResponse(request, "admin/pupils/retention_due.html", context)
