"""Which school a public request is for: each school's public pages are
served at its own host name; unknown hosts get the default school."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from .models import School


def school_for_request(request: HttpRequest) -> School:
    host = request.get_host().split(":")[0].lower()
    school = School.objects.filter(hostname=host).first()
    if school is None:
        school = School.objects.filter(is_default=True).first()
    if school is None:
        raise Http404("No school is set up for this address.")
    return school
