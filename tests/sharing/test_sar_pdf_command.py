"""``manage.py sar_pdf UPN [--request ID] -o FILE [--draft] [--sent-method M --sent-to WHO]``:
producing is not sending."""

import subprocess

import pytest
from django.core.management import CommandError, call_command

from pupils.models import AuditAction, AuditEvent
from sharing.models import AccessResponse, Disclosure

from ..factories import AccessRequestFactory, PupilFactory


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school)


def test_the_command_writes_the_response_of_the_pupils_latest_request(school, pupil, tmp_path):
    request = AccessRequestFactory(school=school, pupils=[pupil], identity_checked=True)
    out = tmp_path / "response.pdf"

    call_command("sar_pdf", pupil.upn.lower(), "-o", str(out))

    assert out.read_bytes().startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.pupil_id, event.object_id) == (pupil.pk, str(request.pk))
    assert AccessResponse.objects.get().request == request
    assert not Disclosure.objects.exists()  # produced, not sent


def test_the_command_refuses_while_identity_is_unchecked(school, pupil, tmp_path):
    request = AccessRequestFactory(school=school, pupils=[pupil])
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="identity has not been checked"):
        call_command("sar_pdf", pupil.upn, "--request", str(request.pk), "-o", str(out))
    assert not out.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    assert not Disclosure.objects.exists() and not AccessResponse.objects.exists()


def test_a_draft_is_marked_and_logs_an_export_never_a_disclosure(school, pupil, tmp_path):
    AccessRequestFactory(school=school, pupils=[pupil])  # identity not checked yet
    out = tmp_path / "draft.pdf"

    call_command("sar_pdf", pupil.upn, "-o", str(out), "--draft")

    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "Draft - not for sending" in text
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1
    assert not Disclosure.objects.exists() and not AccessResponse.objects.exists()


def test_producing_twice_and_sending_once_logs_one_disclosure(school, pupil, tmp_path):
    AccessRequestFactory(school=school, pupils=[pupil], identity_checked=True)
    out = str(tmp_path / "r.pdf")
    call_command("sar_pdf", pupil.upn, "-o", out)
    sent = ["--sent-method", "post", "--sent-to", "Mrs Alex Parent", "--sent-on", "2026-09-10"]
    call_command("sar_pdf", pupil.upn, "-o", out, *sent)
    call_command("sar_pdf", pupil.upn, "-o", out, *sent)  # recorded again: nothing more

    assert Disclosure.objects.filter(dataset="subject_access").count() == 1
    assert AccessResponse.objects.filter(sent_on__isnull=False).count() == 1


def test_nothing_is_logged_when_the_file_cannot_be_written(school, pupil):
    AccessRequestFactory(school=school, pupils=[pupil], identity_checked=True)
    sent = ["--sent-method", "post", "--sent-to", "Mrs Alex Parent"]
    with pytest.raises(CommandError, match="Could not write /dev/full"):
        call_command("sar_pdf", pupil.upn, "-o", "/dev/full", *sent)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    assert not Disclosure.objects.exists() and not AccessResponse.objects.exists()


def test_a_draft_is_never_recorded_as_sent(school, pupil, tmp_path):
    AccessRequestFactory(school=school, pupils=[pupil], identity_checked=True)
    with pytest.raises(CommandError, match="A draft is never sent"):
        call_command(
            "sar_pdf",
            pupil.upn,
            "-o",
            str(tmp_path / "d.pdf"),
            "--draft",
            "--sent-method",
            "post",
            "--sent-to",
            "x",
        )
    assert not (tmp_path / "d.pdf").exists()


def test_the_command_refuses_a_pupil_without_a_logged_request(school, pupil, tmp_path):
    with pytest.raises(CommandError, match="log it first"):
        call_command("sar_pdf", pupil.upn, "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_the_command_refuses_an_unknown_upn(db, tmp_path):
    with pytest.raises(CommandError, match="No pupil has the UPN"):
        call_command("sar_pdf", "B801200005001", "-o", str(tmp_path / "x.pdf"))
