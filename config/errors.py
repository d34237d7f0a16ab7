"""Error pages: 400, 403, 404 and 500 in the site's style. Parents and the
public get the public layout with their school's name; staff pages (under
/admin/) a plain page. The 500 page touches nothing (the database may be
what failed)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _context(request: HttpRequest, *, lookup_school: bool = True) -> dict:
    staff = request.path.startswith("/admin/")
    context: dict = {"staff": staff, "base": "admin/base.html" if staff else "public/base.html"}
    if not staff and lookup_school:
        try:
            from pupils.hosts import school_for_request

            context["school"] = school_for_request(request)
        except Exception:  # noqa: S110 - an error page must not fail in its turn
            pass
    return context


def _page(request: HttpRequest, template: str, status: int, **extra) -> HttpResponse:
    html = render_to_string(template, {**_context(request, **extra)}, request=request)
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(request, "500.html", 500, lookup_school=False)
