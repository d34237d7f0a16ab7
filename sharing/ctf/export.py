"""Writing the Common Transfer File for a leaver, and logging that it was sent.

The file follows the structure ``sharing.ctf.reader`` reads (and the conventions
documented there), so everything the importer knows survives a round trip.
The Education (Pupil Information) (England) Regulations 2005, reg 9, require
the old school to send it to the new one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from pupils.models import Pupil, School
from pupils.schoolyear import academic_year_of, school_year_label
from sharing.actor import Actor
from sharing.disclosures.models import (
    DataCategory,
    Dataset,
    Disclosure,
    LegalGateway,
    RecipientType,
    SendMethod,
)
from sharing.disclosures.services import log_disclosure

from .codes import LANGUAGE_CODES

CTF_VERSION = "24.0"
SUPPLIER = "Pupil data protection (open source)"
CTF_CATEGORIES = [
    DataCategory.IDENTITY,
    DataCategory.CONTACTS,
    DataCategory.ATTENDANCE,
    DataCategory.ASSESSMENT,
    DataCategory.ETHNICITY,
    DataCategory.SEN,
]


@dataclass
class ExportedCtf:
    content: bytes
    file_name: str
    disclosure: Disclosure


def _sub(parent, tag: str, text=None):
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = str(text)
    return el


def _subs(parent, **values) -> None:
    for tag, value in values.items():
        if value not in ("", None):
            _sub(parent, tag, value)


def leavers_for_export(user):
    """Leavers this user may send a CTF for: a destination with LA and establishment."""
    return (
        Pupil.objects.visible_to(user)
        .filter(destination__isnull=False)
        .exclude(destination__la_code="")
        .exclude(destination__estab_number="")
        .exclude(leaving_date__isnull=True)
        .select_related("destination")
        .order_by("legal_surname", "legal_forename", "id")
    )


def build_ctf(
    *, school: School, pupils: list[Pupil], dest: dict, generated_at: datetime.datetime
) -> bytes:
    root = etree.Element("CTfile")
    header = _sub(root, "Header")
    _subs(
        header,
        DocumentName="Common Transfer File",
        CTFversion=CTF_VERSION,
        DateTime=generated_at.replace(microsecond=0, tzinfo=None).isoformat(),
        DocumentQualifier="full",
        SupplierID=SUPPLIER,
    )
    source = _sub(header, "SourceSchool")
    year = academic_year_of(generated_at.date())
    _subs(
        source, LEA=school.la_code, Estab=school.estab_number, URN=school.urn,
        SchoolName=school.name, AcademicYear=school_year_label(year),
    )  # fmt: skip
    dest_el = _sub(header, "DestSchool")
    _subs(dest_el, LEA=dest["lea"], Estab=dest["estab"], URN=dest.get("urn", ""))
    data = _sub(root, "CTFpupilData")
    for pupil in pupils:
        _write_pupil(_sub(data, "Pupil"), pupil)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write_pupil(el, pupil: Pupil) -> None:
    _subs(
        el, UPN=pupil.upn, Surname=pupil.legal_surname, Forename=pupil.legal_forename,
        DOB=pupil.date_of_birth.isoformat(), Sex=pupil.sex,
    )  # fmt: skip
    basic = _sub(el, "BasicDetails")
    _subs(
        basic,
        MiddleNames=pupil.middle_names,
        PreferredSurname=pupil.preferred_surname,
        PreferredForename=pupil.preferred_forename,
        FormerUPN=pupil.former_upn,
        NCyearActual=pupil.nc_year,
    )
    special = getattr(pupil, "special", None)
    if special is not None:
        _sub(basic, "Ethnicity", special.ethnicity)
    if pupil.first_language:
        lang = _sub(_sub(basic, "Languages"), "Type")
        _subs(
            lang,
            LanguageType="F",
            Language=LANGUAGE_CODES.get(pupil.first_language, pupil.first_language),
        )
    _write_address(el, pupil)
    _write_contacts(el, pupil)
    _write_attendance(el, pupil)
    _write_assessments(el, pupil)
    _write_sen(el, pupil, special)


def _write_address(parent, holder) -> None:
    if not (holder.address_line1 or holder.town or holder.postcode):
        return
    address = _sub(parent, "Address")
    lines = _sub(address, "AddressLines")
    _subs(
        lines, AddressLine1=holder.address_line1, AddressLine2=holder.address_line2,
        AddressLine3=holder.town,
    )  # fmt: skip
    _subs(address, PostCode=holder.postcode)


def _write_contacts(el, pupil: Pupil) -> None:
    links = list(pupil.contact_links.all())
    if not links:
        return
    contacts = _sub(el, "Contacts")
    for link in links:
        contact = link.contact
        c = _sub(contacts, "Contact")
        _subs(
            c, Order=link.priority, Title=contact.title, Surname=contact.surname,
            Forename=contact.forename, Relationship=link.relationship,
            Responsibility="true" if link.parental_responsibility else "false",
        )  # fmt: skip
        _write_address(c, contact)
        phones = [("H", contact.phone_home), ("M", contact.phone_mobile), ("W", contact.phone_work)]
        if any(number for _kind, number in phones):
            phones_el = _sub(c, "Phones")
            for kind, number in phones:
                if number:
                    _subs(_sub(phones_el, "Phone"), TelephoneType=kind, PhoneNo=number)
        _subs(c, Email=contact.email)


def _write_attendance(el, pupil: Pupil) -> None:
    rows = list(pupil.attendance.all())
    if not rows:
        return
    attendance = _sub(el, "Attendance")
    by_year: dict[int, list] = {}
    for row in rows:
        by_year.setdefault(row.academic_year, []).append(row)
    for year, terms in sorted(by_year.items()):
        year_el = _sub(attendance, "YearData")
        _sub(year_el, "Year", year)
        for row in terms:
            _subs(
                _sub(year_el, "TermlyAttendance"), Term=row.term,
                SessionsPossible=row.possible_sessions, SessionsAttended=row.attended_sessions,
                SessionsAuthorised=row.authorised_absences,
                SessionsUnauthorised=row.unauthorised_absences,
            )  # fmt: skip


def _write_assessments(el, pupil: Pupil) -> None:
    rows = list(pupil.assessments.all())
    if not rows:
        return
    assessments = _sub(el, "StageAssessments")
    by_stage: dict[str, list] = {}
    for row in rows:
        by_stage.setdefault(row.stage, []).append(row)
    for stage, results in by_stage.items():
        stage_el = _sub(assessments, "KeyStage")
        _sub(stage_el, "Stage", stage)
        for row in results:
            _subs(
                _sub(stage_el, "StageAssessment"), Locale="ENG", Year=row.academic_year + 1,
                Subject=row.subject, Method=row.method, Result=row.result,
            )  # fmt: skip


def _write_sen(el, pupil: Pupil, special) -> None:
    needs = list(pupil.sen_needs.all())
    if special is None and not needs:
        return
    sen = _sub(el, "SENhistory")
    if special is not None:
        _subs(
            _sub(sen, "SEN"),
            StartDate=special.received_on.isoformat(),
            SENprovision=special.sen_provision,
        )
    if needs:
        needs_el = _sub(sen, "SENneeds")
        for need in needs:
            _subs(_sub(needs_el, "SENneed"), SENtype=need.need_type, SENtypeRank=need.rank)


def _export_queryset():
    return Pupil.objects.select_related("school", "destination", "special").prefetch_related(
        "contact_links__contact", "attendance", "assessments", "sen_needs"
    )


@transaction.atomic
def export_leaver_ctf(
    *,
    actor: Actor,
    pupil: Pupil,
    method: SendMethod | str = SendMethod.S2S,
    sent_at: datetime.datetime | None = None,
) -> ExportedCtf:
    """Build the CTF of a leaver for their destination school and log the disclosure."""
    pupil = _export_queryset().get(pk=pupil.pk)
    destination = getattr(pupil, "destination", None)
    if pupil.leaving_date is None or destination is None:
        raise ValidationError(_("Only a leaver with a destination school can be sent a CTF."))
    if not (destination.la_code.isdigit() and len(destination.la_code) == 3) or not (
        destination.estab_number.isdigit() and len(destination.estab_number) == 4
    ):
        raise ValidationError(
            _("The destination needs its 3-digit LA code and 4-digit establishment number.")
        )
    school = pupil.school
    now = timezone.localtime(sent_at) if sent_at else timezone.localtime()
    dest = {"lea": destination.la_code, "estab": destination.estab_number, "urn": destination.urn}
    content = build_ctf(school=school, pupils=[pupil], dest=dest, generated_at=now)
    # The DfE's naming: source LA+estab, "CTF", destination LA+estab, a number.
    file_name = (
        f"{school.la_code}{school.estab_number}_CTF_{destination.la_code}"
        f"{destination.estab_number}_{now:%Y%m%d%H%M%S}.XML"
    )
    disclosure = log_disclosure(
        actor=actor,
        school=school,
        recipient_type=RecipientType.SCHOOL,
        recipient_name=f"{destination.school_name} ({dest['lea']}/{dest['estab']})",
        gateway=LegalGateway.CTF,
        dataset=Dataset.CTF,
        pupils=[pupil],
        categories=CTF_CATEGORIES,
        method=method,
        file_bytes=content,
        file_name=file_name,
        disclosed_at=now,
    )
    return ExportedCtf(content=content, file_name=file_name, disclosure=disclosure)
