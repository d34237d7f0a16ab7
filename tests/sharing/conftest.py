from pathlib import Path

import pytest

from pupils.models import School

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def ctf_school(school):
    """The test school, numbered as the CTF fixtures' destination (840/2190)."""
    School.objects.filter(pk=school.pk).update(la_code="840", estab_number="2190", urn="114190")
    school.refresh_from_db()
    return school
