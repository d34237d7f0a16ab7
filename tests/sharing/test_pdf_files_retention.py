"""Response PDFs kept for staff to download are on the retention schedule:
purged when the period for generated PDFs ends (7 days by default), and
gone with the pupil's educational record."""

import datetime

from django.utils import timezone

from pupils import models as pm
from pupils.retention.rules import Kind
from pupils.retention.schedule import notice_lines, schedule_for
from pupils.retention.services import erase_due, purge_due
from sharing.models import ResponseFile

from ..factories import AccessRequestFactory, MedicalConditionFactory, PupilFactory


def kept_file(school, *, pupil=None, days_old: int) -> ResponseFile:
    pupil = pupil or PupilFactory(school=school)
    request = AccessRequestFactory(school=school, pupils=[pupil], identity_checked=True)
    return ResponseFile.objects.create(
        school=school,
        request=request,
        pupil=pupil,
        draft=True,
        content=b"%PDF-1.7 test",
        sha256="0" * 64,
        size=13,
        created_at=timezone.now() - datetime.timedelta(days=days_old),
    )


def test_generated_pdfs_are_on_the_schedule_and_in_the_notice(school):
    entry = schedule_for(school).entry(Kind.GENERATED_PDFS)
    assert entry.period_text == "7 days after it is produced"
    assert any(line.startswith("Access response PDFs") for line in notice_lines(school))


def test_files_older_than_the_period_are_purged_and_newer_ones_kept(school):
    old, new = kept_file(school, days_old=9), kept_file(school, days_old=3)
    today = timezone.localdate()

    counted = purge_due(actor="retention schedule", as_of=today, schools=[school], apply=False)
    assert counted[(school.pk, Kind.GENERATED_PDFS)] == 1
    assert ResponseFile.objects.count() == 2  # a dry run deletes nothing

    purge_due(actor="retention schedule", as_of=today, schools=[school], apply=True)
    assert list(ResponseFile.objects.values_list("pk", flat=True)) == [new.pk]
    assert pm.AuditEvent.objects.filter(action=pm.AuditAction.ERASE).exists()
    assert old.pk not in ResponseFile.objects.values_list("pk", flat=True)


def test_a_pupils_files_go_when_their_educational_record_is_erased(school):
    pupil = PupilFactory(
        school=school,
        date_of_birth=datetime.date(1995, 3, 10),
        admission_date=datetime.date(1999, 9, 1),
        leaving_date=datetime.date(2026, 7, 20),
        enrolment_status=pm.EnrolmentStatus.LEFT,
    )
    pm.Destination.objects.create(pupil=pupil, school_name="Crook Secondary")
    MedicalConditionFactory(pupil=pupil)  # an educational record to erase
    file = kept_file(school, pupil=pupil, days_old=0)
    file.request.status = "answered"
    file.request.answered_on = file.request.received_on
    file.request.save()

    erase_due(actor="retention schedule", as_of=timezone.localdate())

    assert pm.Pupil.objects.filter(pk=pupil.pk).exists()  # the register keeps the pupil
    assert not pm.MedicalCondition.objects.filter(pupil=pupil).exists()
    assert not ResponseFile.objects.filter(pk=file.pk).exists()
