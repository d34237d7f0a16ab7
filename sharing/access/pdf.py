"""The response to a subject access request as a PDF.

``render_access_response`` gathers the record (``record``), renders
the template (autoescaped: data is always text, never markup) and hands the
HTML to a separate process (``pdf_worker``) that runs WeasyPrint under a
memory limit, a CPU limit and a wall-clock timeout, and may load only the
project's own static files. A runaway render is killed; the process that
asked for it carries on.

The render runs in a child forked from a **warm worker**: a process started
the first time this process renders (and kept), which has imported
WeasyPrint and warmed its caches, so a PDF does not pay the ~1.5 s import.
Each child gets the same limits and URL fetcher as a fresh process would.
The warm worker and its children die with this process. If the warm worker
is gone or broken, the render falls back to a fresh process
(``python -I pdf_worker.py``); it never runs in this process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from . import pdf_worker
from .record import AccessRecord
from .sections import REDACTED, REDACTED_RECORD

logger = logging.getLogger(__name__)

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
                # A redacted record is one cell across its row; a redacted
                # contact's cells never break inside the word.
                "redacted_record": str(REDACTED_RECORD),
                "redacted_third_party": str(REDACTED),
            },
        )


def render_pdf(html: str, *, limits: RenderLimits | None = None) -> bytes:
    """HTML to PDF in a child of the warm worker (else a fresh process):
    killed when it passes its limits."""
    limits = limits or RenderLimits.from_settings()
    roots = static_roots()
    worker = warm_worker(roots)
    if worker is not None:
        try:
            return worker.render(html.encode("utf-8"), limits)
        except WarmWorkerUnavailable:
            logger.warning("The warm PDF worker is not answering: using a fresh process")
            discard_warm_worker(worker)
    return render_in_fresh_process(html, limits=limits, roots=roots)


def render_in_fresh_process(html: str, *, limits: RenderLimits, roots: list[str]) -> bytes:
    """The fallback: a new ``python -I pdf_worker.py`` for this one PDF."""
    config = {**_job(limits), "static_roots": roots, "options": PDF_OPTIONS}
    config["parent_pid"] = os.getpid()
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
        raise _too_long(limits) from exc
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [
            f"exit status {done.returncode}"
        ]
        raise PdfRenderError(f"The PDF could not be produced: {reason[0]}")
    return done.stdout


def _job(limits: RenderLimits) -> dict:
    return {
        "memory_mb": limits.memory_mb,
        "cpu_seconds": limits.timeout_seconds + 1,
        "timeout_seconds": limits.timeout_seconds,
    }


def _too_long(limits: RenderLimits) -> PdfRenderError:
    return PdfRenderError(
        f"The PDF took longer than {limits.timeout_seconds} seconds and was stopped."
    )


# --- The warm worker ----------------------------------------------------------

#: How long a new warm worker may take to import WeasyPrint and warm up.
WARM_START_SECONDS = 60
#: How long the warm worker may take to fork a child and say its pid.
WARM_ANSWER_SECONDS = 10
#: After a warm worker failed to start, fresh processes for this long.
WARM_RETRY_SECONDS = 60

# Warms fonts (regular, bold, italic) and the table, list and page code.
WARMUP_HTML = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>warm</title>'
    '<link rel="stylesheet" href="{stylesheet}"></head><body><h1>Warm</h1><h2>up</h2>'
    "<p><strong>b</strong> <em>i</em> 0123456789</p><ul><li>a</li></ul>"
    '<table><thead><tr><th scope="col">a</th><th scope="col">b</th></tr></thead>'
    "<tbody><tr><td>1</td><td>2</td></tr></tbody></table></body></html>"
)


class WarmWorkerUnavailable(Exception):
    """The warm worker could not take the job (use a fresh process)."""


class WarmWorker:
    """A pre-started ``pdf_worker.py --serve`` that forks one child per PDF."""

    def __init__(self, roots: list[str]) -> None:
        self.roots = roots
        self.owner = os.getpid()
        self._lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.control, theirs = socket.socketpair()
        try:
            self._start(theirs)
        finally:
            theirs.close()

    def _start(self, theirs: socket.socket) -> None:
        config = {
            "parent_pid": os.getpid(),
            "static_roots": self.roots,
            "options": PDF_OPTIONS,
            "warmup_html": WARMUP_HTML.format(stylesheet=pdf_worker.STATIC_ORIGIN + STYLESHEET),
        }
        command = [sys.executable, "-I", str(WORKER), "--serve", json.dumps(config)]
        started = threading.Event()
        failed: list[BaseException] = []

        def run() -> None:
            # Started from a thread that lives as long as the worker: Linux
            # sends the parent-death signal when the *thread* that started a
            # process ends, so a short-lived caller thread must not start it.
            try:
                self.process = subprocess.Popen(  # noqa: S603 - our own script, no shell
                    command,
                    stdin=theirs.fileno(),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,  # nothing personal goes to a log
                    env=worker_env(),
                )
            except BaseException as exc:  # noqa: BLE001 - reported to the caller
                failed.append(exc)
                started.set()
                return
            started.set()
            self.process.wait()

        threading.Thread(target=run, name="pdf-warm-worker", daemon=True).start()
        started.wait()
        if failed:
            raise WarmWorkerUnavailable(str(failed[0]))
        self.control.settimeout(WARM_START_SECONDS)
        try:
            ready = self.control.recv(1)
        except OSError as exc:
            self.stop()
            raise WarmWorkerUnavailable("no answer from the warm worker") from exc
        if ready != pdf_worker.READY:
            self.stop()
            raise WarmWorkerUnavailable("the warm worker stopped while starting")

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Let the warm worker go: end of file on its input, then a kill."""
        self.control.close()
        if self.process is not None and self.process.poll() is None:
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def _fork_child(self, job: dict, theirs: socket.socket) -> int:
        """Hand the job to the warm worker; the child's pid, or unavailable."""
        with self._lock:
            try:
                self.control.settimeout(WARM_ANSWER_SECONDS)
                socket.send_fds(self.control, [json.dumps(job).encode()], [theirs.fileno()])
                answer = b""
                while len(answer) < 4:
                    chunk = self.control.recv(4 - len(answer))
                    if not chunk:
                        raise OSError("the warm worker closed its end")
                    answer += chunk
            except OSError as exc:
                raise WarmWorkerUnavailable(str(exc)) from exc
        return struct.unpack("!I", answer)[0]

    def render(self, html: bytes, limits: RenderLimits) -> bytes:
        ours, theirs = socket.socketpair()
        with ours:
            try:
                pid = self._fork_child(_job(limits), theirs)
            finally:
                theirs.close()
            return self._talk(ours, pid, html, limits)

    def _talk(self, conn: socket.socket, pid: int, html: bytes, limits: RenderLimits) -> bytes:
        deadline = time.monotonic() + limits.timeout_seconds
        try:
            conn.settimeout(limits.timeout_seconds)
            conn.sendall(html)
            conn.shutdown(socket.SHUT_WR)
            chunks = []
            while chunk := conn.recv(1 << 16):
                chunks.append(chunk)
                conn.settimeout(max(0.01, deadline - time.monotonic()))
        except TimeoutError as exc:
            _kill(pid)
            raise _too_long(limits) from exc
        except OSError as exc:  # the child died before reading everything
            chunks = []
            logger.info("PDF render child %s closed early: %s", pid, exc)
        answer = b"".join(chunks)
        if answer[:1] == b"P" and answer[1:5] == b"%PDF":
            return answer[1:]
        if answer[:1] == b"E":
            reason = answer[1:].decode("utf-8", "replace")
            raise PdfRenderError(f"The PDF could not be produced: {reason}")
        if time.monotonic() >= deadline:
            raise _too_long(limits)
        raise PdfRenderError(
            "The PDF could not be produced: the renderer stopped before it finished "
            "(it may have passed its memory or time limit)."
        )


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


