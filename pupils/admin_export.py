"""The pupil list's "Download as CSV" (``PupilAdmin.export_csv_view``).

The pupils are the list's own: Django's ChangeList reads the same query
string, so the same filters, search, ordering and special category guard
apply (a lookup the user may not make is refused here as on the list).
The CSV and the trail entry come from ``pupils.csvexport.export_pupils``.
"""

from __future__ import annotations

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .admin_tools import may_see_special
from .csvexport import export_pupils


def csvexport_view(model_admin, request) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    # Every pupil the filters keep, not one page of them.
    request.GET = request.GET.copy()
    request.GET.pop(PAGE_VAR, None)
    try:
        cl = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return HttpResponseBadRequest(_("This list cannot be filtered that way."))
    profile = getattr(request.user, "staff_profile", None)
    text = export_pupils(
        actor=request.user,
        pupils=cl.queryset,
        special=may_see_special(request.user),
        school_id=profile.school_id if profile else None,
        narrowed_by=_narrowed_by(cl, request),
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="pupils-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _narrowed_by(cl, request) -> list[str]:
    """The filters' titles in use, and "search" (never the words searched)."""
    used = [
        str(spec.title)
        for spec in cl.filter_specs
        if any(request.GET.get(p) for p in spec.expected_parameters())
    ]
    if request.GET.get(SEARCH_VAR):
        used.append("search")
    return used
