"""Staff workflows mounted in the staff site (``consent.admin`` wires the
URLs through ``admin_site.admin_view``): recording a paper, telephone or
e-mail answer, and sending consent requests.

Each is one form, one service call and one redirect with a message; the
service does the writing, in one transaction, and writes the trail.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from providers.models import PrivacyNotice, Provider
from pupils.jobs import start_job
from pupils.models import Contact, EnrolmentStatus, Job, Pupil, School

from . import reports, services, tasks
from .models import ConsentMethod, ConsentRecord, ConsentRequestReason
from .queries import contacts_to_email, providers_needing_consent

SEND_REQUESTS = "consent.add_consentrequest"


class StaffAnswerForm(forms.Form):
    """A paper, telephone or e-mail answer, entered by staff. The record is
    built by ``services.record_consent``, never from this form."""

    pupil = forms.ModelChoiceField(label=gettext_lazy("pupil"), queryset=Pupil.objects.none())
    provider = forms.ModelChoiceField(
        label=gettext_lazy("cloud service"), queryset=Provider.objects.none()
    )
    given = forms.TypedChoiceField(
        label=gettext_lazy("Answer"),
        choices=[(True, gettext_lazy("Yes, consent given")), (False, gettext_lazy("No, refused"))],
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
    )
    given_by_contact = forms.ModelChoiceField(
        label=gettext_lazy("given by (parent or carer)"),
        queryset=Contact.objects.none(),
        required=False,
    )
    by_pupil = forms.BooleanField(
        label=gettext_lazy("given by the pupil"),
        required=False,
        help_text=gettext_lazy(
            "From 13 for online services. For biometrics, at any age: a pupil's "
            "objection stops it whatever the parents say."
        ),
    )
    method = forms.ChoiceField(
        label=gettext_lazy("How"),
        choices=[c for c in ConsentMethod.choices if c[0] != ConsentMethod.ONLINE],
    )
    notice = forms.ModelChoiceField(
        label=gettext_lazy("privacy notice version shown"),
        queryset=PrivacyNotice.objects.none(),
        required=False,
        help_text=gettext_lazy("Leave empty for the version published now."),
    )

    def __init__(self, *args, user, admin_site: admin.AdminSite, **kwargs):
        super().__init__(*args, **kwargs)
        # Widgets first: setting a queryset hands its choices to the widget.
        for name in ("pupil", "given_by_contact"):
            widget = AutocompleteSelect(ConsentRecord._meta.get_field(name), admin_site)
            widget.is_required = self.fields[name].required
            self.fields[name].widget = widget
        visible = School.objects.visible_to(user)
        self._choice_field("pupil").queryset = Pupil.objects.visible_to(user).exclude(
            enrolment_status=EnrolmentStatus.LEFT
        )
        self._choice_field("provider").queryset = Provider.objects.filter(
            school__in=visible
        ).needing_consent()
        self._choice_field("given_by_contact").queryset = Contact.objects.filter(school__in=visible)
        self._choice_field("notice").queryset = PrivacyNotice.objects.filter(
            school__in=visible
        ).published()

    def _choice_field(self, name: str) -> forms.ModelChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        return field


def record_answer_view(request: HttpRequest, *, model_admin: admin.ModelAdmin) -> HttpResponse:
    """The "Add consent record" page: a paper, telephone or e-mail answer."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = StaffAnswerForm(data, user=request.user, admin_site=model_admin.admin_site)
    if data is not None and form.is_valid():
        try:
            record, _created = services.record_consent(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            model_admin.log_addition(request, record, [{"added": {}}])
            messages.success(request, _("Answer recorded: %(record)s.") % {"record": record})
            return redirect("admin:consent_consentrecord_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Record a paper, telephone or e-mail answer"),
        "opts": model_admin.opts,
        "form": form,
    }
    return TemplateResponse(request, "admin/consent/record_answer.html", context)


class SendForm(forms.Form):
    pupils = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Pupils"),
        queryset=Pupil.objects.none(),
        required=False,
        widget=FilteredSelectMultiple(gettext_lazy("pupils"), is_stacked=False),
    )
    missing_only = forms.BooleanField(
        label=gettext_lazy("All pupils still missing an answer (applicants and pupils on roll)"),
        required=False,
    )
    reminder = forms.BooleanField(label=gettext_lazy("Word it as a reminder"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        pupils_field = self.fields["pupils"]
        assert isinstance(pupils_field, forms.ModelMultipleChoiceField)
        pupils_field.queryset = (
            Pupil.objects.visible_to(user)
            .exclude(enrolment_status=EnrolmentStatus.LEFT)
            .order_by("legal_surname", "legal_forename", "pk")
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not data.get("pupils") and not data.get("missing_only"):
            raise forms.ValidationError(
                _("Choose one or more pupils, or all pupils still missing an answer.")
            )
        return data


def send_requests_view(request: HttpRequest, *, model_admin: admin.ModelAdmin) -> HttpResponse:
    """ "Send consent requests": to chosen pupils' families and/or to every
    family still missing an answer at the schools this member of staff sees.

    Form, then a confirmation that says how many parents and carers will get
    an e-mail, then a job in the worker and its progress page."""
    if not request.user.has_perm(SEND_REQUESTS):
        raise PermissionDenied
    initial: dict[str, object] = (
        {"pupils": request.GET.getlist("pupil")} if request.GET.get("pupil") else {}
    )
    if request.GET.get("missing_only"):
        initial.update({"missing_only": True, "reminder": True})
    data = request.POST if request.method == "POST" else None
    form = SendForm(data, user=request.user, initial=initial)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Send consent requests"),
        "opts": model_admin.opts,
        "form": form,
    }
    if data is not None and form.is_valid():
        pupils = list(form.cleaned_data["pupils"])
        if form.cleaned_data["missing_only"]:
            pupils += reports.pupils_missing_at(School.objects.visible_to(request.user))
        families = _families_to_email(pupils)
        if not families:
            form.add_error(
                None,
                _(
                    "Nobody would get an e-mail: none of these pupils has a parent or carer "
                    "with parental responsibility and an e-mail address, or no cloud service "
                    "needs consent."
                ),
            )
        elif data.get("confirmed") == "yes":
            job = _start_sending(request, pupils, reminder=form.cleaned_data["reminder"])
            return redirect("admin:pupils_job_progress", job.pk)
        else:
            context.update(
                {
                    "title": _("Check before sending"),
                    "families": len(families),
                    "pupil_count": len({p.pk for p in pupils}),
                    "reminder": form.cleaned_data["reminder"],
                }
            )
            return TemplateResponse(request, "admin/consent/send_confirm.html", context)
    return TemplateResponse(request, "admin/consent/send.html", context)


def _families_to_email(pupils: list[Pupil]) -> list[Contact]:
    contacts = list(contacts_to_email(pupils))
    schools = {c.school_id: c.school for c in contacts}
    asking = {pk for pk, school in schools.items() if providers_needing_consent(school).exists()}
    return [c for c in contacts if c.school_id in asking]


def _start_sending(request: HttpRequest, pupils: list[Pupil], *, reminder: bool) -> Job:
    return start_job(
        actor=request.user,
        school=pupils[0].school,
        kind=tasks.SEND_JOB,
        title=_("Send consent requests"),
        task_path="consent.tasks.send_consent_requests_job",
        arguments={
            "pupil_ids": sorted({p.pk for p in pupils}),
            "reason": (
                ConsentRequestReason.REMINDER if reminder else ConsentRequestReason.SENT_BY_STAFF
            ),
        },
    )
