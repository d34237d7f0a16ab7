"""A re-import compares the file with what the school holds, read for the
whole file at once: siblings' shared parent is one record, filled once."""

import pytest

from pupils.models import Contact
from sharing.ctf.importer import import_ctf
from sharing.ctf.report import UNCHANGED, UPDATE

from .conftest import fixture_bytes

pytestmark = pytest.mark.django_db


def test_a_parent_shared_by_siblings_is_filled_in_once_on_a_reimport(ctf_school):
    data = fixture_bytes("ctf_full.xml")
    import_ctf(actor="tester", school=ctf_school, data=data, file_name="a.xml")
    sarah = Contact.objects.get(forename="Sarah", surname="Hartley")
    Contact.objects.filter(pk=sarah.pk).update(email="")

    report = import_ctf(actor="tester", school=ctf_school, data=data, file_name="a.xml")

    outcomes = {p.upn: p for p in report.pupils}
    amelia, oliver = outcomes["C840210518001"], outcomes["R840210518002"]
    assert amelia.action == UPDATE and amelia.changes == ["contacts: email"]
    assert oliver.action == UNCHANGED and oliver.changes == []
    sarah.refresh_from_db()
    assert sarah.email == "sarah.hartley@family.example"
