"""The public pages: a rights request (/privacy/request), its confirmation
link, and a complaint (/privacy/complaint). No account; plain English; the
same answer whatever the school holds. Rate-limited per client address
(``pupils.ratelimit.POLICIES["privacy-request:address"]`` and
``["privacy-complaint:address"]``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pupils import ratelimit
from pupils.clientaddr import client_address
from pupils.hosts import school_for_request

from . import online
from .public_forms import ComplaintForm, RightsRequestForm


def _too_many(request: HttpRequest, school) -> HttpResponse:
    return render(request, "sharing/public_too_many.html", {"school": school}, status=429)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    form = RightsRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_bot:  # the hidden field was filled in: answer as usual, log nothing
            return redirect("sharing:request_sent")
        if not ratelimit.hit("privacy-request:address", client_address(request)):
            return _too_many(request, school)
        if form.is_valid():
            data = form.cleaned_data
            online.submit_online_request(
                school=school,
                kind=data["kind"],
                requester_name=data["requester_name"],
                email=data["email"].lower(),
                relationship=data["relationship"],
                pupil_name=data["pupil_name"],
                pupil_born_on=data["pupil_born_on"],
                details=data["details"],
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
            # The same page whether the address and the pupil are known or not.
            return redirect("sharing:request_sent")
        form.renew_stamp()
    return render(request, "sharing/request_form.html", {"school": school, "form": form})


@require_http_methods(["GET", "HEAD"])
def request_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "sharing/request_sent.html", {"school": school_for_request(request)})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link shows a button; only pressing it (a POST) confirms:
    mail scanners open links."""
    school = school_for_request(request)
    if request.method == "POST":
        if not ratelimit.hit("privacy-request:address", client_address(request)):
            return _too_many(request, school)
        confirmed = online.confirm_online_request(signed=token)
        template = "sharing/request_confirmed.html" if confirmed else "sharing/link_problem.html"
        return render(request, template, {"school": school}, status=200 if confirmed else 410)
    if online.confirmation_for(token) is None:
        return render(request, "sharing/link_problem.html", {"school": school}, status=410)
    return render(request, "sharing/request_confirm.html", {"school": school})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def complaint_form(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    form = ComplaintForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_bot:
            return redirect("sharing:complaint_sent")
        if not ratelimit.hit("privacy-complaint:address", client_address(request)):
            return _too_many(request, school)
        if form.is_valid():
            data = form.cleaned_data
            online.submit_online_complaint(
                school=school, name=data["name"], email=data["email"], summary=data["summary"]
            )
            return redirect("sharing:complaint_sent")
        form.renew_stamp()
    return render(request, "sharing/complaint_form.html", {"school": school, "form": form})


@require_http_methods(["GET", "HEAD"])
def complaint_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "sharing/complaint_sent.html", {"school": school_for_request(request)})
