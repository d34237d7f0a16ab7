"""Benchmark: import a 1,000-pupil Common Transfer File into PostgreSQL.

Run:  .venv/bin/python bench/bench_ctf_import.py [--pupils 1000] [--runs 5]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/pupildata_bench),
creates the database if it is missing and migrates it. Each run imports a
freshly generated file (new UPNs) into a new school, so every run creates
1,000 pupils; a re-import of the last file (which must change nothing) is
timed too. Peak memory is measured in a separate run under tracemalloc, so
the timed runs are not slowed by it.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pupildata_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Production-like: DEBUG off (no query log kept in memory).
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("EMAIL_URL", "consolemail://")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "Zm9yLXRlc3RzLW9ubHktMzItYnl0ZXMtbG9uZy1rZXk=")


def ensure_database(url: str) -> None:
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        return
    import psycopg2

    name = parsed.path.lstrip("/")
    conn = psycopg2.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username or "postgres",
        password=parsed.password or None, dbname="postgres",
    )  # fmt: skip
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


FORENAMES = ["Olivia", "Amelia", "Isla", "Noah", "Oliver", "George", "Zainab", "Kacper", "Freya"]
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Hartley", "Akhtar", "Nowak", "Robinson"]


def generate_ctf(pupils: int, *, estab: str, seed: int) -> bytes:
    """A realistic full CTF: contacts, six terms of attendance, assessments, SEN."""
    from lxml import etree

    from pupils import upn

    rng = random.Random(seed)
    root = etree.Element("CTfile")
    header = etree.SubElement(root, "Header")
    for tag, text in (
        ("DocumentName", "Common Transfer File"), ("CTFversion", "24.0"),
        ("DateTime", "2026-07-20T14:30:00"), ("DocumentQualifier", "full"),
        ("SupplierID", "Bench"),
    ):  # fmt: skip
        etree.SubElement(header, tag).text = text
    source = etree.SubElement(header, "SourceSchool")
    for tag, text in (("LEA", "840"), ("Estab", estab), ("SchoolName", "Bench Primary")):
        etree.SubElement(source, tag).text = text
    data = etree.SubElement(root, "CTFpupilData")

    def sub(parent, tag, text=None):
        el = etree.SubElement(parent, tag)
        if text is not None:
            el.text = str(text)
        return el

    for serial in range(pupils):
        p = sub(data, "Pupil")
        surname = rng.choice(SURNAMES)
        sub(p, "UPN", upn.make("840", estab, 18 + serial // 1000, serial % 1000))
        sub(p, "Surname", surname)
        sub(p, "Forename", rng.choice(FORENAMES))
        sub(
            p, "DOB", f"{rng.randint(2015, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        )
        sub(p, "Sex", rng.choice("MF"))
        basic = sub(p, "BasicDetails")
        sub(basic, "NCyearActual", rng.choice(["R", "1", "2", "3", "4", "5", "6"]))
        sub(basic, "Ethnicity", rng.choice(["WBRI", "WBRI", "WOTH", "APKN", "BAFR"]))
        address = sub(p, "Address")
        lines = sub(address, "AddressLines")
        sub(lines, "AddressLine1", f"{rng.randint(1, 90)} Front Street")
        sub(lines, "AddressLine3", "Crook")
        sub(address, "PostCode", "DL15 9AA")
        contacts = sub(p, "Contacts")
        for order, (title, rel) in enumerate((("Mrs", "PAM"), ("Mr", "PAF")), start=1):
            c = sub(contacts, "Contact")
            sub(c, "Order", order)
            sub(c, "Title", title)
            sub(c, "Surname", surname)
            sub(c, "Forename", rng.choice(FORENAMES))
            sub(c, "Relationship", rel)
            sub(c, "Responsibility", "true")
            phone = sub(sub(c, "Phones"), "Phone")
            sub(phone, "TelephoneType", "M")
            sub(phone, "PhoneNo", f"07700 9{serial:05d}{order}")
            sub(c, "Email", f"parent{serial}.{order}@family.example")
        attendance = sub(p, "Attendance")
        for year in (2024, 2025):
            year_el = sub(attendance, "YearData")
            sub(year_el, "Year", year)
            for term, possible in (("AUT", 140), ("SPR", 120), ("SUM", 128)):
                t = sub(year_el, "TermlyAttendance")
                auth, unauth = rng.randint(0, 8), rng.choice([0, 0, 1, 2])
                for tag, value in (
                    ("Term", term), ("SessionsPossible", possible),
                    ("SessionsAttended", possible - auth - unauth),
                    ("SessionsAuthorised", auth), ("SessionsUnauthorised", unauth),
                ):  # fmt: skip
                    sub(t, tag, value)
        stages = sub(p, "StageAssessments")
        ks = sub(stages, "KeyStage")
        sub(ks, "Stage", "KS1")
        for subject in ("Reading", "Writing", "Mathematics"):
            a = sub(ks, "StageAssessment")
            for tag, value in (
                ("Year", 2024), ("Subject", subject), ("Method", "TA"),
                ("Result", rng.choice(["EXS", "GDS", "WTS"])),
            ):  # fmt: skip
                sub(a, tag, value)
        psc = sub(stages, "KeyStage")
        sub(psc, "Stage", "PSC")
        a = sub(psc, "StageAssessment")
        for tag, value in (
            ("Year", 2023),
            ("Subject", "Phonics"),
            ("Method", "TT"),
            ("Result", "WA"),
        ):
            sub(a, tag, value)
        sen = sub(p, "SENhistory")
        entry = sub(sen, "SEN")
        provision = "K" if rng.random() < 0.15 else "N"
        sub(entry, "StartDate", "2024-09-04")
        sub(entry, "SENprovision", provision)
        if provision == "K":
            need = sub(sub(sen, "SENneeds"), "SENneed")
            sub(need, "SENtype", rng.choice(["SPLD", "SLCN", "SEMH"]))
            sub(need, "SENtypeRank", 1)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def new_school(index: int):
    from pupils.models import School, SchoolType

    stamp = f"{int(time.time()) % 100000:05d}{index}"
    return School.objects.create(
        name=f"Bench school {stamp}", urn=stamp[-7:], la_code="840", estab_number="2190",
        school_type=SchoolType.MAINTAINED, address="1 Bench Lane", postcode="DL15 8AA",
        dpo_name="Bench DPO", dpo_email="dpo@bench.example",
    )  # fmt: skip


# As installed in production, the interpreter finds compiled bytecode (this
# machine's shell sets PYTHONDONTWRITEBYTECODE, which would make every start
# compile Django again): a cache outside the tree, filled by a first run.
COMMAND_ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "bench-ctf-pycache"),
}


def run_command(path: Path, urn: str) -> tuple[float, float]:
    """Wall seconds and CPU seconds (its own, not the database's) for
    ``manage.py import_ctf`` in a new interpreter."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "import_ctf", str(path), "--school", urn],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=COMMAND_ENV,
    )  # fmt: skip
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sharing.ctf.importer import import_ctf
    from sharing.ctf.report import CREATE, UNCHANGED

    call_command("migrate", verbosity=0)
    base = random.Random().randint(1000, 8999)  # fresh UPNs on every invocation

    def one_run(index: int, data: bytes):
        school = new_school(index)
        started = time.perf_counter()
        report = import_ctf(actor="bench", school=school, data=data, file_name="bench.xml")
        elapsed = time.perf_counter() - started
        assert report.count(CREATE) == args.pupils, report.summary
        return school, elapsed

    files = [
        generate_ctf(args.pupils, estab=f"{base + i:04d}", seed=i) for i in range(args.runs + 1)
    ]
    times = []
    school = None
    for i in range(args.runs):
        school, elapsed = one_run(i, files[i])
        times.append(elapsed)
        print(f"run {i + 1}: {elapsed:.2f} s")

    started = time.perf_counter()
    report = import_ctf(
        actor="bench", school=school, data=files[args.runs - 1], file_name="bench.xml"
    )
    reimport = time.perf_counter() - started
    assert report.count(UNCHANGED) == args.pupils, report.summary

    tracemalloc.start()
    one_run(args.runs, files[args.runs])
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # The whole command, interpreter start included, as staff would run it.
    command_times, command_school = [], None
    subprocess.run(
        [sys.executable, "manage.py", "import_ctf", "--help"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=COMMAND_ENV,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            path = Path(tmp) / f"bench{i}.xml"
            path.write_bytes(generate_ctf(args.pupils, estab=f"{base + 100 + i:04d}", seed=100 + i))
            command_school = new_school(50 + i)
            command_times.append(run_command(path, command_school.urn))
        reimport_command = run_command(path, command_school.urn)

    print()
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"CTF: {args.pupils} pupils, {len(files[0]) / 1_048_576:.1f} MB")
    print(
        f"Import (creates every pupil, {args.runs} runs): median {statistics.median(times):.2f} s,"
        f" min {min(times):.2f} s, max {max(times):.2f} s"
    )
    print(f"Re-import of the same file (no change): {reimport:.2f} s")
    walls, cpus = [w for w, _c in command_times], [c for _w, c in command_times]
    print(
        f"Whole command (manage.py import_ctf FILE --school URN, {args.runs} runs): median "
        f"{statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU (runs: "
        + ", ".join(f"{w:.2f}/{c:.2f}" for w, c in command_times)
        + f"); re-import (no change): {reimport_command[0]:.2f} s wall, "
        f"{reimport_command[1]:.2f} s CPU"
    )
    print(f"Load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"Peak Python memory during one import (tracemalloc): {peak / 1_048_576:.1f} MB")
    print(f"Peak resident memory of the process (ru_maxrss): {max_rss:.0f} MB")
    print(
        f"Command: DATABASE_URL={os.environ['DATABASE_URL']} .venv/bin/python "
        f"bench/bench_ctf_import.py --pupils {args.pupils} --runs {args.runs}"
    )


if __name__ == "__main__":
    main()
