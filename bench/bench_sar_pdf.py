"""How long the subject access response PDF takes for a pupil with seven
years of records, beside bare WeasyPrint rendering the same HTML in a warm
process (this one, after a first render).

    .venv/bin/python bench/bench_sar_pdf.py [--runs N] [--database-url URL] [--save-pdfs DIR]

Uses a PostgreSQL database of its own (default pupildata_sar_bench on
127.0.0.1), dropped, re-created and migrated on every run. In interleaved
rounds (one of each per round, so a busy machine slows each alike) it times:

- bare: ``pdf_worker.render`` in this process (WeasyPrint alone, warm);
- warm: ``pdf.render_pdf``, a child forked from the warm worker with the
  limits and the restrictive fetcher (what the job does);
- fresh: ``pdf.render_in_fresh_process``, a new ``python -I pdf_worker.py``
  per PDF (the fallback, and what every PDF cost before the warm worker);
- bare, auto layout: the same HTML with ``table-layout: auto`` (before the
  response's tables were laid out fixed).

Prints medians of wall-clock and CPU time (the warm child's CPU is read from
the warm worker's reaped children, the fresh process's from ours) and the
ratios. Target: warm / bare <= 1.2. ``--save-pdfs`` writes the response and
a draft for looking at (``pdftoppm -png -r 60``).
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
    from sharing.access.services import open_access_request, record_redaction

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
    medical = [
        m.MedicalCondition.objects.create(
            pupil=main,
            condition=condition,
            medication="Inhaler",
            notes="Care plan in the office.",
            source="parent",
        )
        for condition in ("Asthma", "Eczema")
    ]
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
            dpa_signed_on=datetime.date(2024, 9, 1),
            contract_reference=f"DPA-{i}",
            contract_location="Office files",
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
    # One record redacted: its cells read "[redacted]" in narrow columns.
    from django.contrib.auth import get_user_model

    dpo = get_user_model().objects.create_user("bench-dpo", is_staff=True)
    m.StaffProfile.objects.create(user=dpo, school=school)
    record_redaction(
        actor=dpo,
        request=request,
        outcome="redact",
        ground="third_party",
        reason="Names another pupil.",
        record=medical[1],
    )
    return main, request


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (fresh workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _warm_children_cpu() -> float:
    """CPU seconds of the warm worker's finished children (one per PDF)."""
    from sharing.access import pdf

    if pdf._warm is None or pdf._warm.pid is None:
        return 0.0
    pid = pdf._warm.pid
    children = Path(f"/proc/{pid}/task/{pid}/children")
    deadline = time.monotonic() + 2
    while children.read_text().strip() and time.monotonic() < deadline:
        time.sleep(0.005)  # the child has answered; wait until it is reaped
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[13]) + int(fields[14])) / ticks  # cutime, cstime


def timed(fn, *, extra_cpu=lambda: 0.0) -> tuple[float, float]:
    cpu, extra, wall = _cpu(), extra_cpu(), time.perf_counter()
    fn()
    wall = time.perf_counter() - wall
    return wall, (_cpu() - cpu) + (extra_cpu() - extra)


def ms(pair: tuple[float, float]) -> str:
    return f"{pair[0] * 1000:.0f} ms wall, {pair[1] * 1000:.0f} ms CPU"


def medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return (
        statistics.median(s[0] for s in samples),
        statistics.median(s[1] for s in samples),
    )


def ratio(a: tuple[float, float], b: tuple[float, float]) -> str:
    return f"{a[0] / b[0]:.2f} wall, {a[1] / b[1]:.2f} CPU"


