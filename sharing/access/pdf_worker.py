"""Renders one HTML document to PDF with WeasyPrint, in a process of its own.

Run by ``sharing.access.pdf.render_pdf`` as ``python -I pdf_worker.py LIMITS_JSON``
with the HTML on standard input; writes the PDF to standard output. It
imports no Django and no project code (``-I``: isolated mode), so it
starts quickly and can reach nothing but what it is given.

The only resources it will load are files under the static directories it
is told about, at ``STATIC_ORIGIN``: no network, no other ``file://`` path,
no redirects. Anything else stops the render.
"""

from __future__ import annotations

import json
import mimetypes
import resource
import sys
from pathlib import Path

STATIC_ORIGIN = "https://static.sar.invalid/"
ALLOWED_SUFFIXES = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}


def apply_limits(*, memory_mb: int, cpu_seconds: int) -> None:
    """A runaway render is killed by the kernel, not left to eat the server."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def resolve_static(url: str, roots: list[Path]) -> Path:
    """The file a static URL names, or ValueError: only files with an allowed
    suffix inside one of ``roots`` (no ``..``, no symlink out)."""
    if not url.startswith(STATIC_ORIGIN) or "?" in url or "#" in url or "%" in url:
        raise ValueError("only the project's own static files may be loaded")
    relative = url.removeprefix(STATIC_ORIGIN)
    if Path(relative).suffix not in ALLOWED_SUFFIXES:
        raise ValueError("this kind of file may not be loaded")
    for root in roots:
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root.resolve()) and candidate.is_file():
            return candidate
    raise ValueError("no such static file")


def make_fetcher(roots: list[Path]):
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class RefusedFetch(FatalURLFetchingError):
        pass

    class StaticOnlyFetcher(URLFetcher):
        """Serves the project's static files; refuses everything else.

        No urllib handler is installed (the parent's would open http, ftp
        and file URLs), and a refusal is fatal: the render stops.
        """

        def __init__(self):  # deliberately no super().__init__: no handlers
            self._fail_on_errors = True

        def fetch(self, url, headers=None):
            try:
                path = resolve_static(url, roots)
            except ValueError as exc:
                raise RefusedFetch(f"refused to load a resource: {exc}") from None
            content_type = ALLOWED_SUFFIXES.get(path.suffix) or mimetypes.guess_type(path)[0]
            return URLFetcherResponse(
                url, path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticOnlyFetcher()


def render(html: str, *, roots: list[Path], options: dict) -> bytes:
    from weasyprint import HTML

    fetcher = make_fetcher(roots)
    document = HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=fetcher)
    return document.write_pdf(**options)


def main() -> int:
    limits = json.loads(sys.argv[1])
    apply_limits(memory_mb=limits["memory_mb"], cpu_seconds=limits["cpu_seconds"])
    html = sys.stdin.buffer.read().decode("utf-8")
    roots = [Path(p) for p in limits["static_roots"]]
    try:
        pdf = render(html, roots=roots, options=limits["options"])
    except BaseException as exc:  # noqa: BLE001 - report any failure as one line
        sys.stderr.write(f"{type(exc).__name__}: {exc}\n")
        return 2
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
