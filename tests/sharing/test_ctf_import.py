"""Importing CTFs: what is created, what is left alone, and what is refused."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from pupils.models import (
    AssessmentResult,
    AttendanceSummary,
    AuditAction,
    AuditEvent,
    Contact,
    EnrolmentStatus,
    Pupil,
    PupilContact,
    SenNeed,
    Source,
    SpecialCategoryRecord,
)
from sharing.ctf.importer import import_ctf
from sharing.ctf.report import CREATE, SKIPPED, UNCHANGED, UPDATE, CtfImportError

from ..factories import AssessmentFactory, PupilFactory, SchoolFactory
from .conftest import FIXTURES, fixture_bytes
from .test_ctf_parse import HOSTILE

MODELS = [
    Pupil,
    Contact,
    PupilContact,
    AttendanceSummary,
    AssessmentResult,
    SpecialCategoryRecord,
    SenNeed,
    AuditEvent,
]


def snapshot() -> dict:
    """Every row the importer could touch, with all its values."""
    return {model.__name__: sorted(model.objects.values_list()) for model in MODELS}


def run(school, name="ctf_full.xml", *, data=None, dry_run=False, actor="tester"):
    return import_ctf(
        actor=actor,
        school=school,
        data=data if data is not None else fixture_bytes(name),
        file_name=name,
        dry_run=dry_run,
    )


def test_a_full_ctf_creates_every_pupil_with_their_records(ctf_school, dpo_user):
    report = run(ctf_school, actor=dpo_user)

    assert [p.action for p in report.pupils] == [CREATE] * 4
    amelia = Pupil.objects.get(upn="C840210518001")
    assert amelia.school == ctf_school
    assert amelia.enrolment_status == EnrolmentStatus.APPLICANT
    assert (amelia.legal_forename, amelia.preferred_forename, amelia.nc_year) == (
        "Amelia",
        "Millie",
        "4",
    )
    assert amelia.date_of_birth == datetime.date(2016, 3, 12)
    assert amelia.address_line1 == "14 Wooley Terrace"
    assert amelia.first_language == "English"
    assert amelia.attendance.count() == 4
    assert amelia.assessments.count() == 4
    assert amelia.special.sen_provision == "K"
    assert amelia.special.ethnicity == "WBRI"
    assert list(amelia.sen_needs.values_list("need_type", flat=True)) == ["SPLD"]
    links = amelia.contact_links.order_by("priority")
    assert [(link.contact.forename, link.relationship) for link in links] == [
        ("Sarah", "PAM"),
        ("David", "PAF"),
    ]
    assert links[1].contact.town == "Bishop Auckland"
    assert Pupil.objects.get(upn="F840210518003").sen_needs.count() == 2


def test_siblings_share_the_parent_the_file_repeats(ctf_school):
    run(ctf_school)

    sarah = Contact.objects.get(forename="Sarah", surname="Hartley")
    assert set(sarah.pupils.values_list("legal_forename", flat=True)) == {"Amelia", "Oliver"}


def test_every_imported_item_names_the_previous_school_file_and_date(ctf_school):
    run(ctf_school)

    pupil = Pupil.objects.get(upn="F840210518003")
    items = [
        pupil,
        *pupil.attendance.all(),
        *pupil.assessments.all(),
        pupil.special,
        *pupil.sen_needs.all(),
        *pupil.contacts.all(),
    ]
    for item in items:
        assert item.source == Source.PREVIOUS_SCHOOL, item
        assert "Stanley Crook Primary School" in item.source_detail
        assert "ctf_full.xml" in item.source_detail
        assert item.received_on == datetime.date(2026, 7, 20)


def test_each_imported_pupil_gets_one_import_entry_on_the_trail(ctf_school, dpo_user):
    run(ctf_school, actor=dpo_user)

    events = AuditEvent.objects.filter(action=AuditAction.IMPORT)
    assert events.count() == 4
    event = events.get(pupil__upn="C840210518001")
    assert event.actor == dpo_user
    assert event.school_id == ctf_school.pk
    assert "attendance" in event.fields and "sen" in event.fields
    assert "Amelia" not in event.summary


def test_importing_the_same_file_again_changes_nothing(ctf_school):
    run(ctf_school)
    before = snapshot()

    report = run(ctf_school)

    assert [p.action for p in report.pupils] == [UNCHANGED] * 4
    assert snapshot() == before


def test_a_dry_run_reports_but_changes_nothing(ctf_school):
    before = snapshot()

    report = run(ctf_school, dry_run=True)

    assert report.count(CREATE) == 4
    assert snapshot() == before


def test_a_partial_dfe_ctf_adds_results_and_leaves_everything_else_alone(ctf_school):
    run(ctf_school)
    zainab = Pupil.objects.get(upn="F840210518003")
    before = snapshot()

    report = run(ctf_school, "ctf_partial_dfe.xml")

    by_upn = {p.upn: p for p in report.pupils}
    assert by_upn["F840210518003"].action == UPDATE
    assert by_upn["F840210518003"].conflicts == []  # upper-case names are not a conflict
    zainab.refresh_from_db()
    assert (zainab.legal_forename, zainab.legal_surname) == ("Zainab", "Akhtar")
    ks2 = zainab.assessments.filter(stage="KS2")
    assert ks2.count() == 3
    assert {r.source for r in ks2} == {Source.DFE}
    assert ks2.get(subject="Reading").academic_year == 2025
    after = snapshot()
    for model in ("Pupil", "Contact", "PupilContact", "AttendanceSummary", "SenNeed"):
        assert after[model] == before[model], model


def test_a_partial_ctf_never_creates_a_pupil_and_says_so(ctf_school):
    report = run(ctf_school, "ctf_partial_dfe.xml")

    freya = next(p for p in report.pupils if p.upn == "Y840210518006")
    assert freya.action == SKIPPED
    assert freya.name == "FREYA ROBINSON (Y840210518006)"
    assert "partial" in freya.problems[0]
    assert not Pupil.objects.filter(upn="Y840210518006").exists()


def test_an_older_version_file_imports_and_reports_what_it_could_not_read(ctf_school):
    report = run(ctf_school, "ctf_old_version.xml")

    theo = report.pupils[0]
    assert theo.action == CREATE
    assert theo.problems == ["Attendance 2018: only year totals, no terms; not read."]
    assert "Pupil/NAWdetails" in report.ignored_elements
    assert Pupil.objects.get(upn="M840210518007").contacts.get().forename == "Renée"


def test_a_pupil_who_cannot_be_read_is_reported_by_upn_and_name(ctf_school):
    data = fixture_bytes("ctf_full.xml").replace(b"C840210518001", b"A840210518001")

    report = run(ctf_school, data=data)

    skipped = [p for p in report.pupils if p.action == SKIPPED]
    assert [(p.upn, p.name) for p in skipped] == [
        ("A840210518001", "Amelia Hartley (A840210518001)")
    ]
    assert "check letter" in skipped[0].problems[0]
    assert Pupil.objects.count() == 3


def test_the_school_keeps_its_own_values_and_the_differences_are_listed(ctf_school):
    pupil = PupilFactory(
        school=ctf_school, upn="C840210518001", legal_forename="Amelie", legal_surname="Hartley",
        date_of_birth=datetime.date(2016, 3, 12), nc_year="4", middle_names="",
    )  # fmt: skip
    AssessmentFactory(
        pupil=pupil, stage="KS1", subject="Reading", method="TA", result="GDS", academic_year=2023
    )

    report = run(ctf_school)

    outcome = report.pupils[0]
    assert outcome.action == UPDATE
    assert any("Amelie" in c and "Amelia" in c for c in outcome.conflicts)
    assert any("KS1 Reading" in c for c in outcome.conflicts)
    pupil.refresh_from_db()
    assert pupil.legal_forename == "Amelie"
    assert pupil.middle_names == "Rose"  # an empty field is filled in
    assert pupil.assessments.get(stage="KS1", subject="Reading").result == "GDS"


def test_a_pupil_of_another_school_is_not_touched(ctf_school):
    elsewhere = PupilFactory(school=SchoolFactory(), upn="C840210518001", legal_forename="Ann")

    report = run(ctf_school)

    assert report.pupils[0].action == SKIPPED
    elsewhere.refresh_from_db()
    assert elsewhere.legal_forename == "Ann"
    assert elsewhere.attendance.count() == 0


def test_a_file_addressed_to_another_school_is_refused(school):
    # The test school keeps its factory numbers, so it is not 840/2190.
    with pytest.raises(CtfImportError, match="addressed to school 840/2190"):
        run(school)
    assert not Pupil.objects.exists()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_and_broken_files_change_nothing(ctf_school, name):
    before = snapshot()
    with pytest.raises(CtfImportError):
        run(ctf_school, data=HOSTILE[name])
    assert snapshot() == before


def test_a_50_mb_file_is_refused_and_changes_nothing(ctf_school):
    before = snapshot()
    padding = b"<!-- padding -->" * (50 * 1024 * 1024 // 16)
    data = fixture_bytes("ctf_full.xml").replace(b"<CTFpupilData>", b"<CTFpupilData>" + padding)

    with pytest.raises(CtfImportError, match="MB"):
        run(ctf_school, data=data)

    assert snapshot() == before


def test_the_command_imports_files_and_a_dry_run_changes_nothing(ctf_school, capsys):
    call_command("import_ctf", str(FIXTURES / "ctf_full.xml"), "--dry-run")
    out = capsys.readouterr().out
    assert "4 to create" in out
    assert not Pupil.objects.exists()

    call_command("import_ctf", str(FIXTURES / "ctf_full.xml"))
    assert "4 created" in capsys.readouterr().out
    assert Pupil.objects.count() == 4
    assert AuditEvent.objects.filter(actor_label__startswith="manage.py import_ctf").count() == 4


def test_the_command_refuses_a_broken_file_with_a_clear_message(ctf_school, tmp_path, capsys):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(HOSTILE["billion laughs"])

    with pytest.raises(CommandError):
        call_command("import_ctf", str(broken), "--school", ctf_school.urn)

    assert "refused, nothing changed" in capsys.readouterr().err
    assert not Pupil.objects.exists()


def test_a_pupil_listed_twice_is_imported_once_and_the_repeat_reported(ctf_school):
    data = fixture_bytes("ctf_full.xml")
    first = data.index(b"<Pupil>")
    second = data.index(b"<Pupil>", first + 1)
    doubled = data[:second] + data[first:second] + data[second:]

    report = run(ctf_school, data=doubled)

    assert [p.action for p in report.pupils].count(SKIPPED) == 1
    assert "more than once" in report.pupils[1].problems[0]
    assert Pupil.objects.filter(upn="C840210518001").count() == 1
