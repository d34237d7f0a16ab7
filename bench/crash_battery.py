"""Crash battery: families submit their consent answers to gunicorn on
PostgreSQL while the server is killed with SIGKILL mid-run, then restarted.

Not a timed test: it checks what a crash must never do.

1. every submission that got a success response (302 to /consent/done/) is
   stored;
2. no family is half-written (each family's 2 children x 2 services are 4
   answers, or none);
3. every stored submission has its receipt in the e-mail outbox (written in
   the same transaction);
4. after the restart the families whose submission failed send again, and
   then every family is stored;
5. ``manage.py verify_audit`` passes.

Run:  .venv/bin/python bench/crash_battery.py [--families 500] [--kill-after 0.4]

It (re)creates the PostgreSQL database pupildata_crash_battery (override
with BENCH_DATABASE_URL), serves it with gunicorn on 127.0.0.1:8741, and
prints the figures. Exit status 1 if any check fails.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, setup_django  # noqa: E402

PORT = 8741
DBNAME = "pupildata_crash_battery"
GUNICORN = ["--workers", "3", "--threads", "8", "--log-level", "error", "--timeout", "60"]


def seed(families: int) -> list[tuple[int, str]]:
    """``families`` families (one parent, two children), two services needing
    consent and a published notice; returns (contact id, link path) for each."""
    from consent.links import issue_link
    from tests.factories import (
        ContactFactory,
        InUseProviderFactory,
        PublishedNoticeFactory,
        PupilContactFactory,
        PupilFactory,
        SchoolFactory,
    )

    school = SchoolFactory(is_default=True)
    InUseProviderFactory.create_batch(2, school=school)
    PublishedNoticeFactory(school=school)
    links = []
    for n in range(families):
        contact = ContactFactory(school=school, email=f"p{n}@family.example")
        for _ in range(2):
            PupilContactFactory(pupil=PupilFactory(school=school), contact=contact)
        link = issue_link(contact=contact, actor="crash battery", reason="staff", base_url="")
        links.append((contact.pk, link.url))
    return links


class Family:
    """One parent's browser: a cookie jar and the three steps."""

    def __init__(self, contact_id: int, path: str) -> None:
        self.contact_id, self.path, self.cookies = contact_id, path, {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
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

    def submit(self) -> bool:
        """True when the server said the answers were sent."""
        self.cookies = {}
        status, location, _ = self.request("GET", self.path)
        if status != 302:
            return False
        status, _, html = self.request("GET", "/consent/form/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        fields = set(re.findall(r'name="(answer_\d+_\d+)"', html))
        if status != 200 or not token or len(fields) != 4:
            return False
        answers = dict.fromkeys(fields, "yes") | {"csrfmiddlewaretoken": token.group(1)}
        status, location, _ = self.request("POST", "/consent/form/", answers)
        if status != 302:
            return False
        status, location, html = self.request("GET", "/consent/check/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or not token:
            return False
        status, location, _ = self.request(
            "POST", "/consent/check/", {"csrfmiddlewaretoken": token.group(1)}
        )
        return status == 302 and location.endswith("/consent/done/")


def serve() -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{PORT}", *GUNICORN],
        cwd=ROOT,
        start_new_session=True,
    )
    for _ in range(200):
        try:
            http.client.HTTPConnection("127.0.0.1", PORT, timeout=2).request("GET", "/privacy")
            return server
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def run_all(families: list[Family], on_ack=None) -> set[int]:
    acked: set[int] = set()
    lock = threading.Lock()

    def one(family: Family) -> None:
        try:
            ok = family.submit()
        except (OSError, http.client.HTTPException):  # the server killed mid-response
            ok = False
        if ok:
            with lock:
                acked.add(family.contact_id)
                if on_ack:
                    on_ack(len(acked))

    with ThreadPoolExecutor(max_workers=50) as pool:
        list(pool.map(one, families))
    return acked


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=500)
    parser.add_argument("--kill-after", type=float, default=0.4, help="fraction acknowledged")
    args = parser.parse_args()

    os.environ["SECURE_HSTS_SECONDS"] = "0"
    setup_django(DBNAME, fresh=True)
    from django.core.management import call_command
    from django.db import connection

    from consent.models import ConsentRecord
    from pupils.models import EmailKind, OutboxMessage

    links = seed(args.families)
    connection.close()
    families = [Family(cid, path) for cid, path in links]

    server = serve()
    killed_at: list[float] = []
    threshold = int(args.families * args.kill_after)

    def kill_when(count: int) -> None:
        if count >= threshold and not killed_at:
            os.killpg(server.pid, signal.SIGKILL)
            killed_at.append(time.monotonic())

    started = time.monotonic()
    acked = run_all(families, on_ack=kill_when)
    server.wait()

    def stored() -> dict[int, int]:
        counts: dict[int, int] = {}
        for contact_id in ConsentRecord.objects.values_list("given_by_contact_id", flat=True):
            counts[contact_id] = counts.get(contact_id, 0) + 1
        return counts

    after_crash = stored()
    lost = acked - set(after_crash)
    half = {cid: n for cid, n in after_crash.items() if n != 4}
    receipts = set(
        OutboxMessage.objects.filter(kind=EmailKind.RECEIPT).values_list("to", flat=True)
    )
    emails = {c.contact_id: f"p{i}@family.example" for i, c in enumerate(families)}
    no_receipt = [cid for cid in after_crash if emails[cid] not in receipts]
    connection.close()

    server = serve()
    retry = [f for f in families if f.contact_id not in acked]
    acked_after = run_all(retry)
    os.killpg(server.pid, signal.SIGTERM)
    server.wait()
    final = stored()
    audit = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"], cwd=ROOT, capture_output=True, text=True
    )
    elapsed = time.monotonic() - started

    print(f"families: {args.families}; gunicorn {' '.join(GUNICORN)}; 50 client threads")
    print(f"killed with SIGKILL after {len(acked)} acknowledged (threshold {threshold})")
    print(f"acknowledged before the kill: {len(acked)}")
    print(
        f"stored after the kill: {len(after_crash)} (committed but not acknowledged: "
        f"{len(set(after_crash) - acked)})"
    )
    print(f"acknowledged but not stored: {len(lost)}")
    print(f"half-written families: {len(half)}")
    print(f"stored without a receipt in the outbox: {len(no_receipt)}")
    print(f"after restart: {len(retry)} families sent again, {len(acked_after)} acknowledged")
    print(f"stored in the end: {len([c for c, n in final.items() if n == 4])} of {args.families}")
    print(f"verify_audit: exit {audit.returncode}: {audit.stdout.strip() or audit.stderr.strip()}")
    print(f"wall time: {elapsed:.0f} s")
    call_command("check", verbosity=0)
    ok = (
        not lost
        and not half
        and not no_receipt
        and len(final) == args.families
        and all(n == 4 for n in final.values())
        and audit.returncode == 0
    )
    print("RESULT:", "pass" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
