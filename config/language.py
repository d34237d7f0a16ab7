"""The language of each page.

Parents' pages: the language the parent chose with the switcher (a cookie:
parents' pages never write a session), else the preferred language of the
contact a consent link was sent to (``consent.views``), else the browser's
Accept-Language, else English (``pupils.language``). The staff site is always in English.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

COOKIE_MAX_AGE = 365 * 24 * 60 * 60


_STAFF_PREFIX: dict[tuple[str, str], str] = {}


def _staff_prefix() -> str:
    """The staff site's path, reversed once per URL configuration (not on
    every request of every visitor)."""
    key = (str(get_urlconf() or settings.ROOT_URLCONF), get_script_prefix())
    prefix = _STAFF_PREFIX.get(key)
    if prefix is None:
        prefix = _STAFF_PREFIX[key] = reverse("admin:index")
    return prefix


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (cookie, then Accept-Language), with the
    staff site held in English whatever the browser asks for."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith(_staff_prefix()):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return
        super().process_request(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        response = super().process_response(request, response)
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            # The switcher's cookie chose this page's language: a shared cache
            # must not hand this copy to others, nor its own copy to this
            # browser. Without the cookie only Accept-Language decides, so the
            # public pages stay shareable by a proxy or CDN (which must pass
            # requests carrying the cookie through: docs/performance.md).
            patch_vary_headers(response, ("Cookie",))
            patch_cache_control(response, private=True)
        return response


@require_safe
def choose_language(request: HttpRequest, code: str) -> HttpResponse:
    """The switcher's links: remember the choice in a cookie and go back to
    the page the parent was on. A link rather than a form, so that it works
    on cached pages that carry no CSRF token; it changes nothing stored."""
    back = request.GET.get("next") or request.headers.get("referer") or "/privacy"
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/privacy"
    response = HttpResponseRedirect(back)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=COOKIE_MAX_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite="Lax",
        )
    return response
