"""The staff page "Move everyone up a year" (the September roll-over),
mounted by ``PupilAdmin.get_urls`` and linked from the pupil list.

GET changes nothing: for the user's school (a trust-wide user picks one) it
shows the pupils on roll per year group now and after the move, and the
Year 6 pupils who stay. POST calls ``yeargroups.move_up_a_year`` once and
returns to the pupil list with a message. Needs ``pupils.change_pupil``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import School
from .yeargroups import move_up_a_year, plan_move_up, school_year_label

MOVE_UP_PERMISSION = "pupils.change_pupil"


class ChooseSchoolForm(forms.Form):
    """A trust-wide user's choice of school (GET)."""

    school = forms.ModelChoiceField(queryset=School.objects.none(), label=gettext_lazy("School"))

    def __init__(self, *args, schools, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = schools


class MoveUpForm(forms.Form):
    """The confirmation (POST): the school and the school year the page showed,
    so a page left open over the summer is refused, not applied to the next."""

    school = forms.ModelChoiceField(queryset=School.objects.none(), widget=forms.HiddenInput)
    academic_year = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, schools, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = schools


def _chosen_school(request: HttpRequest, schools) -> tuple[School | None, ChooseSchoolForm | None]:
    visible = list(schools)
    if len(visible) == 1:
        return visible[0], None
    chooser = ChooseSchoolForm(request.GET or None, schools=schools)
    if request.GET.get("school") and chooser.is_valid():
        return chooser.cleaned_data["school"], chooser
    return None, chooser


def move_up_view(request: HttpRequest, *, model_admin: admin.ModelAdmin) -> HttpResponse:
    if not request.user.has_perm(MOVE_UP_PERMISSION):
        raise PermissionDenied
    schools = School.objects.visible_to(request.user).order_by("name")
    form: MoveUpForm | None = None
    if request.method == "POST":
        form = MoveUpForm(request.POST, schools=schools)
        if form.is_valid():
            school = form.cleaned_data["school"]
            try:
                result = move_up_a_year(
                    actor=request.user,
                    school=school,
                    academic_year=form.cleaned_data["academic_year"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                moved = ngettext(
                    "%(n)d pupil moved up a year",
                    "%(n)d pupils moved up a year",
                    result.moved,
                ) % {"n": result.moved}
                staying = ngettext(
                    "%(n)d Year 6 pupil is still on roll: record their leaving",
                    "%(n)d Year 6 pupils are still on roll: record their leaving",
                    len(result.staying),
                ) % {"n": len(result.staying)}
                messages.success(request, f"{moved}; {staying}.")
                return HttpResponseRedirect(reverse("admin:pupils_pupil_changelist"))
        school = form.cleaned_data.get("school") if form.is_bound else None
        chooser = None
        if school is None:
            raise Http404  # a school this user does not see, or a forged id
    else:
        school, chooser = _chosen_school(request, schools)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Move everyone up a year"),
        "opts": model_admin.opts,
        "chooser": chooser,
    }
    if school is not None:
        plan = plan_move_up(school=school)
        if form is None:
            form = MoveUpForm(
                initial={"school": school.pk, "academic_year": plan.academic_year},
                schools=schools,
            )
        context.update(
            {
                "school": school,
                "plan": plan,
                "year_label": school_year_label(plan.academic_year),
                "form": form,
            }
        )
    return TemplateResponse(request, "admin/pupils/pupil/move_up.html", context)
