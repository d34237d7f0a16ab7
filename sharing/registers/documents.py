"""The registers as PDFs, rendered by the isolated WeasyPrint worker of
``sharing.access.pdf`` (memory, time and fetch limits; imported, never
copied). Templates autoescape: data is always text, never markup."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from pupils.models import School
from sharing.access import pdf
from sharing.access.pdf_worker import STATIC_ORIGIN
from sharing.breaches.models import Breach

from .ropa import ProcessingRecord

STYLESHEET = "sharing/registers.css"


def _render(template: str, context: dict) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template, {**context, "stylesheet_url": STATIC_ORIGIN + STYLESHEET})
    return pdf.render_pdf(html)


def record_pdf(record: ProcessingRecord) -> bytes:
    return _render("sharing/processing_record.html", {"record": record})


def breach_register_pdf(school: School, breaches: Sequence[Breach]) -> bytes:
    return _render(
        "sharing/breach_register.html",
        {
            "school": school,
            "breaches": breaches,
            "has_notifications": any(b.notifications.all() for b in breaches),
            "generated_at": timezone.localtime(),
        },
    )
