"""`manage.py verify_audit` finds an edited or removed entry of the trail."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from pupils import audit
from pupils.models import AuditEvent

from ..factories import PupilFactory

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="PostgreSQL refuses the raw UPDATE itself (test_trail.py tests that)",
)


@pytest.fixture
def trail(school, office_user):
    pupil = PupilFactory(school=school)
    for field in ("town", "postcode", "nc_year", "upn"):
        audit.record_change(actor=office_user, obj=pupil, created=False, fields=[field])
    return list(AuditEvent.objects.order_by("id"))


def verify() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_an_untouched_trail_passes(trail):
    assert "4 entries checked" in verify()


@sqlite_only
def test_a_row_edited_with_raw_sql_is_found(trail):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pupils_auditevent SET summary = %s WHERE id = %s",
            ["Changed: nothing to see", trail[2].pk],
        )

    with pytest.raises(CommandError, match=f"broken at entry {trail[2].pk}: .*edited"):
        verify()


@sqlite_only
def test_a_row_removed_with_raw_sql_is_found(trail):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM pupils_auditevent WHERE id = %s", [trail[1].pk])

    with pytest.raises(CommandError, match=f"broken at entry {trail[2].pk}: .*removed"):
        verify()


@sqlite_only
def test_the_command_exits_non_zero_when_broken(trail, capsys):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pupils_auditevent SET actor_label = 'x' WHERE id = %s", [trail[0].pk]
        )
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "verify_audit"])

    assert exit_info.value.code == 1
    assert f"broken at entry {trail[0].pk}" in capsys.readouterr().err
