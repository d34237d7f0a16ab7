"""Reading Common Transfer Files (CTF XML): plain Python and lxml, no
database. The code lists come from ``sharing.ctf.codes`` (the pupils' model
choices); the dataclasses it returns are in ``sharing.ctf.records``.

The structure follows the DfE's CTF specification (versions 20 to 24+): a
``CTfile`` root with a ``Header`` and ``CTFpupilData`` holding ``Pupil``
elements. Files from outside the school are hostile until proven otherwise:
the size is checked before parsing, and the parser never expands entities,
reads a DTD or touches the network. A file with a DOCTYPE is refused (a CTF
never has one).

Conventions of this reader (and of the exporter, so files round-trip):
- ``Attendance/YearData/Year`` is the year the academic year starts in
  (2025 for 2025/26); each ``TermlyAttendance`` holds one term's sessions.
- ``StageAssessment/Year`` is the calendar year the assessment was taken in,
  i.e. the academic year plus one (2026 for a KS2 test in May 2026).

Nothing here decides what to do with the data: ``parse_ctf`` returns plain
dataclasses, with what could not be read listed per pupil.
"""

from __future__ import annotations

import datetime
from typing import Any

from lxml import etree

from pupils import upn as upn_rules

from .codes import (
    ETHNICITIES,
    LANGUAGES,
    NC_YEARS,
    RELATIONSHIPS,
    SEN_PROVISIONS,
    SEN_TYPES,
    SEXES,
    STAGES,
    TERMS,
)
from .records import (
    CtfAddress,
    CtfAssessment,
    CtfAttendance,
    CtfContact,
    CtfError,
    CtfFile,
    CtfHeader,
    CtfPupil,
    CtfSchool,
    CtfSenNeed,
)

MAX_CTF_BYTES = 20 * 1024 * 1024  # a 1,000-pupil CTF is about 5 MB

# Elements this reader knows, as paths below Pupil. A path ending in "*" is
# known with everything below it (read, or deliberately not stored).
KNOWN_PATHS = {
    "UPN",
    "Surname",
    "Forename",
    "DOB",
    "Sex",
    "Gender",
    "ApplicationReference",
    "BasicDetails",
    "BasicDetails/MiddleNames",
    "BasicDetails/PreferredSurname",
    "BasicDetails/PreferredForename",
    "BasicDetails/FormerUPN",
    "BasicDetails/FormerSurname",
    "BasicDetails/NCyearActual",
    "BasicDetails/Ethnicity",
    "BasicDetails/EthnicitySource",
    "BasicDetails/Languages*",
    "BasicDetails/MedicalFlag",
    "BasicDetails/Disabilities*",
    "BasicDetails/EnrolStatus",
    "BasicDetails/FSMhistory*",
    "BasicDetails/InCare*",
    "Address*",
    "Phones*",
    "Email",
    "Contacts",
    "Contacts/Contact*",
    "Attendance",
    "Attendance/YearData*",
    "StageAssessments",
    "StageAssessments/KeyStage*",
    "SENhistory*",
    "SchoolHistory*",
}


# --- Parsing -----------------------------------------------------------------


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_ctf(data: bytes, *, max_bytes: int = MAX_CTF_BYTES) -> CtfFile:
    """Read a CTF, or raise CtfError saying why the whole file is refused."""
    top, pupil_els = _open(data, max_bytes)
    header = _read_header(_child(top, "Header"))
    ignored: set[str] = set()
    pupils = [_read_pupil(el, ignored) for el in pupil_els]
    return CtfFile(header=header, pupils=pupils, ignored_elements=sorted(ignored))


def read_ctf_header(data: bytes, *, max_bytes: int = MAX_CTF_BYTES) -> CtfHeader:
    """The checks of ``parse_ctf`` that refuse a file as a whole (size, safe
    and well-formed XML, a CTF with pupils) and its header, without reading
    the pupils: quick enough for a web request on a 1,000-pupil file."""
    top, _pupil_els = _open(data, max_bytes)
    return _read_header(_child(top, "Header"))


def _open(data: bytes, max_bytes: int) -> tuple[_Node, list[_Node]]:
    if len(data) > max_bytes:
        raise CtfError(
            f"The file is {len(data) / 1_048_576:.1f} MB; a CTF may be at most "
            f"{max_bytes / 1_048_576:.0f} MB."
        )
    if not data.strip():
        raise CtfError("The file is empty.")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise CtfError("The file declares a DTD or entities, which a CTF never does: refused.")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise CtfError(f"The file is not well-formed XML: {exc.msg}.") from None
    if root.getroottree().docinfo.doctype:
        raise CtfError("The file declares a DTD, which a CTF never does: refused.")
    if b"xmlns" in data:  # no namespace declared: no tag to rename
        _strip_namespaces(root)
    if _local(root) != "CTfile":
        raise CtfError("This is not a Common Transfer File (its root element is not CTfile).")
    top = _Node(root)
    data_el = _child(top, "CTFpupilData")
    pupil_els = _children(data_el, "Pupil") if data_el is not None else []
    if not pupil_els:
        raise CtfError("The file holds no pupils.")
    return top, pupil_els


