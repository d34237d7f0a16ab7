"""The response to a subject access request as a PDF.

``render_access_response`` gathers the record (``record``), renders
the template (autoescaped: data is always text, never markup) and hands the
HTML to a separate worker process (``pdf_worker``) that runs WeasyPrint
under a memory limit, a CPU limit and a wall-clock timeout, and may load
only the project's own static files. A runaway render is killed; the web
process that asked for it carries on serving.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from . import pdf_worker
from .record import AccessRecord

WORKER = Path(pdf_worker.__file__)
TEMPLATE = "sharing/access_response.html"
STYLESHEET = "sharing/access-response.css"

# Tagged PDF (PDF/UA-1, accessible to screen readers): WeasyPrint 70 writes
# the structure tree for this variant. The document's <title> and lang are
# required by it and set in the template.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


# The worker gets no secrets (SECRET_KEY, DATABASE_URL, encryption keys...):
# only what Python, Pango and fontconfig need.
WORKER_ENV_KEYS = (
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "XDG_CACHE_HOME",
    "FONTCONFIG_FILE",
    "FONTCONFIG_PATH",
)


def worker_env() -> dict[str, str]:
    return {k: os.environ[k] for k in WORKER_ENV_KEYS if k in os.environ}


class PdfRenderError(RuntimeError):
    """The render failed, ran out of time or memory, or tried to load something."""


@dataclass(frozen=True)
class RenderLimits:
    timeout_seconds: int = 120
    memory_mb: int = 1536

    @classmethod
    def from_settings(cls) -> RenderLimits:
        return cls(
            timeout_seconds=getattr(settings, "SAR_PDF_TIMEOUT_SECONDS", cls.timeout_seconds),
            memory_mb=getattr(settings, "SAR_PDF_MEMORY_MB", cls.memory_mb),
        )


def static_roots() -> list[str]:
    """The directories the worker may read: where the stylesheet is found."""
    found = finders.find(STYLESHEET)
    if not found:
        raise PdfRenderError(f"The stylesheet {STYLESHEET} is missing.")
    root = Path(found).resolve().parent.parent  # .../static/ (STYLESHEET is one folder deep)
    return [str(root)]


def render_html(record: AccessRecord) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            TEMPLATE,
            {
                "record": record,
                "stylesheet_url": pdf_worker.STATIC_ORIGIN + STYLESHEET,
            },
        )


def render_pdf(html: str, *, limits: RenderLimits | None = None) -> bytes:
    """HTML to PDF in a worker process: killed when it passes its limits."""
    limits = limits or RenderLimits.from_settings()
    config = {
        "memory_mb": limits.memory_mb,
        "cpu_seconds": limits.timeout_seconds + 1,
        "static_roots": static_roots(),
        "options": PDF_OPTIONS,
    }
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and script, no shell
            [sys.executable, "-I", str(WORKER), json.dumps(config)],
            input=html.encode("utf-8"),
            capture_output=True,
            env=worker_env(),
            timeout=limits.timeout_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise PdfRenderError(
            f"The PDF took longer than {limits.timeout_seconds} seconds and was stopped."
        ) from exc
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [
            f"exit status {done.returncode}"
        ]
        raise PdfRenderError(f"The PDF could not be produced: {reason[0]}")
    return done.stdout


def render_access_response(record: AccessRecord, *, limits: RenderLimits | None = None) -> bytes:
    return render_pdf(render_html(record), limits=limits)
