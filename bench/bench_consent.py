"""Consent: how long the staff reports take, and a consent evening.

Run:  .venv/bin/python bench/bench_consent.py
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_consent \
          .venv/bin/python bench/bench_consent.py
      .venv/bin/python bench/bench_consent.py evening [--families 2000] [--concurrency 16]

The first two time the staff reports, in this process, on a throw-away
SQLite file unless DATABASE_URL is set (the database is created fresh:
never point it at real data).

``evening`` is a consent evening (issue 17): it (re)creates the PostgreSQL
database pupildata_consent_evening (override with BENCH_DATABASE_URL), seeds
``--families`` families (one parent, two children, four purposes: an
8-answer form) with a link each, and serves the project with gunicorn
(2 sync workers, production settings, every request marked as coming
through the TLS proxy). ``--concurrency`` parents at a time then each make
a family's whole journey of 6 requests: open the link, the form, send the
form, the check page, Send, the confirmation. In the same run, interleaved
in rounds, the same server answers a minimal view that validates a form and
inserts one row (``bench/consent_ceiling_urls.py``): the ceiling. It prints
families per second and the ceiling's requests per second, the ratio of a
family's 6 requests to 6 ceiling requests, p50/p99 latency per step, the
gunicorn workers' CPU time per family and per ceiling request (the figure a
busy machine disturbs least), the queries each step makes (measured in this
process with the Django test client), and the count of stored answers and
queued receipts against the acknowledged submissions.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DB_FILE = Path("/tmp/bench_consent.sqlite3")


def _setup_reports() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    if "DATABASE_URL" not in os.environ:
        DB_FILE.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
    import django

    django.setup()


PUPILS = 300


def timed(label: str, fn, repeat: int = 5) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best = float("inf")
    for _ in range(repeat):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
    print(f"{label:<48} {best * 1000:8.1f} ms  {len(queries):3d} queries")


def reports() -> None:
    _setup_reports()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    from consent import reports, services
    from consent.models import ConsentMethod, ConsentRecord
    from tests.factories import (
        ContactFactory,
        ProviderFactory,
        PupilContactFactory,
        PupilFactory,
        SchoolFactory,
        UserFactory,
    )

    school = SchoolFactory()
    office = UserFactory(username="bench-office", school=school)
    providers = [ProviderFactory(school=school) for _ in range(3)]
    start = time.perf_counter()
    years = ["R", "1", "2", "3", "4", "5", "6"]
    for i in range(PUPILS):
        pupil = PupilFactory(school=school, nc_year=years[i % 7])
        contact = ContactFactory(school=school)
        PupilContactFactory(pupil=pupil, contact=contact)
        if i % 10:
            for provider in providers:
                services.record_consent(
                    actor=office,
                    pupil=pupil,
                    provider=provider,
                    given=i % 13 != 0,
                    given_by_contact=contact,
                    method=ConsentMethod.PAPER,
                )
    setup = time.perf_counter() - start
    if connection.vendor == "postgresql":
        # As autovacuum would after a bulk load: fresh planner statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"{connection.vendor}: {PUPILS} pupils, {len(providers)} providers, "
        f"{ConsentRecord.objects.count()} answers (set-up {setup:.1f} s)"
    )
    timed("overview (per provider and year group)", lambda: reports.overview(school))
    timed(
        "pupils still missing answers",
        lambda: list(reports.pupils_missing_answers(school, providers)),
    )
    timed("not to set up on one provider", lambda: list(reports.not_to_set_up(providers[0])))
    timed("offline to-do for one provider", lambda: list(reports.offline_to_do(providers[0])))
    timed(
        "current answers (all pupils)",
        lambda: list(ConsentRecord.objects.current().filter(pupil__school=school)),
    )
    pupil = school.pupils.first()
    contact = pupil.contacts.first()
    flip = iter(range(1000))
    timed(
        "record_consent (one new answer, with audit)",
        lambda: services.record_consent(
            actor=office,
            pupil=pupil,
            provider=providers[0],
            given=next(flip) % 2 == 0,
            given_by_contact=contact,
            method=ConsentMethod.PHONE,
        ),
    )
    print("command: .venv/bin/python bench/bench_consent.py")


if __name__ == "__main__":
    if sys.argv[1:2] == ["evening"]:
        from bench_consent_evening import main as evening

        sys.exit(evening(sys.argv[2:]))
    reports()