# --- Helpers -----------------------------------------------------------------


def _local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # comments, entity references and the like
        return ""
    return tag.rsplit("}", 1)[-1]


def _strip_namespaces(root) -> None:
    """Some suppliers put the CTF in a namespace; element names are what count."""
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = _local(el)


class _Node:
    """An element with its children indexed by name in one walk, so that
    reading a pupil's forty-odd fields costs one pass, not a search each.
    Repeated children (``_children``) are found by lxml itself."""

    __slots__ = ("el", "first")

    def __init__(self, el) -> None:
        self.el = el
        first: dict[str, Any] = {}
        for child in el:
            tag = child.tag
            # Not a comment or entity reference, and the first of its name.
            if tag.__class__ is str and tag not in first:
                first[tag] = child
        self.first = first


def _child(node: _Node | None, name: str) -> _Node | None:
    found = node.first.get(name) if node is not None else None
    return _Node(found) if found is not None else None


def _children(node: _Node | None, name: str) -> list[_Node]:
    if node is None or name not in node.first:
        return []
    return [_Node(el) for el in node.el.iterchildren(name)]


def _text(node: _Node | None, name: str) -> str:
    el = node.first.get(name) if node is not None else None
    if el is None or not el.text:
        return ""
    return " ".join(el.text.split())


def _date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value[:10]) if value else None


def _int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def _read_school(el) -> CtfSchool:
    return CtfSchool(
        lea=_text(el, "LEA"), estab=_text(el, "Estab"), urn=_text(el, "URN"),
        name=_text(el, "SchoolName"),
    )  # fmt: skip


def _read_header(el) -> CtfHeader:
    if el is None:
        raise CtfError("This is not a Common Transfer File (it has no Header).")
    name = _text(el, "DocumentName")
    if name.casefold() != "common transfer file":
        raise CtfError("This is not a Common Transfer File (DocumentName says otherwise).")
    raw_when = _text(el, "DateTime")
    try:
        generated_at = datetime.datetime.fromisoformat(raw_when) if raw_when else None
    except ValueError:
        raise CtfError(f"The file's DateTime {raw_when!r} is not a date and time.") from None
    qualifier = (_text(el, "DocumentQualifier") or "full").casefold()
    if qualifier not in ("full", "partial"):
        raise CtfError(f"Unknown DocumentQualifier {qualifier!r}: expected full or partial.")
    source_el = _child(el, "SourceSchool")
    if source_el is None:
        raise CtfError("The file does not say which school sent it (no SourceSchool).")
    source = _read_school(source_el)
    dest_el = _child(el, "DestSchool")
    return CtfHeader(
        version=_text(el, "CTFversion"),
        generated_at=generated_at,
        qualifier=qualifier,
        supplier=_text(el, "SupplierID"),
        source=source,
        dest=_read_school(dest_el) if dest_el is not None else None,
        academic_year=_text(source_el, "AcademicYear"),
    )


def _note_unknown(el, path: str, ignored: set[str]) -> None:
    """``el`` is an lxml element: the walk looks at every child anyway."""
    for child in el:
        name = _local(child)
        if not name:
            continue
        sub = f"{path}/{name}" if path else name
        if f"{sub}*" in KNOWN_PATHS:
            continue
        if sub in KNOWN_PATHS:
            _note_unknown(child, sub, ignored)
        else:
            ignored.add(f"Pupil/{sub}")


def _read_pupil(el: _Node, ignored: set[str]) -> CtfPupil:
    _note_unknown(el.el, "", ignored)
    basic = _child(el, "BasicDetails")
    pupil = CtfPupil(
        upn=upn_rules.compact(_text(el, "UPN")),
        surname=_text(el, "Surname"),
        forename=_text(el, "Forename"),
        date_of_birth=None,
        sex="",
    )
    _read_identity(el, basic, pupil)
    for reader in (
        _read_pupil_address, _read_contacts, _read_attendance, _read_assessments, _read_sen,
    ):  # fmt: skip
        reader(el, pupil)
    if basic is not None:
        pupil.sections.add("basic")
    return pupil