AUTO_LAYOUT = "<style>table { table-layout: auto !important; }</style></head>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--save-pdfs", type=Path, help="Write the response and a draft here.")
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
    auto_html = html.replace("</head>", AUTO_LAYOUT, 1)
    roots = [Path(p) for p in pdf.static_roots()]
    limits = pdf.RenderLimits.from_settings()
    rows = sum(len(s.rows) for s in record.sections)

    def bare(markup: str):
        return lambda: pdf_worker.render(markup, roots=roots, options=pdf.PDF_OPTIONS)

    # One render of each first: WeasyPrint's caches in this process, and the
    # warm worker started (it is kept, as the task worker keeps it).
    bare(html)()
    bare(auto_html)()
    started = time.perf_counter()
    pdf.render_pdf(html)
    warm_start = time.perf_counter() - started

    cases = {
        "bare": (bare(html), lambda: 0.0),
        "warm": (lambda: pdf.render_pdf(html), _warm_children_cpu),
        "fresh": (
            lambda: pdf.render_in_fresh_process(html, limits=limits, roots=pdf.static_roots()),
            lambda: 0.0,
        ),
        "bare_auto": (bare(auto_html), lambda: 0.0),
        "fresh_auto": (
            lambda: pdf.render_in_fresh_process(auto_html, limits=limits, roots=pdf.static_roots()),
            lambda: 0.0,
        ),
    }
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _round in range(args.runs):
        for name, (fn, extra) in cases.items():
            samples[name].append(timed(fn, extra_cpu=extra))
    got = {name: medians(found) for name, found in samples.items()}
    gather = medians(
        [timed(lambda: gather_access_record(pupil.pk, request=request)) for _ in range(args.runs)]
    )
    template = medians([timed(lambda: pdf.render_html(record)) for _ in range(args.runs)])
    pages = count_pages(pdf_worker.render(html, roots=roots, options=pdf.PDF_OPTIONS))
    auto_pages = count_pages(pdf_worker.render(auto_html, roots=roots, options=pdf.PDF_OPTIONS))

    print(f"command: .venv/bin/python bench/bench_sar_pdf.py --runs {args.runs}")
    print(f"record: 7 school years, {rows} table rows, {len(html):,} bytes of HTML, {pages} pages")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"gathering: {len(queries.captured_queries)} queries, {ms(gather)} (medians)")
    print(f"templating: {ms(template)}")
    print(f"warm worker start (once per task worker): {warm_start * 1000:.0f} ms wall")
    print(f"medians of {args.runs} interleaved rounds:")
    print(f"  bare WeasyPrint, warm, this process: {ms(got['bare'])}")
    print(f"  warm worker, forked child with limits: {ms(got['warm'])}")
    print(f"  fresh process per PDF (fallback): {ms(got['fresh'])}")
    print(f"  bare WeasyPrint, auto table layout ({auto_pages} pages): {ms(got['bare_auto'])}")
    print(f"  fresh process, auto table layout (the path before): {ms(got['fresh_auto'])}")
    print(f"warm / bare = {ratio(got['warm'], got['bare'])} (target <= 1.2)")
    print(f"fresh / bare = {ratio(got['fresh'], got['bare'])}")
    print(f"before (fresh, auto layout) / bare auto = {ratio(got['fresh_auto'], got['bare_auto'])}")
    print(f"fixed / auto table layout, bare = {ratio(got['bare'], got['bare_auto'])}")
    print(f"after (warm, fixed) / before (fresh, auto) = {ratio(got['warm'], got['fresh_auto'])}")
    if args.save_pdfs:
        save_pdfs(args.save_pdfs, pupil, request)


def save_pdfs(folder: Path, pupil, request) -> None:
    from sharing.access.pdf import render_access_response
    from sharing.access.record import gather_access_record

    folder.mkdir(parents=True, exist_ok=True)
    for draft in (False, True):
        record = gather_access_record(pupil.pk, request=request, draft=draft)
        name = folder / ("draft.pdf" if draft else "response.pdf")
        name.write_bytes(render_access_response(record))
        print(f"wrote {name}")


def count_pages(pdf_bytes: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf_bytes)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


if __name__ == "__main__":
    main()
