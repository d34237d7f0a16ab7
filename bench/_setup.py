"""Shared start-up for benchmarks: production-like settings against a
PostgreSQL database of the benchmark's own (created and migrated here)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"


def setup_django(dbname: str, *, fresh: bool = False) -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    if fresh:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", dbname], check=True
        )
    # Fails harmlessly when the database is already there.
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", dbname], capture_output=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"{PG}/{dbname}"),
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "EMAIL_URL": "consolemail://",
            "FIELD_ENCRYPTION_KEYS": "Zm9yLXRlc3RzLW9ubHktMzItYnl0ZXMtbG9uZy1rZXk=",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def median_ms(samples: list[float]) -> float:
    import statistics

    return statistics.median(samples) * 1000
