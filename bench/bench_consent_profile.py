"""A consent evening in one process: CPU per family against the ceiling, and a profile.

Run:  .venv/bin/python bench/bench_consent_profile.py [--families 200] [--profile]
      valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/cg.%p \
          .venv/bin/python bench/bench_consent_profile.py --families 20 --rounds 1 --callgrind

Production settings (DEBUG=false, the cached template loader, the same
middleware, requests marked as coming through the TLS proxy) on a PostgreSQL
database of its own (pupildata_consent_profile, recreated; override with
BENCH_DATABASE_URL). The project's WSGI handler is called directly, as
gunicorn's worker would, for each family's 6 requests (bench_consent_evening's
journey) and, interleaved, for the one-row ceiling view
(bench/consent_ceiling_urls.py). It prints this process's CPU per family and
per ceiling request, and their ratio (a family's cost in ceiling requests:
the figure the gunicorn benchmark's throughput follows, and one a busy
machine hardly disturbs), the queries of each step, and with ``--profile``
the top of a cProfile of the families' requests. With ``--callgrind``
(under valgrind, as above) it switches instrumentation on for the measured
part only and dumps the families' and the ceiling requests' instruction
counts separately (``callgrind_annotate /tmp/cg.PID.1`` and ``.2``), and
prints instructions per family, per ceiling request and their ratio: the
same figure counted exactly, whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup_django  # noqa: E402
from bench_consent_evening import CHILDREN, PROXY, PURPOSES, queries_per_step, seed  # noqa: E402

DBNAME = os.environ.get("BENCH_DBNAME", "pupildata_consent_profile")


class Client:
    """One parent's browser calling the WSGI handler directly."""

    def __init__(self, app, address: str) -> None:
        self.app, self.address, self.cookies = app, address, {}
        self.queries = 0

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, str]:
        data = urlencode(body, doseq=True).encode() if body is not None else b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(data),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(data)),
            "HTTP_X_FORWARDED_FOR": self.address,
        }
        for name, value in PROXY.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["HTTP_ORIGIN"] = "https://127.0.0.1"
            environ["HTTP_REFERER"] = "https://127.0.0.1/consent/"
        started: dict = {}

        def start_response(status, headers, exc_info=None):
            started["status"], started["headers"] = int(status.split()[0]), headers

        chunks = self.app(environ, start_response)
        try:
            content = b"".join(chunks).decode()
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        location = ""
        for name, value in started["headers"]:
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    self.cookies[key] = morsel.coded_value
            elif name.lower() == "location":
                location = value
        return started["status"], location, content


def _csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else ""


STEPS = ["open link", "form", "send form", "check", "Send", "done"]
STEP_CPU: dict[str, float] = dict.fromkeys(STEPS, 0.0)


