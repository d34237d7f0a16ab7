"""A bad setting stops the start with one line that names the setting and
says what is wrong (ImproperlyConfigured), never a TypeError or KeyError
from deep inside a library, and never the value (it may hold a password)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "privacy.school.example",
    "EMAIL_URL": "smtp+tls://user:hunter2@mail.school.example:587",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "DATABASE_URL": "postgres://app:pw@db.school.example:5432/pupildata",
}


def start(**changes: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    env.pop("ALLOW_SQLITE_IN_PRODUCTION", None)
    env.update({**PRODUCTION, "DJANGO_SETTINGS_MODULE": "config.settings"})
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    code = "import config.settings as s; print(s.MAILERS['default']['OPTIONS'])"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )


def failure_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stdout
    return result.stderr.strip().splitlines()[-1]


def test_production_settings_that_are_complete_start():
    result = start()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"EMAIL_URL": None}, "EMAIL_URL must be set when DEBUG is off"),
        ({"EMAIL_URL": "mail.school.example"}, "EMAIL_URL is not a mail URL"),
        ({"EMAIL_URL": "smtp://user:hunter2@mail:notaport"}, "EMAIL_URL is not a mail URL"),
        ({"DATABASE_URL": "postgres//db.school.example"}, "DATABASE_URL is not a database URL"),
        ({"DATABASE_URL": None}, "DATABASE_URL must be set when DEBUG is off"),
        ({"DATABASE_URL": "sqlite:////tmp/x.db"}, "DATABASE_URL must be PostgreSQL"),
        ({"CONN_MAX_AGE": "ten minutes"}, "CONN_MAX_AGE must be a whole number"),
        ({"SESSION_IDLE_SECONDS": "30m"}, "SESSION_IDLE_SECONDS must be a whole number"),
        ({"FIELD_ENCRYPTION_KEYS": "not-a-key"}, "FIELD_ENCRYPTION_KEYS: key 1 is not a Fernet"),
        (
            {"FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode() + ",short"},
            "FIELD_ENCRYPTION_KEYS: key 2 is not a Fernet",
        ),
    ],
    ids=lambda v: next(iter(v)) if isinstance(v, dict) else "",
)
def test_a_bad_setting_stops_the_start_with_one_line_naming_it(changes, message):
    line = failure_line(start(**changes))

    assert line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert message in line
    assert "hunter2" not in line


def test_sqlite_in_production_needs_saying_so_explicitly():
    result = start(DATABASE_URL=None, ALLOW_SQLITE_IN_PRODUCTION="true")
    assert result.returncode == 0, result.stderr


def test_filemail_with_an_absolute_path_writes_to_that_path():
    result = start(EMAIL_URL="filemail:///var/spool/school-mail")
    assert result.returncode == 0, result.stderr
    assert "'file_path': '/var/spool/school-mail'" in result.stdout