def _read_identity(el, basic, pupil: CtfPupil) -> None:
    try:
        pupil.upn = upn_rules.validate(pupil.upn)
    except upn_rules.InvalidUPN as exc:
        pupil.upn_problem = f"UPN: {exc}" if pupil.upn else "The pupil has no UPN."
        pupil.problems.append(pupil.upn_problem)
    if not pupil.surname or not pupil.forename:
        pupil.problems.append("The surname or forename is missing.")
    raw_dob = _text(el, "DOB")
    try:
        pupil.date_of_birth = _date(raw_dob)
    except ValueError:
        pupil.problems.append(f"Date of birth {raw_dob!r} is not a date.")
    if pupil.date_of_birth is None and not raw_dob:
        pupil.problems.append("The date of birth is missing.")
    raw_sex = _text(el, "Sex") or _text(el, "Gender")
    pupil.sex = SEXES.get(raw_sex.upper(), "")
    if not pupil.sex:
        pupil.problems.append(f"Sex {raw_sex!r} is not M or F." if raw_sex else "Sex is missing.")
    if basic is None:
        return
    pupil.middle_names = _text(basic, "MiddleNames")
    pupil.preferred_surname = _text(basic, "PreferredSurname")
    pupil.preferred_forename = _text(basic, "PreferredForename")
    former = _text(basic, "FormerUPN")
    if former:
        try:
            pupil.former_upn = upn_rules.validate(former)
        except upn_rules.InvalidUPN as exc:
            pupil.problems.append(f"Former UPN: {exc}")
    nc_year = _text(basic, "NCyearActual").upper().removeprefix("0")
    if nc_year and nc_year not in NC_YEARS:
        pupil.problems.append(f"NC year {nc_year!r} is not a primary year group: not read.")
    elif nc_year:
        pupil.nc_year = nc_year
    ethnicity = _text(basic, "Ethnicity").upper()
    if ethnicity and ethnicity not in ETHNICITIES:
        pupil.problems.append(f"Ethnicity code {ethnicity!r} is not a CBDS code: not read.")
    elif ethnicity:
        pupil.ethnicity = ethnicity
    for lang in _children(_child(basic, "Languages"), "Type"):
        if _text(lang, "LanguageType").upper() == "F":
            code = _text(lang, "Language")
            pupil.first_language = LANGUAGES.get(code.upper(), code)


def _read_address(el) -> CtfAddress | None:
    if el is None:
        return None
    address = CtfAddress(postcode=_text(el, "PostCode") or _text(el, "Postcode"))
    bs7666 = _child(el, "BS7666Address")
    lines = _child(el, "AddressLines")
    if bs7666 is not None:
        house = " ".join(p for p in (_text(bs7666, "SAON"), _text(bs7666, "PAON")) if p)
        address.line1 = " ".join(p for p in (house, _text(bs7666, "Street")) if p)
        address.line2 = _text(bs7666, "Locality")
        address.town = _text(bs7666, "Town") or _text(bs7666, "PostTown")
        address.postcode = address.postcode or _text(bs7666, "PostCode")
    elif lines is not None:
        values = [_text(lines, f"AddressLine{i}") for i in range(1, 6)]
        address.line1, address.line2 = values[0], values[1]
        address.town = next((v for v in reversed(values[2:]) if v), "")
    return address


def _read_pupil_address(el, pupil: CtfPupil) -> None:
    address_el = _child(el, "Address")
    if address_el is not None:
        pupil.sections.add("address")
        pupil.address = _read_address(address_el)


def _read_phones(el) -> dict[str, str]:
    phones: dict[str, str] = {}
    for phone in _children(_child(el, "Phones"), "Phone"):
        kind = {"H": "home", "M": "mobile", "W": "work"}.get(_text(phone, "TelephoneType").upper())
        if kind and kind not in phones:
            phones[kind] = _text(phone, "PhoneNo")
    return phones


def _read_contacts(el, pupil: CtfPupil) -> None:
    contacts_el = _child(el, "Contacts")
    if contacts_el is None:
        return
    pupil.sections.add("contacts")
    for position, contact_el in enumerate(_children(contacts_el, "Contact"), start=1):
        forename, surname = _text(contact_el, "Forename"), _text(contact_el, "Surname")
        if not forename or not surname:
            pupil.problems.append(f"Contact {position}: the name is missing; not read.")
            continue
        relationship = _text(contact_el, "Relationship").upper()
        if relationship not in RELATIONSHIPS:
            pupil.problems.append(
                f"Contact {position}: relationship {relationship!r} is not a CBDS code; "
                "read as 'Other contact'."
            )
            relationship = "OTH"
        try:
            order = _int(_text(contact_el, "Order") or str(position))
        except ValueError:
            order = position
        phones = _read_phones(contact_el)
        as_pupil = _text(contact_el, "AddressAsPupil").casefold() in ("true", "1", "y", "yes")
        pupil.contacts.append(
            CtfContact(
                order=order,
                title=_text(contact_el, "Title"),
                forename=forename,
                surname=surname,
                relationship=relationship,
                responsibility=_text(contact_el, "Responsibility").casefold()
                in ("true", "1", "y", "yes"),
                email=_text(contact_el, "Email"),
                phone_home=phones.get("home", ""),
                phone_mobile=phones.get("mobile", ""),
                phone_work=phones.get("work", ""),
                address=pupil.address if as_pupil else _read_address(_child(contact_el, "Address")),
            )
        )


