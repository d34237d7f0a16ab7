"""Lists downloaded as CSV exactly as the staff member sees them filtered.

The rows are the list's own: Django's ChangeList reads the same query
string, so the same filters, search, ordering, school scoping and special
category guard apply (a lookup the user may not make is refused here as on
the list). ``filtered_list`` gives every row the filters keep, not one page;
``narrowed_by`` says how the list was narrowed for the trail (the filters'
titles and "search", never the words searched); ``csv_download`` is the
response. Used by the pupil list (``PupilAdmin.export_csv_view``) and the
disclosure log (``sharing.disclosures``).
"""

from __future__ import annotations

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .admin_tools import may_see_special
from .csvexport import export_pupils


def filtered_list(model_admin, request) -> ChangeList | HttpResponse:
    """The list as ``request`` filters it, every page; a 400 for a filter the
    list refuses."""
    request.GET = request.GET.copy()
    request.GET.pop(PAGE_VAR, None)
    try:
        return model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return HttpResponseBadRequest(_("This list cannot be filtered that way."))


def narrowed_by(cl: ChangeList, request) -> list[str]:
    """The filters' titles in use, and "search" (never the words searched)."""
    used = [
        str(spec.title)
        for spec in cl.filter_specs
        if any(request.GET.get(p) for p in spec.expected_parameters())
    ]
    if request.GET.get(SEARCH_VAR):
        used.append("search")
    return used


def csv_download(text: str, stem: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def csvexport_view(model_admin, request) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    cl = filtered_list(model_admin, request)
    if isinstance(cl, HttpResponse):
        return cl
    profile = getattr(request.user, "staff_profile", None)
    text = export_pupils(
        actor=request.user,
        pupils=cl.queryset,
        special=may_see_special(request.user),
        school_id=profile.school_id if profile else None,
        narrowed_by=narrowed_by(cl, request),
    )
    return csv_download(text, "pupils")
