"""Shared helpers for the consent tests."""

import re

from django.core import mail

from consent.forms import field_name
from consent.models import ConsentRecord, ConsentRequest, OfflineArrangement
from pupils.models import AuditEvent

LINK_RE = re.compile(r"https?://\S+/consent/link/\S+/")


def link_from_outbox(index: int = -1) -> str:
    return LINK_RE.search(mail.outbox[index].body).group(0)


def asked_in_email(body: str) -> dict[str, list[str]]:
    """Child -> the services a link e-mail (English) asks about for them."""
    asked: dict[str, list[str]] = {}
    child = None
    for line in body.splitlines():
        if match := re.fullmatch(r"For (.+), we ask about:", line):
            child = match.group(1)
            asked[child] = []
        elif child and line.startswith("- "):
            asked[child].append(re.sub(r" \(.*\)$", "", line[2:]))
        else:
            child = None
    return asked


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def answers_post(family, choices: dict[tuple[int, int], str] | None = None) -> dict:
    """POST data answering every question on the family's form ('yes' by default)."""
    data = {}
    for i, child in enumerate(family.children):
        for j, provider in enumerate(family.providers):
            value = (choices or {}).get((i, j), "yes")
            data[field_name(child.pk, provider.pk)] = value
    return data


def row_counts() -> dict[str, int]:
    return {
        "records": ConsentRecord.objects.count(),
        "requests": ConsentRequest.objects.count(),
        "revoked": ConsentRequest.objects.filter(revoked_at__isnull=False).count(),
        "arrangements": OfflineArrangement.objects.count(),
        "audit": AuditEvent.objects.count(),
    }
