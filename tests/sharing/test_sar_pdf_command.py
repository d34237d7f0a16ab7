"""``manage.py sar_pdf UPN -o FILE``."""

import pytest
from django.core.management import CommandError, call_command

from pupils.models import AuditAction, AuditEvent

from ..factories import AccessRequestFactory, PupilFactory


def test_the_command_writes_the_response_of_the_pupils_latest_request(school, tmp_path):
    pupil = PupilFactory(school=school)
    request = AccessRequestFactory(school=school, pupils=[pupil])
    out = tmp_path / "response.pdf"

    call_command("sar_pdf", pupil.upn.lower(), "-o", str(out))

    assert out.read_bytes().startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.pupil_id, event.object_id) == (pupil.pk, str(request.pk))


def test_the_command_refuses_a_pupil_without_a_logged_request(school, tmp_path):
    pupil = PupilFactory(school=school)
    with pytest.raises(CommandError, match="log it first"):
        call_command("sar_pdf", pupil.upn, "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_the_command_refuses_an_unknown_upn(db, tmp_path):
    with pytest.raises(CommandError, match="No pupil has the UPN"):
        call_command("sar_pdf", "B801200005001", "-o", str(tmp_path / "x.pdf"))
