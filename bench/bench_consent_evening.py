"""A consent evening under gunicorn on PostgreSQL, beside the one-row ceiling.

Run through bench_consent.py (its docstring says what it measures):
    .venv/bin/python bench/bench_consent.py evening [--families 2000] [--concurrency 16]
        [--rounds 4] [--ceiling-requests 1500]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, setup_django  # noqa: E402

DBNAME = "pupildata_consent_evening"
GUNICORN = ["--workers", "2", "--worker-class", "sync", "--log-level", "warning"]
CHILDREN, PURPOSES = 2, 4
STEPS = ["open link", "form", "send form", "check", "Send", "done"]
# What the TLS proxy in front of gunicorn adds to every request.
PROXY = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(families: int) -> list[tuple[int, str]]:
    """``families`` families (one parent, two children) at one school with
    four purposes needing consent; returns (contact id, link path) each."""
    from django.db import transaction
    from django.urls import reverse
    from django.utils import timezone

    from consent import tokens
    from consent.models import ConsentRequest
    from pupils import upn
    from pupils.models import Contact, Pupil, PupilContact
    from tests.factories import (
        ContactFactory,
        InUseProviderFactory,
        PublishedNoticeFactory,
        PupilContactFactory,
        PupilFactory,
        SchoolFactory,
    )

    school = SchoolFactory(is_default=True)
    InUseProviderFactory.create_batch(PURPOSES, school=school)
    PublishedNoticeFactory(school=school)
    now = timezone.now()
    with transaction.atomic():
        contacts = Contact.objects.bulk_create(
            ContactFactory.build(school=school, email=f"p{n}@family.example")
            for n in range(families)
        )
        # UPNs of our own: the factory's repeat after 1,000 pupils.
        pupils = Pupil.objects.bulk_create(
            PupilFactory.build(school=school, upn=upn.make("840", f"{n // 1000:04d}", 20, n))
            for n in range(families * CHILDREN)
        )
        PupilContact.objects.bulk_create(
            PupilContactFactory.build(pupil=pupil, contact=contacts[i // CHILDREN])
            for i, pupil in enumerate(pupils)
        )
        issued = [tokens.issue() for _ in contacts]
        ConsentRequest.objects.bulk_create(
            ConsentRequest(
                school=school,
                contact=contact,
                token_digest=token.digest,
                created_at=now,
                expires_at=now + tokens.link_lifetime(),
            )
            for contact, token in zip(contacts, issued, strict=True)
        )
    return [
        (contact.pk, reverse("consent:open", args=[token.signed]))
        for contact, token in zip(contacts, issued, strict=True)
    ]


class Browser:
    """One parent's browser: a cookie jar, a proxy address, timings per step."""

    def __init__(self, port: int, address: str) -> None:
        self.port, self.address, self.cookies = port, address, {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = PROXY | {"X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = "https://127.0.0.1"
            headers["Referer"] = "https://127.0.0.1/consent/"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location") or "", response.read().decode()
        finally:
            conn.close()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else ""


def journey(port: int, n: int, path: str, timings: dict[str, list[float]]) -> bool:
    """One family's 6 requests; True when Send was acknowledged and the
    confirmation shown."""
    browser = Browser(port, f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
    results = []

    def step(name: str, method: str, url: str, body: dict | None = None):
        start = time.perf_counter()
        result = browser.request(method, url, body)
        timings[name].append(time.perf_counter() - start)
        results.append(result[0])
        return result

    status, _, _ = step("open link", "GET", path)
    _, _, html = step("form", "GET", "/consent/form/")
    fields = set(re.findall(r'name="(answer_\d+_\d+)"', html))
    answers = {f: ("yes" if i % 3 else "no") for i, f in enumerate(sorted(fields))}
    step("send form", "POST", "/consent/form/", answers | {"csrfmiddlewaretoken": _csrf(html)})
    _, _, html = step("check", "GET", "/consent/check/")
    status, location, _ = step(
        "Send", "POST", "/consent/check/", {"csrfmiddlewaretoken": _csrf(html)}
    )
    acknowledged = status == 302 and location.endswith("/consent/done/")
    done, _, _ = step("done", "GET", "/consent/done/")
    return acknowledged and done == 200 and len(fields) == CHILDREN * PURPOSES


def ceiling(port: int, n: int, timings: dict[str, list[float]]) -> bool:
    browser = Browser(port, f"10.200.{n // 256 % 256}.{n % 256}")
    start = time.perf_counter()
    status, _, _ = browser.request("POST", "/bench/one-row/", {"to": f"c{n}@bench.example"})
    timings["ceiling"].append(time.perf_counter() - start)
    return status == 200


def _worker_cpu(master: int) -> float:
    """CPU seconds (user + system) of gunicorn's workers so far."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _run(concurrency: int, jobs) -> tuple[float, int]:
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        ok = sum(pool.map(lambda job: job(), jobs))
    return time.perf_counter() - start, ok


def queries_per_step(path: str) -> dict[str, int]:
    """Each step's queries for one family, in this process (the test client
    through the same middleware)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="10.250.0.1")
    counts = {}

    def step(name, method, url, data=None):
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        counts[name] = len(captured)
        return response

    # Once first, so that the counts are those of a warm server (the
    # school's purposes cached: consent.purposes).
    client.get(path)
    client.get("/consent/form/")
    step("open link", "get", path)
    html = step("form", "get", "/consent/form/").content.decode()
    fields = sorted(set(re.findall(r'name="(answer_\d+_\d+)"', html)))
    step("send form", "post", "/consent/form/", dict.fromkeys(fields, "yes"))
    step("check", "get", "/consent/check/")
    step("Send", "post", "/consent/check/", {"x": "1"})
    step("done", "get", "/consent/done/")
    return counts


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_consent.py evening")
    parser.add_argument("--families", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--ceiling-requests", type=int, default=1500)
    args = parser.parse_args(argv)

    os.environ.update(BEHIND_TLS_PROXY="true", SECURE_HSTS_SECONDS="0")
    setup_django(DBNAME, fresh=True)
    from django.db import connection

    from consent.models import ConsentRecord
    from pupils.models import EmailKind, OutboxMessage

    links = seed(args.families + 1)
    probe_contact, probe_path = links.pop()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    steps = queries_per_step(probe_path)
    connection.close()

    port = _free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.consent_ceiling_settings")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", *GUNICORN],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(300):
            try:
                Browser(port, "10.255.0.1").request("GET", "/privacy")
                break
            except OSError:
                time.sleep(0.1)
        timings: dict[str, list[float]] = defaultdict(list)
        family_rates, ceiling_rates = [], []
        family_cpu = ceiling_cpu = 0.0
        acknowledged = 0
        per_round = len(links) // args.rounds
        per_ceiling = args.ceiling_requests // args.rounds
        lock = threading.Lock()
        for r in range(args.rounds):
            batch = links[r * per_round : (r + 1) * per_round]
            cpu = _worker_cpu(server.pid)
            seconds, ok = _run(
                args.concurrency,
                [
                    (lambda i=i, p=p: journey(port, i, p, timings))
                    for i, (_cid, p) in enumerate(batch, start=r * per_round)
                ],
            )
            with lock:
                family_cpu += _worker_cpu(server.pid) - cpu
                acknowledged += ok
            family_rates.append(ok / seconds)
            cpu = _worker_cpu(server.pid)
            seconds, ok = _run(
                args.concurrency,
                [
                    (lambda i=i: ceiling(port, i, timings))
                    for i in range(r * per_ceiling, (r + 1) * per_ceiling)
                ],
            )
            ceiling_cpu += _worker_cpu(server.pid) - cpu
            ceiling_rates.append(ok / seconds)
    finally:
        server.terminate()
        server.wait()

    families_done = per_round * args.rounds
    stored = ConsentRecord.objects.exclude(given_by_contact_id=probe_contact).count()
    receipts = OutboxMessage.objects.filter(kind=EmailKind.RECEIPT).count() - 1
    families_rate = statistics.median(family_rates)
    ceiling_rate = statistics.median(ceiling_rates)
    cpu_family = family_cpu / families_done
    cpu_ceiling = ceiling_cpu / (per_ceiling * args.rounds)
    print(
        f"consent evening on {connection.vendor}: {families_done} families "
        f"({CHILDREN} children x {PURPOSES} purposes = {CHILDREN * PURPOSES} answers each), "
        f"{args.concurrency} at a time, {args.rounds} interleaved rounds; "
        f"gunicorn {' '.join(GUNICORN)}"
    )
    print(f"families per second (median of rounds): {families_rate:7.1f}")
    print(f"ceiling requests per second (one-row insert): {ceiling_rate:7.1f}")
    print(
        f"ratio: a family's 6 requests at {families_rate * 6 / ceiling_rate:.2f}x "
        "the ceiling's request rate"
    )
    print(
        f"worker CPU per family: {cpu_family * 1000:.1f} ms; per ceiling request: "
        f"{cpu_ceiling * 1000:.2f} ms; a family costs {cpu_family / cpu_ceiling:.1f} ceiling "
        f"requests (an idle 2-core machine: ~{2 / cpu_family:.0f} families/s)"
    )
    print("step           p50 ms   p99 ms   queries")
    for name in STEPS:
        print(
            f"{name:<12} {_pct(timings[name], 0.5):8.1f} {_pct(timings[name], 0.99):8.1f}"
            f"   {steps[name]:5d}"
        )
    print(
        f"{'ceiling':<12} {_pct(timings['ceiling'], 0.5):8.1f} "
        f"{_pct(timings['ceiling'], 0.99):8.1f}"
    )
    expected = acknowledged * CHILDREN * PURPOSES
    print(
        f"acknowledged submissions: {acknowledged} of {families_done}; answers stored: "
        f"{stored} (expected {expected}); receipts in the outbox: {receipts}"
    )
    print(f"command: .venv/bin/python bench/bench_consent.py evening {' '.join(argv)}".rstrip())
    ok = stored == expected and receipts == acknowledged and acknowledged == families_done
    print("RESULT:", "pass" if ok else "FAIL")
    return 0 if ok else 1
