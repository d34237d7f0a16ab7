"""The CTF of a leaver: built for the destination school, logged, and readable by the importer."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from pupils.models import AuditAction, AuditEvent, Destination, EnrolmentStatus, Pupil, SenNeed
from sharing.ctf.export import export_leaver_ctf
from sharing.ctf.importer import import_ctf
from sharing.ctf.reader import parse_ctf
from sharing.ctf.report import CREATE
from sharing.disclosures.services import fingerprint
from sharing.models import Dataset, Disclosure, LegalGateway, RecipientType

from ..factories import (
    AssessmentFactory,
    AttendanceFactory,
    PupilContactFactory,
    PupilFactory,
    SchoolFactory,
    SpecialCategoryFactory,
)

PUPIL_FIELDS = [
    "upn", "legal_surname", "legal_forename", "middle_names", "preferred_surname",
    "preferred_forename", "former_upn", "date_of_birth", "sex", "nc_year", "first_language",
    "address_line1", "address_line2", "town", "postcode",
]  # fmt: skip


@pytest.fixture
def leaver(school):
    pupil = PupilFactory(
        school=school, legal_forename="Isla", legal_surname="O'Connor", middle_names="Mae",
        preferred_forename="Izzy", nc_year="6", first_language="Polish",
        address_line2="Billy Row", leaving_date=datetime.date(2026, 7, 22),
        enrolment_status=EnrolmentStatus.LEFT,
    )  # fmt: skip
    Destination.objects.create(
        pupil=pupil, school_name="Parkside Academy", urn="137099", la_code="840",
        estab_number="4003",
    )  # fmt: skip
    PupilContactFactory(pupil=pupil, contact__phone_home="01388 760101", contact__town="Crook")
    PupilContactFactory(pupil=pupil, relationship="PAF", parental_responsibility=False, priority=2)
    AttendanceFactory(pupil=pupil, academic_year=2025, term="AUT")
    AttendanceFactory(
        pupil=pupil,
        academic_year=2025,
        term="SPR",
        possible_sessions=120,
        attended_sessions=118,
        authorised_absences=2,
        unauthorised_absences=0,
    )
    AssessmentFactory(pupil=pupil)
    AssessmentFactory(
        pupil=pupil, stage="KS2", subject="Reading", method="TT", result="104", academic_year=2025
    )
    SpecialCategoryFactory(pupil=pupil, ethnicity="WIRI", sen_provision="K")
    SenNeed.objects.create(pupil=pupil, need_type="SLCN", rank=1)
    SenNeed.objects.create(pupil=pupil, need_type="SPLD", rank=2)
    return pupil


def test_the_export_is_addressed_to_the_destination_and_logged(leaver, dpo_user):
    exported = export_leaver_ctf(actor=dpo_user, pupil=leaver)

    ctf = parse_ctf(exported.content)
    assert ctf.header.dest.dfe_number == "840/4003"
    assert ctf.header.source.urn == leaver.school.urn
    assert exported.file_name.startswith(f"840{leaver.school.estab_number}_CTF_8404003_")
    assert leaver.upn not in exported.file_name
    disclosure = exported.disclosure
    assert disclosure.recipient_type == RecipientType.SCHOOL
    assert disclosure.recipient_name == "Parkside Academy (840/4003)"
    assert disclosure.gateway == LegalGateway.CTF
    assert disclosure.dataset == Dataset.CTF
    assert list(disclosure.pupils.all()) == [leaver]
    assert disclosure.sent_by == dpo_user
    assert disclosure.file_sha256 == fingerprint(exported.content)
    event = AuditEvent.objects.get(action=AuditAction.DISCLOSE)
    assert event.pupil_id == leaver.pk


def test_the_exported_file_round_trips_through_the_importer(leaver, dpo_user):
    exported = export_leaver_ctf(actor=dpo_user, pupil=leaver)
    original = Pupil.objects.get(pk=leaver.pk)
    # The destination school's own copy of the system; the UPN is unique here,
    # so the original record moves out of the way first.
    parkside = SchoolFactory(la_code="840", estab_number="4003", urn="137099")
    Pupil.objects.filter(pk=leaver.pk).update(upn="B801200005001")

    report = import_ctf(
        actor=dpo_user, school=parkside, data=exported.content, file_name=exported.file_name
    )

    assert [p.action for p in report.pupils] == [CREATE]
    assert report.pupils[0].problems == []
    copy = Pupil.objects.get(school=parkside)
    for name in PUPIL_FIELDS:
        expected = leaver.upn if name == "upn" else getattr(original, name)
        assert getattr(copy, name) == expected, name

    def contacts(pupil):
        return sorted(
            (link.priority, link.relationship, link.parental_responsibility, c.title, c.forename,
             c.surname, c.email, c.phone_home, c.phone_mobile, c.phone_work, c.address_line1,
             c.address_line2, c.town, c.postcode)
            for link in pupil.contact_links.select_related("contact")
            for c in [link.contact]
        )  # fmt: skip

    def rows(qs, *fields):
        return sorted(qs.values_list(*fields))

    assert contacts(copy) == contacts(original)
    attendance = ("academic_year", "term", "possible_sessions", "attended_sessions",
                  "authorised_absences", "unauthorised_absences")  # fmt: skip
    assert rows(copy.attendance, *attendance) == rows(original.attendance, *attendance)
    results = ("stage", "subject", "method", "result", "academic_year")
    assert rows(copy.assessments, *results) == rows(original.assessments, *results)
    needs = ("need_type", "rank")
    assert rows(copy.sen_needs, *needs) == rows(original.sen_needs, *needs)
    assert (copy.special.ethnicity, copy.special.sen_provision) == ("WIRI", "K")


def test_a_pupil_without_a_destination_cannot_be_exported(school, dpo_user):
    pupil = PupilFactory(school=school)

    with pytest.raises(ValidationError):
        export_leaver_ctf(actor=dpo_user, pupil=pupil)

    assert not Disclosure.objects.exists()
