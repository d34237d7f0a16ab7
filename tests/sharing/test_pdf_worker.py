"""The warm PDF worker: one child per PDF with the same limits as a fresh
process, nothing left running when the process that asked dies, and a
fresh process (never an in-process render) when the warm worker is gone."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sharing.access import pdf, pdf_worker
from sharing.access.pdf import PdfRenderError, RenderLimits, render_pdf

ROOT = Path(__file__).resolve().parents[2]
SMALL = "<html><body><p>Still serving</p></body></html>"
TABLE_100 = "<table>{}</table>".format(
    "".join(f"<tr><td>{i}</td><td>row {i}</td></tr>" for i in range(100))
)
# Takes WeasyPrint far longer than these tests wait.
SLOW = "<html><body><table>{}</table></body></html>".format(
    "".join(f"<tr><td>{i}</td><td>row {i}</td></tr>" for i in range(20000))
)

HELPER = textwrap.dedent(
    """
    import os, socket, subprocess, sys, time, json
    sys.path.insert(0, {root!r})
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    import django
    django.setup()
    from sharing.access import pdf
    slow = open({slow!r}, "rb").read()
    if sys.argv[1] == "warm":
        worker = pdf.WarmWorker(pdf.static_roots())
        ours, theirs = socket.socketpair()
        child = worker._fork_child(pdf._job(pdf.RenderLimits(300)), theirs)
        theirs.close()
        ours.sendall(slow)
        ours.shutdown(socket.SHUT_WR)
        print(worker.pid, child, flush=True)
    else:
        config = {{**pdf._job(pdf.RenderLimits(300)), "static_roots": pdf.static_roots(),
                  "options": pdf.PDF_OPTIONS, "parent_pid": os.getpid()}}
        fresh = subprocess.Popen(
            [sys.executable, "-I", str(pdf.WORKER), json.dumps(config)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=pdf.worker_env(),
        )
        fresh.stdin.write(slow)
        fresh.stdin.close()
        print(fresh.pid, flush=True)
    time.sleep(600)
    """
)


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until_gone(pids: list[int], seconds: float = 10) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [pid for pid in pids if running(pid)]
        if not left:
            return []
        time.sleep(0.1)
    return [pid for pid in pids if running(pid)]


def start_helper(tmp_path, mode: str) -> tuple[subprocess.Popen, list[int]]:
    slow = tmp_path / "slow.html"
    slow.write_text(SLOW)
    script = tmp_path / "helper.py"
    script.write_text(HELPER.format(root=str(ROOT), slow=str(slow)))
    helper = subprocess.Popen(
        [sys.executable, str(script), mode], stdout=subprocess.PIPE, text=True
    )
    line = helper.stdout.readline()
    assert line, "the helper did not start its PDF worker"
    return helper, [int(pid) for pid in line.split()]


needs_linux = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc to see processes"
)


@needs_linux
def test_the_warm_worker_and_a_render_in_progress_die_when_their_parent_is_killed(tmp_path):
    helper, (warm, child) = start_helper(tmp_path, "warm")
    try:
        time.sleep(1)  # the child is deep in WeasyPrint, not waiting for input
        assert running(warm) and running(child)
        helper.send_signal(signal.SIGKILL)
        helper.wait()
        assert wait_until_gone([warm, child]) == []
    finally:
        helper.kill()
        for pid in (warm, child):
            if running(pid):
                os.kill(pid, signal.SIGKILL)


@needs_linux
def test_a_fresh_worker_dies_when_its_parent_is_killed(tmp_path):
    helper, (fresh,) = start_helper(tmp_path, "fresh")
    try:
        time.sleep(1)
        assert running(fresh)
        helper.send_signal(signal.SIGKILL)
        helper.wait()
        assert wait_until_gone([fresh]) == []
    finally:
        helper.kill()
        if running(fresh):
            os.kill(fresh, signal.SIGKILL)


def test_renders_are_forked_from_one_warm_worker_that_is_kept():
    assert render_pdf(SMALL).startswith(b"%PDF")
    first = pdf._warm
    assert first is not None and first.alive()
    assert render_pdf(SMALL).startswith(b"%PDF")
    assert pdf._warm is first


def test_a_failed_render_leaves_the_warm_worker_serving():
    render_pdf(SMALL)
    warm = pdf._warm
    with pytest.raises(PdfRenderError, match="refused to load"):
        render_pdf('<html><body><img src="file:///etc/passwd"></body></html>')
    assert pdf._warm is warm and render_pdf(SMALL).startswith(b"%PDF")


def test_when_the_warm_worker_was_killed_the_next_render_starts_another():
    render_pdf(SMALL)
    killed = pdf._warm
    os.kill(killed.pid, signal.SIGKILL)
    killed.process.wait()
    assert render_pdf(SMALL).startswith(b"%PDF")
    assert pdf._warm is not killed and pdf._warm.alive()


def test_a_warm_worker_that_does_not_answer_is_replaced_by_a_fresh_process(monkeypatch):
    render_pdf(SMALL)
    stuck = pdf._warm
    monkeypatch.setattr(pdf, "WARM_ANSWER_SECONDS", 0.5)
    used = []
    fresh = pdf.render_in_fresh_process
    monkeypatch.setattr(
        pdf, "render_in_fresh_process", lambda *a, **k: used.append(1) or fresh(*a, **k)
    )
    os.kill(stuck.pid, signal.SIGSTOP)
    try:
        assert render_pdf(SMALL).startswith(b"%PDF")
    finally:
        if stuck.alive():
            os.kill(stuck.pid, signal.SIGCONT)
    assert used == [1]
    assert pdf._warm is None and not stuck.alive()


def test_without_a_warm_worker_the_render_is_a_fresh_process_never_this_one(monkeypatch):
    def cannot_start(roots):
        raise pdf.WarmWorkerUnavailable("cannot start")

    def in_this_process(*args, **kwargs):
        raise AssertionError("rendered without its limits, in the caller's process")

    monkeypatch.setattr(pdf, "_warm", None)
    monkeypatch.setattr(pdf, "_warm_failed_at", 0.0)
    monkeypatch.setattr(pdf, "WarmWorker", cannot_start)
    monkeypatch.setattr(pdf_worker, "render", in_this_process)
    assert render_pdf(SMALL).startswith(b"%PDF")
    assert pdf._warm is None


def test_each_warm_child_keeps_the_time_limit_and_the_next_render_works():
    with pytest.raises(PdfRenderError, match="longer than 2 seconds"):
        render_pdf(SLOW, limits=RenderLimits(2))
    assert render_pdf(SMALL).startswith(b"%PDF")


def test_each_warm_child_keeps_the_memory_limit():
    render_pdf(SMALL)
    with pytest.raises(PdfRenderError, match="could not be produced"):
        render_pdf(TABLE_100, limits=RenderLimits(60, memory_mb=40))
    assert pdf._warm is not None and pdf._warm.alive()


def test_a_task_worker_starts_the_warm_worker_when_it_starts(monkeypatch):
    from pupils.jobs import worker_started

    monkeypatch.setattr(pdf, "_warm", None)
    worker_started()  # what `manage.py worker` runs beside its first tasks
    assert pdf._warm is not None and pdf._warm.alive()
    pdf.discard_warm_worker(pdf._warm)
