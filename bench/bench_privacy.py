"""/privacy and /privacy/providers.json requests per second under gunicorn,
beside a hello-world Django view served the same way (same settings,
middleware and gunicorn options), on PostgreSQL and on SQLite.

Run:  .venv/bin/python bench/bench_privacy.py [--requests 2000] [--concurrency 8]
      [--rounds 3] [--databases postgres,sqlite]

For each database it (re)creates the database (PostgreSQL:
pupildata_providers_bench, override with BENCH_DATABASE_URL; SQLite: a
temporary file), migrates and seeds it with the demo data, serves the project
and the hello-world view on two free loopback ports with production
settings (DEBUG=false, behind the TLS proxy: every request carries
X-Forwarded-Proto: https, so HSTS and the SSL redirect are on), and loads
both from a simple threaded client (loopback only, a bounded number of
requests), in interleaved rounds so that the machine's load hits both alike.
It also reads the CPU time the gunicorn workers spent per request, which a
loaded machine disturbs far less than the request rate: the CPU ratio
(hello world's CPU per request / the page's) is the rate ratio the pages
would reach on an idle machine. Target: each public page at least 1.0x
hello world.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pupildata_providers_bench"
)
GUNICORN_OPTS = ["--workers", "2", "--worker-class", "sync", "--log-level", "warning"]
PATHS = ["/privacy", "/privacy/providers.json"]
# What the TLS proxy in front of gunicorn adds to every request.
PROXY_HEADERS = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(db_url: str) -> dict:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-" + os.urandom(24).hex(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=db_url,
        EMAIL_URL="consolemail://",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        BEHIND_TLS_PROXY="true",
        LOG_LEVEL="WARNING",
    )
    if db_url.startswith("sqlite"):
        env["ALLOW_SQLITE_IN_PRODUCTION"] = "true"  # measured beside PostgreSQL on purpose
    return env


def _recreate_database(db_url: str) -> None:
    url = urlparse(db_url)
    if url.scheme == "sqlite":
        Path(url.path).unlink(missing_ok=True)
        return
    import psycopg2

    name = url.path.lstrip("/")
    conn = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def _serve(env: dict, module: str, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [PY, "-m", "gunicorn", module, "--bind", f"127.0.0.1:{port}", *GUNICORN_OPTS],
        cwd=ROOT,
        env=env,
    )


def _get(port: int, path: str) -> tuple[int, bytes, http.client.HTTPMessage]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=PROXY_HEADERS)
        response = conn.getresponse()
        return response.status, response.read(), response.headers
    finally:
        conn.close()


def _wait_until_up(port: int) -> None:
    for _ in range(300):
        try:
            _get(port, "/privacy")
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"Nothing answers on port {port}.")


def _load(port: int, path: str, requests: int, concurrency: int) -> float:
    """Requests per second for ``requests`` GETs from ``concurrency`` threads."""
    remaining = [requests]
    lock = threading.Lock()
    failures = []

    def worker() -> None:
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            status, _, _ = _get(port, path)
            if status != 200:
                failures.append(status)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(f"{len(failures)} requests failed on port {port}: {failures[:5]}")
    return requests / elapsed


def _worker_cpu(server: subprocess.Popen) -> float:
    """CPU seconds used so far by a gunicorn master's workers (Linux /proc).

    Under a loaded machine the request rate swings with everyone else's
    work; the CPU time the workers spend per request does not."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _check_headers(path: str, headers: http.client.HTTPMessage) -> None:
    """The production headers are all there; show what a shared cache sees."""
    assert "max-age=31536000" in headers["Strict-Transport-Security"], headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], headers
    assert headers["X-Frame-Options"] == "DENY", headers
    assert headers["X-Content-Type-Options"] == "nosniff", headers
    print(
        f"  {path}: Cache-Control: {headers['Cache-Control']}; Vary: {headers['Vary']}; "
        f"Set-Cookie: {headers.get('Set-Cookie', '(none)')}"
    )


def bench_database(
    db_url: str, args: argparse.Namespace
) -> dict[str, tuple[float, float, float, float]]:
    env = _env(db_url)
    print(f"Database {db_url}: recreating, migrating, seeding the demo data...")
    _recreate_database(db_url)
    _manage(env, "migrate", "--noinput")
    _manage(env, "createcachetable")
    _manage(env, "collectstatic", "--noinput")
    _manage(env, "seed_demo", "--force")

    site, hello_site = _free_port(), _free_port()
    servers = [
        _serve(env, "config.wsgi:application", site),
        _serve(env, "bench.hello_wsgi:application", hello_site),
    ]
    results = {}
    try:
        _wait_until_up(site)
        _wait_until_up(hello_site)
        status, body, _ = _get(site, "/privacy")
        assert status == 200 and b"Times Tables Rock Stars" in body, (status, body[:300])
        assert _get(hello_site, "/privacy")[1] == b"Hello, world"
        for path in PATHS:
            _check_headers(path, _get(site, path)[2])
            for port in (site, hello_site):  # warm up (and fill the cache)
                _load(port, path, 300, args.concurrency)
            page, hello, page_cpu, hello_cpu = [], [], [], []
            for _ in range(args.rounds):  # interleaved, so noise hits both alike
                for rates, cpus, port, server in (
                    (hello, hello_cpu, hello_site, servers[1]),
                    (page, page_cpu, site, servers[0]),
                ):
                    before = _worker_cpu(server)
                    rates.append(_load(port, path, args.requests, args.concurrency))
                    cpus.append((_worker_cpu(server) - before) / args.requests * 1e6)
            ratios = [p / h for p, h in zip(page, hello, strict=True)]
            p, h = statistics.median(page), statistics.median(hello)
            print(
                f"  {path}: {p:.0f} req/s (rounds "
                + ", ".join(f"{x:.0f}" for x in page)
                + f"); hello world {h:.0f} req/s (rounds "
                + ", ".join(f"{x:.0f}" for x in hello)
                + "); per-round ratios "
                + ", ".join(f"{r:.2f}" for r in ratios)
            )
            pc, hc = statistics.median(page_cpu), statistics.median(hello_cpu)
            print(
                f"  {path}: worker CPU per request {pc:.0f} us (rounds "
                + ", ".join(f"{x:.0f}" for x in page_cpu)
                + f"); hello world {hc:.0f} us (rounds "
                + ", ".join(f"{x:.0f}" for x in hello_cpu)
                + ")"
            )
            results[path] = (p, h, statistics.median(ratios), hc / pc)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--databases", default="postgres,sqlite")
    args = parser.parse_args()

    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        urls = {"postgres": PG_URL, "sqlite": f"sqlite:///{tmp}/bench.sqlite3"}
        results = {name: bench_database(urls[name], args) for name in args.databases.split(",")}
    print(
        f"gunicorn {' '.join(GUNICORN_OPTS)}; {args.requests} requests x {args.rounds} "
        f"interleaved rounds per path, {args.concurrency} client threads, "
        "new connection per request"
    )
    for name, per_path in results.items():
        for path, (p, h, r, c) in per_path.items():
            print(
                f"{name:8} {path:24} {p:6.0f} req/s   hello world {h:6.0f} req/s   "
                f"ratio of medians {p / h:.2f}   median per-round ratio {r:.2f}   "
                f"CPU ratio (hello CPU / page CPU per request) {c:.2f}"
            )
    print("target: ratio >= 1.00")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"command: .venv/bin/python bench/bench_privacy.py {' '.join(sys.argv[1:])}")


if __name__ == "__main__":
    main()
