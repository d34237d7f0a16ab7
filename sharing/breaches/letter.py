"""The letter to the people affected by a breach (Art 34), as a PDF.

The letter says what happened, the likely consequences, what the school has
done, what they can do and how to reach the DPO. It names nobody: one letter
goes to every family concerned. Rendered by the isolated WeasyPrint worker
of ``sharing.access.pdf`` (memory, time and fetch limits), never a copy of it.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from sharing.access import pdf
from sharing.access.pdf_worker import STATIC_ORIGIN
from sharing.dates import long_date

from .models import BreachNotification

TEMPLATE = "sharing/breach_letter.html"
STYLESHEET = "sharing/registers.css"


def render_letter_html(notification: BreachNotification) -> str:
    breach = notification.breach
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            TEMPLATE,
            {
                "notification": notification,
                "breach": breach,
                "school": breach.school,
                "dated": long_date(timezone.localdate(notification.notified_at)),
                "stylesheet_url": STATIC_ORIGIN + STYLESHEET,
            },
        )


def render_breach_letter(notification: BreachNotification) -> bytes:
    """The letter as a PDF; ``sharing.access.pdf.PdfRenderError`` if it fails."""
    return pdf.render_pdf(render_letter_html(notification))
