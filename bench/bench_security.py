"""How long key rotation, audit verification and a staff page take.

Run: .venv/bin/python bench/bench_security.py [--rows 5000] [--events 20000]

Uses a throw-away SQLite database (or DATABASE_URL if you point it at a
scratch PostgreSQL database). Prints the figures and the command.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--events", type=int, default=20000)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from cryptography.fernet import Fernet
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)

    from pupils import audit, demo
    from pupils import models as m

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    school, _ = demo.seed_school()
    pupil = m.Pupil.objects.create(
        school=school,
        upn="A840219020001",
        legal_surname="Bench",
        legal_forename="Mark",
        date_of_birth="2018-01-01",
        sex="F",
        nc_year="2",
        admission_date="2022-09-03",
        address_line1="1 Hope Street",
        town="Crook",
        postcode="DL15 9HU",
    )
    m.MedicalCondition.objects.bulk_create(
        m.MedicalCondition(pupil=pupil, condition=f"C{n}", notes=f"note {n} " * 20)
        for n in range(args.rows)
    )
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]

    started = time.perf_counter()
    call_command("rotate_encryption_key", stdout=open(os.devnull, "w"))  # noqa: SIM115
    rotate = time.perf_counter() - started
    started = time.perf_counter()
    call_command("rotate_encryption_key", stdout=open(os.devnull, "w"))  # noqa: SIM115
    rerun = time.perf_counter() - started

    for n in range(args.events):
        audit.record(actor=None, action=m.AuditAction.UPDATE, summary=f"bench {n}")
    started = time.perf_counter()
    assert audit.verify_chain() is None
    verify = time.perf_counter() - started

    rows, events = args.rows, args.events
    print(f"command: .venv/bin/python bench/bench_security.py --rows {rows} --events {events}")
    print(f"database: {settings.DATABASES['default']['ENGINE']}")
    print(f"rotate_encryption_key, {rows} notes: {rotate:.2f} s ({rows / rotate:.0f} rows/s)")
    print(f"rotate_encryption_key again (nothing to do): {rerun:.2f} s")
    print(f"verify_audit, {events} entries: {verify:.2f} s ({events / verify:.0f} entries/s)")


if __name__ == "__main__":
    main()
