"""Renders HTML to PDF with WeasyPrint, in processes of their own.

Two ways to run, both started by ``sharing.access.pdf``:

- ``python -I pdf_worker.py LIMITS_JSON``: one document, HTML on standard
  input, the PDF on standard output (the fallback: pays WeasyPrint's import,
  about 1.5 s, every time).
- ``python -I pdf_worker.py --serve CONFIG_JSON``: the warm worker. It
  imports WeasyPrint once, renders a small document to warm its font and
  layout caches, then waits on its standard input, a Unix socket to the
  process that started it. Each job arrives as one message with its limits
  and a socket of its own (``SCM_RIGHTS``); the warm worker forks a child
  for it and answers with the child's pid. The child applies the limits,
  reads the HTML from its socket to the end, and writes back ``P`` and the
  PDF, or ``E`` and one line saying what went wrong.

Every process here imports no Django and no project code (``-I``: isolated
mode) and is given no secrets in its environment. Each dies with its
parent: on Linux the kernel kills it (``PR_SET_PDEATHSIG``), and the warm
worker also stops when its standard input reaches end of file.

The only resources a render will load are files under the static
directories it is told about, at ``STATIC_ORIGIN``: no network, no other
``file://`` path, no redirects. Anything else stops the render.
"""

from __future__ import annotations

import json
import mimetypes
import os
import resource
import signal
import socket
import struct
import sys
from pathlib import Path

STATIC_ORIGIN = "https://static.sar.invalid/"
ALLOWED_SUFFIXES = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}


# prctl(2) option: the signal this process gets when its parent dies.
PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int | None = None) -> None:
    """Have the kernel kill this process when its parent dies (Linux).

    The setting is not inherited across ``fork``, so each process sets it
    for itself. If the parent is already gone (it died before this line),
    exit at once."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


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


def render_reporting(html: str, *, roots: list[Path], options: dict) -> tuple[bool, bytes]:
    """(True, the PDF), or (False, one line saying what went wrong)."""
    try:
        return True, render(html, roots=roots, options=options)
    except BaseException as exc:  # noqa: BLE001 - report any failure as one line
        line = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
        return False, line.encode("utf-8", "replace")


def main() -> int:
    """One document: the fallback when no warm worker can be had."""
    limits = json.loads(sys.argv[1])
    die_with_parent(limits.get("parent_pid"))
    apply_limits(memory_mb=limits["memory_mb"], cpu_seconds=limits["cpu_seconds"])
    html = sys.stdin.buffer.read().decode("utf-8")
    roots = [Path(p) for p in limits["static_roots"]]
    ok, body = render_reporting(html, roots=roots, options=limits["options"])
    if not ok:
        sys.stderr.write(body.decode("utf-8") + "\n")
        return 2
    sys.stdout.buffer.write(body)
    return 0


# --- The warm worker --------------------------------------------------------

#: What the warm worker says once it is ready for jobs.
READY = b"R"


def _reap(_signum=None, _frame=None) -> None:
    """Collect finished children (their CPU time then counts as ours)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _read_to_end(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _child(conn: socket.socket, job: dict, *, roots: list[Path], options: dict) -> int:
    """One job, in a child forked from the warm worker."""
    die_with_parent()  # the warm worker's death kills this render too
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    # A wall-clock limit of its own: SIGALRM's default action ends the
    # process, even deep inside WeasyPrint's C libraries.
    signal.alarm(int(job["timeout_seconds"]) + 1)
    apply_limits(memory_mb=job["memory_mb"], cpu_seconds=job["cpu_seconds"])
    html = _read_to_end(conn).decode("utf-8")
    ok, body = render_reporting(html, roots=roots, options=options)
    conn.sendall((b"P" if ok else b"E") + body)
    conn.shutdown(socket.SHUT_WR)
    return 0 if ok else 2


def _warm_up(html: str, *, roots: list[Path], options: dict) -> None:
    """Fonts, the stylesheet's code paths and WeasyPrint's caches, once."""
    if html:
        render(html, roots=roots, options=options)


def serve(config: dict) -> int:
    die_with_parent(config["parent_pid"])
    control = socket.socket(fileno=0)  # our standard input: a Unix socket
    roots = [Path(p) for p in config["static_roots"]]
    options = config["options"]
    _warm_up(config.get("warmup_html", ""), roots=roots, options=options)
    signal.signal(signal.SIGCHLD, _reap)
    control.sendall(READY)
    while True:
        try:
            message, fds, _flags, _address = socket.recv_fds(control, 4096, 1)
        except OSError:
            return 0
        if not message:  # end of file: the parent has gone or let us go
            return 0
        if not fds:
            continue
        job = json.loads(message)
        pid = os.fork()
        if pid == 0:
            code = 2
            try:
                control.close()
                with socket.socket(fileno=fds[0]) as conn:
                    code = _child(conn, job, roots=roots, options=options)
            finally:
                os._exit(code)
        os.close(fds[0])
        control.sendall(struct.pack("!I", pid))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        sys.exit(serve(json.loads(sys.argv[2])))
    sys.exit(main())
