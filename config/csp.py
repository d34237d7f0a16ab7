"""The Content-Security-Policy header, built once.

Django's middleware renders ``SECURE_CSP`` into a header on every response.
Only a response whose page used the nonce needs its own header; every other
response gets the same string, rendered once per configuration and kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware import csp
from django.utils.csp import CSP, build_policy


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    def __init__(self, get_response: Any) -> None:
        super().__init__(get_response)
        # (configuration object, header): settings overridden in tests are
        # new objects, so the identity check renders them afresh.
        self._built: dict[str, tuple[object, str]] = {}

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if (
            csp.get_nonce(request)
            or hasattr(response, "_csp_config")
            or hasattr(response, "_csp_ro_config")
        ):
            return super().process_response(request, response)
        for header, name in (
            (CSP.HEADER_ENFORCE, "SECURE_CSP"),
            (CSP.HEADER_REPORT_ONLY, "SECURE_CSP_REPORT_ONLY"),
        ):
            config = getattr(settings, name)
            if config and header not in response:
                response.headers[str(header)] = self._policy(name, config)
        return response

    def _policy(self, name: str, config: Mapping[str, Any]) -> str:
        built = self._built.get(name)
        if built is None or built[0] is not config:
            built = (config, build_policy(config))
            self._built[name] = built
        return built[1]
