"""How long the subject access response PDF takes for a pupil with seven
years of records, beside WeasyPrint rendering the same HTML alone.

    .venv/bin/python bench/bench_sar_pdf.py [--runs N] [--database-url URL]

Uses a PostgreSQL database of its own (default pupildata_sar_bench on
127.0.0.1), dropped, re-created and migrated on every run. Prints:

- gathering: queries and time (``access_record.gather_access_record``);
- templating: time (``pdf.render_html``);
- WeasyPrint alone: the same HTML rendered in this process;
- the worker: the same HTML rendered in the isolated worker process;
- the whole response (gather + template + worker), and the ratios.

Target: gathering and templating add under 20% to WeasyPrint's own time.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pupildata_sar_bench"


def recreate_database(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("EMAIL_URL", "memorymail://")  # the DPO e-mail stays in memory
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seven_year_pupil():
    """A Year 6 leaver with Reception to Year 6 on record, two siblings and
    200 other pupils in the school."""
    from django.utils import timezone

    from providers.models import Provider
    from pupils import models as m
    from pupils import upn
    from sharing.access.services import open_access_request

    school = m.School.objects.create(
        name="Bench Primary School",
        urn="199001",
        la_code="840",
        estab_number="2999",
        school_type=m.SchoolType.MAINTAINED,
        address="1 Bench Lane\nCrook",
        postcode="DL15 8AA",
        dpo_name="Dana Protector",
        dpo_email="dpo@bench.example",
    )
    serial = iter(range(1, 10_000))

    def pupil(forename, **kwargs):
        return m.Pupil.objects.create(
            school=school,
            upn=upn.make("840", "2999", 19, next(serial)),
            legal_surname="Benchley",
            legal_forename=forename,
            date_of_birth=datetime.date(2015, 3, 9),
            sex="F",
            nc_year="6",
            enrolment_status="on_roll",
            admission_date=datetime.date(2019, 9, 4),
            address_line1="4 Hope Street",
            town="Crook",
            postcode="DL15 9ZZ",
            **kwargs,
        )

    main = pupil("Mabel", middle_names="Rose", first_language="English")
    for i in range(200):
        other = pupil(f"Other{i}")
        m.AttendanceSummary.objects.bulk_create(
            m.AttendanceSummary(
                pupil=other,
                academic_year=y,
                term=t,
                possible_sessions=140,
                attended_sessions=130,
                authorised_absences=8,
                unauthorised_absences=2,
            )
            for y in range(2019, 2026)
            for t in ("AUT", "SPR", "SUM")
        )
    for forename, rel in (("Helen", "PAM"), ("Mark", "PAF"), ("Joan", "GRP")):
        contact = m.Contact.objects.create(
            school=school,
            forename=forename,
            surname="Benchley",
            email=f"{forename}@x.example",
            phone_mobile="07700 900000",
            address_line1="4 Hope Street",
            town="Crook",
            source=m.Source.PARENT,
        )
        m.PupilContact.objects.create(
            pupil=main, contact=contact, relationship=rel, parental_responsibility=rel != "GRP"
        )
    m.AttendanceSummary.objects.bulk_create(
        m.AttendanceSummary(
            pupil=main,
            academic_year=y,
            term=t,
            possible_sessions=140,
            attended_sessions=131,
            authorised_absences=7,
            unauthorised_absences=2,
        )
        for y in range(2019, 2026)
        for t in ("AUT", "SPR", "SUM")
    )
    results = [("EYFSP", f"Early learning goal {n}", "TA", "EXP", 2019) for n in range(1, 18)]
    results += [("PSC", "Phonics", "TT", "WA", 2020)]
    results += [
        ("KS1", s, "TA", "EXS", 2021) for s in ("Reading", "Writing", "Mathematics", "Science")
    ]
    results += [("MTC", "Multiplication tables", "TT", "23", 2023)]
    results += [
        ("KS2", s, "TT", "104", 2025)
        for s in ("Reading", "Mathematics", "Grammar, punctuation and spelling")
    ]
    results += [("KS2", s, "TA", "EXS", 2025) for s in ("Writing", "Science")]
    m.AssessmentResult.objects.bulk_create(
        m.AssessmentResult(
            pupil=main,
            stage=st,
            subject=su,
            method=me,
            result=r,
            academic_year=y,
            source=m.Source.DFE if st in ("MTC", "KS2") else m.Source.SCHOOL,
        )
        for st, su, me, r, y in results
    )
    for day in (datetime.date(2022, 3, 7), datetime.date(2024, 1, 15)):
        m.Exclusion.objects.create(
            pupil=main, category="SUSP", reason="LD", start_date=day, sessions=Decimal("2")
        )
    m.SpecialCategoryRecord.objects.create(pupil=main, ethnicity="WBRI", sen_provision="K")
    for rank, need in enumerate(("SLCN", "SPLD"), start=1):
        m.SenNeed.objects.create(
            pupil=main,
            need_type=need,
            rank=rank,
            notes="Reviewed termly with parents and the SENCo. " * 3,
        )
    for condition in ("Asthma", "Eczema"):
        m.MedicalCondition.objects.create(
            pupil=main,
            condition=condition,
            medication="Inhaler",
            notes="Care plan in the office.",
            source="parent",
        )
    m.Destination.objects.create(pupil=main, school_name="Parkside Academy", urn="137099")
    for i in range(6):
        Provider.objects.create(
            school=school,
            name=f"Provider {i}",
            service=f"Service {i}",
            purpose="Learning platform used in class and at home.",
            storage_location="uk",
            lawful_basis="public_task",
            status="in_use",
            data_fields="forename, surname, class, reading level",
        )
    request = open_access_request(
        actor=None,
        school=school,
        pupils=[main],
        requester_name="Helen Benchley",
        requester_relationship="parent",
        channel="email",
        received_at=timezone.now(),
    )
    return main, request


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the worker)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def median_seconds(fn, runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds. The machine is shared: CPU time is
    the steadier figure when others are busy."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), _cpu()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def ms(pair: tuple[float, float]) -> str:
    return f"{pair[0] * 1000:.0f} ms wall, {pair[1] * 1000:.0f} ms CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()

    recreate_database(args.database_url)
    setup_django(args.database_url)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sharing.access import pdf, pdf_worker
    from sharing.access.record import gather_access_record

    pupil, request = seven_year_pupil()
    with CaptureQueriesContext(connection) as queries:
        record = gather_access_record(pupil.pk, request=request)
    html = pdf.render_html(record)
    roots = [Path(p) for p in pdf.static_roots()]
    rows = sum(len(s.rows) for s in record.sections)

    # Warm up fonts and caches once, then time.
    pdf_worker.render(html, roots=roots, options=pdf.PDF_OPTIONS)
    gather = median_seconds(lambda: gather_access_record(pupil.pk, request=request), args.runs)
    template = median_seconds(lambda: pdf.render_html(record), args.runs)
    alone = median_seconds(
        lambda: pdf_worker.render(html, roots=roots, options=pdf.PDF_OPTIONS), args.runs
    )
    worker = median_seconds(lambda: pdf.render_pdf(html), args.runs)
    whole = median_seconds(
        lambda: pdf.render_access_response(gather_access_record(pupil.pk, request=request)),
        args.runs,
    )
    pages = count_pages(pdf_worker.render(html, roots=roots, options=pdf.PDF_OPTIONS))

    print(f"command: .venv/bin/python bench/bench_sar_pdf.py --runs {args.runs}")
    print(f"record: 7 school years, {rows} table rows, {len(html):,} bytes of HTML, {pages} pages")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"gathering: {len(queries.captured_queries)} queries, {ms(gather)} (medians)")
    print(f"templating: {ms(template)}")
    print(f"WeasyPrint alone (same HTML, in process): {ms(alone)}")
    print(f"WeasyPrint in the isolated worker: {ms(worker)}")
    print(f"whole response (gather + template + worker): {ms(whole)}")
    for i, kind in enumerate(("wall", "CPU")):
        added = (gather[i] + template[i]) / alone[i]
        print(
            f"{kind}: gathering + templating add {added:.1%} to WeasyPrint's own time "
            f"(target < 20%); worker start-up and limits add "
            f"{(worker[i] - alone[i]) / alone[i]:.1%}; whole / WeasyPrint alone = "
            f"{whole[i] / alone[i]:.2f}"
        )


def count_pages(pdf_bytes: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf_bytes)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


if __name__ == "__main__":
    main()
