"""Public pages: the privacy notice and the cloud services in use.

Pages are rendered without the request (nothing per-visitor goes in) and
kept in the shared cache per school, with a few seconds' copy in each
process in front of it (``providers.cache``).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.http import require_safe

from pupils.hosts import school_for_request
from pupils.models import School

from . import cache, notice, public
from .models import NoticeStatus, PolicyDocument, PrivacyNotice


def _respond(body: bytes, content_type: str = "text/html; charset=utf-8") -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    cache.mark_shareable(response)
    return response


def page_context(school, shown: PrivacyNotice | None, *, printable: bool = False) -> dict:
    current = PrivacyNotice.objects.current_for(school)
    displayed = shown if shown is not None else current
    return {
        "school": school,
        "notice": displayed,
        "current": current,
        "blocks": notice.parse_blocks(displayed.body) if displayed is not None else [],
        "providers": public.provider_rows(school),
        "versions": public.published_versions(school),
        "printable": printable,
        "is_current": shown is None or (current is not None and shown.pk == current.pk),
        "policy": PolicyDocument.objects.current_for(school),
    }


def policy_context(school: School, shown: PolicyDocument | None) -> dict:
    current = PolicyDocument.objects.current_for(school)
    displayed = shown if shown is not None else current
    return {
        "school": school,
        "document": displayed,
        "blocks": notice.parse_blocks(displayed.body) if displayed is not None else [],
        "versions": list(
            PolicyDocument.objects.published()
            .filter(school=school)
            .order_by("-version")
            .values("version", "published_at")
        ),
        "is_current": shown is None or (current is not None and shown.pk == current.pk),
    }


def _cached(request: HttpRequest, name: str, render: Callable[[School], bytes]) -> bytes:
    """This process's recent copy, else the shared cache, else ``render``.
    One copy per language (the page is rendered in the active one)."""
    name = f"{name}:{translation.get_language()}"
    host = request.get_host().rsplit(":", 1)[0].lower()
    body = cache.local_get(host, name)
    if body is None:
        school = school_for_request(request)
        body = cache.get_or_render(school.pk, name, lambda: render(school))
        cache.local_put(host, name, body)
    return body


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return _respond(
        _cached(
            request,
            "privacy",
            lambda school: render_to_string(
                "providers/privacy.html", page_context(school, None)
            ).encode(),
        )
    )


@require_safe
def privacy_print(request: HttpRequest) -> HttpResponse:
    return _respond(
        _cached(
            request,
            "print",
            lambda school: render_to_string(
                "providers/privacy.html", page_context(school, None, printable=True)
            ).encode(),
        )
    )


@require_safe
def notice_version(request: HttpRequest, version: int) -> HttpResponse:
    def render(school: School) -> bytes:
        shown = get_object_or_404(
            PrivacyNotice, school=school, version=version, status=NoticeStatus.PUBLISHED
        )
        return render_to_string("providers/privacy.html", page_context(school, shown)).encode()

    return _respond(_cached(request, f"notice:{version}", render))


@require_safe
def providers_json(request: HttpRequest) -> HttpResponse:
    body = _cached(
        request,
        "json",
        lambda school: json.dumps(
            public.json_document(school), ensure_ascii=False, indent=1
        ).encode(),
    )
    return _respond(body, "application/json; charset=utf-8")


@require_safe
def policy_document(request: HttpRequest) -> HttpResponse:
    return _respond(
        _cached(
            request,
            "policy",
            lambda school: render_to_string(
                "providers/policy.html", policy_context(school, None)
            ).encode(),
        )
    )


@require_safe
def policy_version(request: HttpRequest, version: int) -> HttpResponse:
    def render(school: School) -> bytes:
        shown = get_object_or_404(
            PolicyDocument, school=school, version=version, status=NoticeStatus.PUBLISHED
        )
        return render_to_string("providers/policy.html", policy_context(school, shown)).encode()

    return _respond(_cached(request, f"policy:{version}", render))
