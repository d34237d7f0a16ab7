"""Staff pages of the disclosure log beyond the admin's own: recording a
census return (one form, one service call, one redirect) and one pupil's
disclosure history. Mounted by ``DisclosureAdmin.get_urls``."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext

from pupils.models import Pupil
from sharing.dates import long_date
from sharing.forms import file_bytes
from sharing.staff import add_errors, render_page, require

from .forms import CensusReturnForm
from .models import Disclosure
from .services import record_census_return

VIEW_LOG = "sharing.view_disclosure"
ADD_LOG = "sharing.add_disclosure"


def census_return_view(request: HttpRequest, *, model_admin: admin.ModelAdmin) -> HttpResponse:
    require(request, ADD_LOG)
    form = CensusReturnForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        content, file_name = file_bytes(data.get("sent_file"))
        try:
            disclosure = record_census_return(
                actor=request.user, school=data["school"], term=data["term"],
                academic_year=data["academic_year"], census_date=data["census_date"],
                method=data["method"], file_bytes=content, file_name=file_name,
                notes=data["notes"],
            )  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("Census return recorded for %(n)d pupils on roll on %(day)s.")
                % {"n": disclosure.pupils.count(), "day": long_date(disclosure.census_date)},
            )
            return HttpResponseRedirect(
                reverse("admin:sharing_disclosure_change", args=[disclosure.pk])
            )
    return render_page(
        request,
        model_admin,
        "admin/sharing/disclosure/census.html",
        gettext("Record a census return"),
        form=form,
    )


def pupil_history_view(
    request: HttpRequest, pupil_id: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    require(request, VIEW_LOG)
    pupil = get_object_or_404(Pupil.objects.visible_to(request.user), pk=pupil_id)
    disclosures = (
        Disclosure.objects.visible_to(request.user)
        .for_pupil(pupil)
        .select_related("sent_by", "corrects", "correction")
        .newest_first()
    )
    return render_page(
        request,
        model_admin,
        "admin/sharing/disclosure/pupil_history.html",
        gettext("Disclosures of %(pupil)s") % {"pupil": pupil},
        pupil=pupil,
        disclosures=disclosures,
    )