def journey(app, n: int, path: str) -> bool:
    browser = Client(app, f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")

    def step(name: str, method: str, url: str, body: dict | None = None):
        cpu = time.process_time()
        result = browser.request(method, url, body)
        STEP_CPU[name] += time.process_time() - cpu
        return result

    step("open link", "GET", path)
    _, _, html = step("form", "GET", "/consent/form/")
    fields = sorted(set(re.findall(r'name="(answer_\d+_\d+)"', html)))
    answers = {f: ("yes" if i % 3 else "no") for i, f in enumerate(fields)}
    step("send form", "POST", "/consent/form/", answers | {"csrfmiddlewaretoken": _csrf(html)})
    _, _, html = step("check", "GET", "/consent/check/")
    status, location, _ = step(
        "Send", "POST", "/consent/check/", {"csrfmiddlewaretoken": _csrf(html)}
    )
    done, _, _ = step("done", "GET", "/consent/done/")
    return (
        status == 302
        and location.endswith("/consent/done/")
        and done == 200
        and len(fields) == CHILDREN * PURPOSES
    )


def ceiling(app, n: int) -> bool:
    status, _, _ = Client(app, f"10.200.{n // 256 % 256}.{n % 256}").request(
        "POST", "/bench/one-row/", {"to": f"c{n}@bench.example"}
    )
    return status == 200


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_consent_profile.py")
    parser.add_argument("--families", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--ceiling-per-family", type=int, default=4)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--dump", help="write the profile's stats to this file (pstats)")
    parser.add_argument("--callgrind", action="store_true", help="run under valgrind (see above)")
    args = parser.parse_args(argv)

    os.environ.update(BEHIND_TLS_PROXY="true", SECURE_HSTS_SECONDS="0")
    setup_django(DBNAME, fresh=True)
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from consent.models import ConsentRecord

    links = seed(args.families + 2)
    probe_contact, probe_path = links.pop()
    warm_contact, warm_path = links.pop()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    steps = queries_per_step(probe_path)
    settings.ROOT_URLCONF = "bench.consent_ceiling_urls"
    from django.urls import clear_url_caches

    clear_url_caches()
    app = WSGIHandler()
    assert journey(app, 999_999, warm_path), "the warm-up journey failed"
    assert ceiling(app, 999_999)

    if args.callgrind:
        return _callgrind(app, links, args.ceiling_per_family)
    profiler = cProfile.Profile() if args.profile else None
    family_cpu = ceiling_cpu = 0.0
    ok = 0
    per_round = len(links) // args.rounds
    n_ceiling = 0
    for r in range(args.rounds):
        batch = links[r * per_round : (r + 1) * per_round]
        cpu = time.process_time()
        if profiler:
            profiler.enable()
        for i, (_cid, path) in enumerate(batch, start=r * per_round):
            ok += journey(app, i, path)
        if profiler:
            profiler.disable()
        family_cpu += time.process_time() - cpu
        cpu = time.process_time()
        for _ in range(len(batch) * args.ceiling_per_family):
            ceiling(app, n_ceiling)
            n_ceiling += 1
        ceiling_cpu += time.process_time() - cpu
    families = per_round * args.rounds
    stored = ConsentRecord.objects.exclude(
        given_by_contact_id__in=[probe_contact, warm_contact]
    ).count()
    per_family = family_cpu / families
    per_ceiling = ceiling_cpu / n_ceiling
    print(
        f"consent journeys in one process on {connection.vendor}: {families} families "
        f"({CHILDREN * PURPOSES} answers each), {n_ceiling} ceiling requests, interleaved"
    )
    print(
        f"CPU per family: {per_family * 1000:.2f} ms; per ceiling request: "
        f"{per_ceiling * 1000:.3f} ms; a family costs {per_family / per_ceiling:.1f} "
        "ceiling requests"
    )
    print(
        "CPU per step (ms):",
        ", ".join(f"{k} {v * 1000 / (families + 1):.2f}" for k, v in STEP_CPU.items()),
    )
    print("queries per step:", ", ".join(f"{k} {v}" for k, v in steps.items()))
    print(f"journeys acknowledged: {ok} of {families}; answers stored: {stored}")
    print(f"command: .venv/bin/python bench/bench_consent_profile.py {' '.join(argv)}".rstrip())
    if profiler and args.dump:
        profiler.dump_stats(args.dump)
    if profiler:
        for key in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(args.top)
            print(out.getvalue())
    return 0 if ok == families and stored == families * CHILDREN * PURPOSES else 1


def _callgrind(app, links, ceiling_per_family: int) -> int:
    import subprocess

    def control(*flags: str) -> None:
        subprocess.run(
            ["callgrind_control", *flags, str(os.getpid())], check=True, capture_output=True
        )

    def dumped(n: int) -> int:
        pattern = re.compile(r"^(?:summary|totals): (\d+)", re.M)
        for path in Path("/tmp").glob(f"cg.{os.getpid()}.{n}"):
            found = pattern.search(path.read_text(errors="replace"))
            if found:
                return int(found.group(1))
        raise SystemExit(
            f"no callgrind dump /tmp/cg.{os.getpid()}.{n} (--callgrind-out-file=/tmp/cg.%p)"
        )

    control("--zero")
    control("--instr=on")
    control("--zero")
    ok = sum(journey(app, i, path) for i, (_cid, path) in enumerate(links))
    control("--dump=families")
    requests = len(links) * ceiling_per_family
    for n in range(requests):
        ceiling(app, n)
    control("--dump=ceiling")
    control("--instr=off")
    per_family = dumped(1) / len(links)
    per_ceiling = dumped(2) / requests
    print(
        f"instructions per family: {per_family / 1e6:.1f} M; per ceiling request: "
        f"{per_ceiling / 1e6:.2f} M; a family costs {per_family / per_ceiling:.1f} ceiling "
        f"requests ({len(links)} families, {requests} ceiling requests, {ok} journeys acknowledged)"
    )
    return 0 if ok == len(links) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
