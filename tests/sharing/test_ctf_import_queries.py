"""The CTF import's queries do not grow with the number of pupils: reads by
UPN in bulk, writes in bulk, the trail in batches."""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from pupils import upn
from pupils.models import AuditEvent, Pupil
from sharing.ctf.importer import import_ctf
from sharing.ctf.report import CREATE, UNCHANGED

from .conftest import fixture_bytes


def ctf_of(pupils: int, *, serial_from: int) -> bytes:
    """ctf_full.xml's first pupil (contacts, attendance, assessments, SEN)
    repeated with new UPNs and new parents' e-mail addresses."""
    root = etree.fromstring(fixture_bytes("ctf_full.xml"))
    data = root.find("CTFpupilData")
    template = data.find("Pupil")
    for pupil in data.findall("Pupil"):
        data.remove(pupil)
    for serial in range(serial_from, serial_from + pupils):
        pupil = copy.deepcopy(template)
        pupil.find("UPN").text = upn.make("840", "2190", 19, serial)
        for email in pupil.iter("Email"):
            email.text = f"parent{serial}.{email.text}"
        data.append(pupil)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def queries_to_import(school, data: bytes) -> int:
    with CaptureQueriesContext(connection) as queries:
        import_ctf(actor="tester", school=school, data=data, file_name="many.xml")
    return len(queries)


@pytest.mark.django_db
def test_importing_ten_times_the_pupils_makes_no_more_queries(ctf_school):
    few, many = ctf_of(5, serial_from=0), ctf_of(50, serial_from=100)

    created_few = queries_to_import(ctf_school, few)
    created_many = queries_to_import(ctf_school, many)
    again_few = queries_to_import(ctf_school, few)
    again_many = queries_to_import(ctf_school, many)

    assert Pupil.objects.filter(school=ctf_school).count() == 55
    assert AuditEvent.objects.count() == 55  # one trail entry per new pupil
    # The same queries for 50 pupils as for 5 (a bulk insert of up to 500
    # rows is one query), whether the pupils are new or already here.
    assert created_many == created_few
    assert again_many == again_few


@pytest.mark.django_db
def test_the_generated_file_imports_every_pupil_then_changes_nothing(ctf_school):
    data = ctf_of(5, serial_from=0)

    first = import_ctf(actor="tester", school=ctf_school, data=data, file_name="a.xml")
    second = import_ctf(actor="tester", school=ctf_school, data=data, file_name="a.xml")

    assert [p.action for p in first.pupils] == [CREATE] * 5
    assert [p.action for p in second.pupils] == [UNCHANGED] * 5
