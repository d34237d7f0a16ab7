"""The restore drill: a pg_dump of the database restores into a fresh one with
every row (scripts/restore-drill, as the operations guide tells staff to run)."""

import re
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from pupils import audit

from ..dbdump import pg_env
from ..factories import (
    MedicalConditionFactory,
    PupilContactFactory,
    PupilFactory,
    UserFactory,
)

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the restore drill uses pg_dump and pg_restore: run the suite on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]


def row_counts(dbname: str) -> dict[str, int]:
    conf = connection.settings_dict
    with (
        psycopg2.connect(
            dbname=dbname,
            host=conf["HOST"] or "127.0.0.1",
            port=conf["PORT"] or 5432,
            user=conf["USER"],
            password=conf["PASSWORD"] or None,
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from the catalogue)
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


def test_a_dump_restores_into_a_fresh_database_with_every_row(school):
    # No role: an earlier transactional test's flush removed the roles'
    # groups, which migrations create.
    office_user = UserFactory(username="office", school=school)
    for _ in range(3):
        contact = PupilContactFactory(pupil=PupilFactory(school=school))
        MedicalConditionFactory(pupil=contact.pupil)
        audit.record_change(actor=office_user, obj=contact.pupil, created=True)
    source = connection.settings_dict["NAME"]

    drill = subprocess.run(
        [str(BASE_DIR / "scripts" / "restore-drill"), "--keep", source],
        env={k: v for k, v in pg_env().items() if k != "DATABASE_URL"},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )

    assert drill.returncode == 0, drill.stdout + drill.stderr
    scratch = re.search(r"Restoring into a fresh database, (\S+)", drill.stdout).group(1)
    try:
        original, restored = row_counts(source), row_counts(scratch)
        assert restored == original
        assert original["pupils_pupil"] == 3 and original["pupils_medicalcondition"] == 3
        assert original["pupils_auditevent"] == 3
        assert "Every table matches" in drill.stdout
        assert "The audit trail holds: 3 entries checked" in drill.stdout
    finally:
        subprocess.run(["dropdb", "--if-exists", scratch], env=pg_env(), check=True)


def test_the_drill_fails_loudly_when_the_database_does_not_exist():
    drill = subprocess.run(
        [str(BASE_DIR / "scripts" / "restore-drill"), "no_such_database_anywhere"],
        env={k: v for k, v in pg_env().items() if k != "DATABASE_URL"},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )

    assert drill.returncode != 0
    assert "no_such_database_anywhere" in drill.stderr
