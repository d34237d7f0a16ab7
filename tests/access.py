"""Building blocks for the permission-matrix test (every URL x every role).

- ``project_urls()`` lists every URL pattern the project serves, so a matrix
  can fail when a pattern has no row.
- ``outcome(response)`` names what a role got: "allowed", "login", "403" or
  "404" (or the status code).
- The clients for each role are the conftest fixtures: ``client``
  (anonymous), ``office_client``, ``dpo_client``, ``other_school_client`` and
  ``deactivated_client``; all staff ones are signed in with a second factor.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver, reverse


def project_urls() -> list[tuple[str, str]]:
    """(route, qualified name) for every URL pattern, e.g.
    ("admin/pupils/pupil/<path:object_id>/change/", "admin:pupils_pupil_change")."""
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, route, ns)
            elif isinstance(p, URLPattern):
                found.append((route, f"{namespace}{p.name}" if p.name else ""))

    walk(get_resolver().url_patterns, "", "")
    return found


def outcome(response) -> str:
    if response.status_code in (200, 204) or (
        response.status_code == 302 and not _to_login(response)
    ):
        return "allowed"
    if response.status_code == 302 and _to_login(response):
        return "login"
    return str(response.status_code)


def _to_login(response) -> bool:
    return response["Location"].split("?")[0] == reverse("admin:login")
