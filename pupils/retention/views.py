"""The DPO's "due for erasure" page: what the schedule says is due today in
the user's schools, with the reasons, the holds and the pupils a run could
not erase; erasing it takes a confirmation and runs as a background job
(``tasks.start_erasing``), whose progress page the DPO is sent to."""

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

from ..models import AuditAction, AuditEvent, School
from .due import DuePupil, due_for_erasure
from .schedule import schedules_for
from .services import FAILED_PREFIX
from .tasks import ERASE_PERMISSION, start_erasing


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


def _failures(due: list[DuePupil]) -> dict[int, AuditEvent]:
    """The last failed erasure of each pupil still listed (from the trail)."""
    entries = AuditEvent.objects.filter(
        action=AuditAction.ERASE,
        pupil_id__in=[d.pupil_id for d in due],
        summary__startswith=FAILED_PREFIX,
    ).order_by("pupil_id", "-id")
    found: dict[int, AuditEvent] = {}
    for entry in entries.only("pupil_id", "at", "summary"):
        found.setdefault(entry.pupil_id or 0, entry)
    return found


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
        confirmed = form.cleaned_data["pupils"]
        by_school: dict[int, set[int]] = {}
        for entry in erasable:
            if entry.pupil_id in confirmed:
                by_school.setdefault(entry.school_id, set()).add(entry.pupil_id)
        jobs = start_erasing(actor=request.user, as_of=today, schools=schools, pupils=by_school)
        if len(jobs) == 1:
            return HttpResponseRedirect(reverse("admin:pupils_job_progress", args=[jobs[0].pk]))
        messages.success(
            request,
            ngettext(
                "The erasure was started as %(n)d background job.",
                "The erasure was started as %(n)d background jobs, one per school.",
                len(jobs),
            )
            % {"n": len(jobs)},
        )
        if jobs:
            return HttpResponseRedirect(reverse("admin:pupils_job_changelist"))
        return HttpResponseRedirect(reverse("admin:pupils_retentionperiod_due"))
    failures = _failures(due)
    for entry in due:
        failed = failures.get(entry.pupil_id)
        entry.failed_at = failed.at if failed is not None else None
    by_school_schedule = schedules_for(schools)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Due for erasure"),
        "opts": model_admin.opts,
        "today": today,
        "due": due,
        "erasable": erasable,
        "held": len(due) - len(erasable),
        "failed": len(failures),
        "schedules": [(s, by_school_schedule[s.pk]) for s in schools],
        "form": form,
    }
    return TemplateResponse(request, "admin/pupils/retention_due.html", context)
