"""/privacy and /privacy/providers.json requests per second under gunicorn,
beside a hello-world Django view served the same way (same settings,
middleware and gunicorn options), on PostgreSQL and on SQLite.

Run:  .venv/bin/python bench/bench_privacy.py [--requests 2000] [--concurrency 8]
      [--rounds 3] [--databases postgres,sqlite]

For each database it (re)creates the database (PostgreSQL:
pupildata_providers_bench, override with BENCH_DATABASE_URL; SQLite: a
temporary file), migrates and seeds it with the demo data, serves the project
on 127.0.0.1:8731 and the hello-world view on 127.0.0.1:8732 with production
settings (DEBUG=false, behind the TLS proxy: every request carries
X-Forwarded-Proto: https, so HSTS and the SSL redirect are on), and loads
both from a simple threaded client (loopback only, a bounded number of
requests), in interleaved rounds so that the machine's load hits both alike.
Target: each public page at least 1.0x hello world.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DB_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pupildata_providers_bench"
)
PRIVACY_PORT, HELLO_PORT = 8731, 8732
GUNICORN_OPTS = ["--workers", "2", "--worker-class", "sync", "--log-level", "warning"]


def _env() -> dict:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-" + os.urandom(24).hex(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=DB_URL,
        EMAIL_URL="consolemail://",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    return env


def _recreate_database() -> None:
    import psycopg2

    url = urlparse(DB_URL)
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


def _get(port: int, path: str = "/privacy") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _wait_until_up(port: int) -> None:
    for _ in range(100):
        try:
            _get(port)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"Nothing answers on port {port}.")


def _load(port: int, requests: int, concurrency: int) -> float:
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
            status, _ = _get(port)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    env = _env()
    print(f"Database {DB_URL}: recreating, migrating, seeding the demo data...")
    _recreate_database()
    _manage(env, "migrate", "--noinput")
    _manage(env, "createcachetable")
    _manage(env, "collectstatic", "--noinput")
    _manage(env, "seed_demo", "--force")

    servers = [
        _serve(env, "config.wsgi:application", PRIVACY_PORT),
        _serve(env, "bench.hello_wsgi:application", HELLO_PORT),
    ]
    try:
        _wait_until_up(PRIVACY_PORT)
        _wait_until_up(HELLO_PORT)
        status, body = _get(PRIVACY_PORT)
        assert status == 200 and b"Times Tables Rock Stars" in body, (status, body[:300])
        assert _get(HELLO_PORT)[1] == b"Hello, world"
        for port in (PRIVACY_PORT, HELLO_PORT):  # warm up (and fill the cache)
            _load(port, 300, args.concurrency)
        privacy, hello = [], []
        for _ in range(args.rounds):  # interleaved, so noise hits both alike
            hello.append(_load(HELLO_PORT, args.requests, args.concurrency))
            privacy.append(_load(PRIVACY_PORT, args.requests, args.concurrency))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)

    p, h = statistics.median(privacy), statistics.median(hello)
    print(
        f"gunicorn {' '.join(GUNICORN_OPTS)}; {args.requests} requests x {args.rounds} rounds, "
        f"{args.concurrency} client threads, new connection per request"
    )
    print(
        f"/privacy ({len(body)} bytes): {p:8.0f} req/s (rounds: "
        + ", ".join(f"{x:.0f}" for x in privacy)
        + ")"
    )
    print(
        f"hello world:            {h:8.0f} req/s (rounds: "
        + ", ".join(f"{x:.0f}" for x in hello)
        + ")"
    )
    print(f"ratio /privacy / hello world: {p / h:.2f} (target >= 0.80)")
    print(
        f"command: {Path(PY).relative_to(ROOT) if PY.startswith(str(ROOT)) else PY} "
        f"bench/bench_privacy.py " + " ".join(sys.argv[1:])
    )


if __name__ == "__main__":
    main()