def _read_attendance(el, pupil: CtfPupil) -> None:
    attendance_el = _child(el, "Attendance")
    if attendance_el is None:
        return
    pupil.sections.add("attendance")
    for year_el in _children(attendance_el, "YearData"):
        raw_year = _text(year_el, "Year")
        terms = _children(year_el, "TermlyAttendance")
        if not terms:
            pupil.problems.append(
                f"Attendance {raw_year or '(no year)'}: only year totals, no terms; not read."
            )
            continue
        for term_el in terms:
            _read_term(raw_year, term_el, pupil)


def _read_term(raw_year: str, el, pupil: CtfPupil) -> None:
    raw_term = _text(el, "Term")
    where = f"Attendance {raw_year} {raw_term}".strip()
    term = TERMS.get(raw_term.upper())
    try:
        year = _int(raw_year)
        possible = _int(_text(el, "SessionsPossible"))
        authorised = _int(_text(el, "SessionsAuthorised") or "0")
        unauthorised = _int(_text(el, "SessionsUnauthorised") or "0")
        raw_attended = _text(el, "SessionsAttended")
        attended = _int(raw_attended) if raw_attended else possible - authorised - unauthorised
    except ValueError:
        pupil.problems.append(f"{where}: the year or a session count is not a number; not read.")
        return
    if term is None:
        pupil.problems.append(f"{where}: unknown term; not read.")
    elif attended < 0 or attended + authorised + unauthorised > possible:
        pupil.problems.append(f"{where}: the sessions add up to more than possible; not read.")
    else:
        pupil.attendance.append(
            CtfAttendance(year, term, possible, attended, authorised, unauthorised)
        )


def _read_assessments(el, pupil: CtfPupil) -> None:
    assessments_el = _child(el, "StageAssessments")
    if assessments_el is None:
        return
    pupil.sections.add("assessments")
    for stage_el in _children(assessments_el, "KeyStage"):
        raw_stage = _text(stage_el, "Stage")
        stage = STAGES.get(raw_stage.upper())
        if stage is None:
            pupil.problems.append(f"Assessments: unknown stage {raw_stage!r}; not read.")
            continue
        for result_el in _children(stage_el, "StageAssessment"):
            subject, result = _text(result_el, "Subject"), _text(result_el, "Result")
            method, raw_year = _text(result_el, "Method"), _text(result_el, "Year")
            try:
                academic_year = _int(raw_year) - 1
            except ValueError:
                academic_year = -1
            if not subject or not result or academic_year < 0:
                pupil.problems.append(
                    f"Assessments: a {stage} result lacks a subject, result or year; not read."
                )
                continue
            pupil.assessments.append(
                CtfAssessment(stage, subject[:60], method[:10], result[:30], academic_year)
            )


def _read_sen(el, pupil: CtfPupil) -> None:
    sen_el = _child(el, "SENhistory")
    if sen_el is None:
        return
    pupil.sections.add("sen")
    latest: tuple[datetime.date, str] | None = None
    for entry in _children(sen_el, "SEN"):
        provision = _text(entry, "SENprovision").upper()
        try:
            start = _date(_text(entry, "StartDate")) or datetime.date.min
        except ValueError:
            start = datetime.date.min
        if provision not in SEN_PROVISIONS:
            pupil.problems.append(f"SEN provision {provision!r} is not N, K or E; not read.")
        elif latest is None or start >= latest[0]:
            latest = (start, provision)
    if latest is not None:
        pupil.sen_provision = latest[1]
    for need_el in _children(_child(sen_el, "SENneeds"), "SENneed"):
        need_type = _text(need_el, "SENtype").upper()
        try:
            rank = _int(_text(need_el, "SENtypeRank") or "1")
        except ValueError:
            rank = 1
        if need_type not in SEN_TYPES:
            pupil.problems.append(f"SEN type of need {need_type!r} is not a CBDS code; not read.")
        else:
            pupil.sen_needs.append(CtfSenNeed(need_type, rank))