_warm: WarmWorker | None = None
_warm_lock = threading.Lock()
_warm_failed_at = 0.0


def start_warm_worker() -> bool:
    """Start this process's warm worker now (``manage.py worker`` does, so
    the first response job does not wait for it). True when it is running."""
    return warm_worker(static_roots()) is not None


def discard_warm_worker(worker: WarmWorker) -> None:
    """A warm worker that failed is let go; the next render starts another."""
    global _warm
    with _warm_lock:
        if _warm is worker:
            _warm = None
    worker.stop()
    if worker.process is not None and worker.process.poll() is None:
        worker.process.kill()


def warm_worker(roots: list[str]) -> WarmWorker | None:
    """This process's warm worker, started on first use; ``None`` when it
    cannot be had now (a fresh process is used instead)."""
    global _warm, _warm_failed_at
    with _warm_lock:
        current = _warm
        if current is not None and (
            current.owner != os.getpid() or current.roots != roots or not current.alive()
        ):
            if current.owner == os.getpid():
                current.stop()
            current = _warm = None  # inherited through a fork, reconfigured or dead
        if current is not None:
            return current
        if time.monotonic() - _warm_failed_at < WARM_RETRY_SECONDS and _warm_failed_at:
            return None
        try:
            _warm = WarmWorker(roots)
        except (WarmWorkerUnavailable, OSError) as exc:
            _warm_failed_at = time.monotonic()
            logger.warning("The warm PDF worker could not start (%s): using fresh processes", exc)
            return None
        return _warm


def render_access_response(record: AccessRecord, *, limits: RenderLimits | None = None) -> bytes:
    return render_pdf(render_html(record), limits=limits)
