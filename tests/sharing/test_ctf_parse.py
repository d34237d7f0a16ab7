"""Reading CTF XML: the realistic fixtures, versions, and files that must be refused."""

import datetime

import pytest

from sharing.ctf.reader import parse_ctf
from sharing.ctf.records import CtfError

from .conftest import fixture_bytes

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CTfile><Header><DocumentName>Common Transfer File</DocumentName>
<SourceSchool><LEA>840</LEA><Estab>2105</Estab></SourceSchool></Header>
<CTFpupilData><Pupil><UPN>C840210518001</UPN><Surname>&lol9;</Surname>
<Forename>A</Forename><DOB>2016-03-12</DOB><Sex>F</Sex></Pupil></CTFpupilData></CTfile>
"""


def external_entity(system_id: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "{system_id}">]>
<CTfile><Header><DocumentName>Common Transfer File</DocumentName>
<SourceSchool><LEA>840</LEA><Estab>2105</Estab></SourceSchool></Header>
<CTFpupilData><Pupil><UPN>C840210518001</UPN><Surname>&xxe;</Surname>
<Forename>A</Forename><DOB>2016-03-12</DOB><Sex>F</Sex></Pupil></CTFpupilData></CTfile>
""".encode()


HOSTILE = {
    "malformed": b"<CTfile><Header><DocumentName>Common Transfer File</Header></CTfile>",
    "billion laughs": BILLION_LAUGHS,
    "external file entity": external_entity("file:///etc/passwd"),
    "external http entity": external_entity("http://127.0.0.1:9/ctf"),
    "not a CTF": b"<?xml version='1.0'?><html><body>Hello</body></html>",
    "empty": b"",
    "no pupils": b"<CTfile><Header><DocumentName>Common Transfer File</DocumentName>"
    b"<SourceSchool><LEA>840</LEA></SourceSchool></Header><CTFpupilData/></CTfile>",
}


def test_the_full_ctf_is_read_with_every_section_of_every_pupil():
    ctf = parse_ctf(fixture_bytes("ctf_full.xml"))

    assert ctf.header.source.name == "Stanley Crook Primary School"
    assert ctf.header.dest.dfe_number == "840/2190"
    assert ctf.header.file_date == datetime.date(2026, 7, 20)
    assert not ctf.header.is_partial
    assert [p.upn for p in ctf.pupils] == [
        "C840210518001",
        "R840210518002",
        "F840210518003",
        "V840210518004",
    ]
    amelia = ctf.pupils[0]
    assert (amelia.forename, amelia.preferred_forename, amelia.middle_names) == (
        "Amelia",
        "Millie",
        "Rose",
    )
    assert amelia.date_of_birth == datetime.date(2016, 3, 12)
    assert amelia.address.line1 == "14 Wooley Terrace"
    assert amelia.address.postcode == "DL15 9SP"
    assert [c.forename for c in amelia.contacts] == ["Sarah", "David"]
    assert amelia.contacts[1].address.town == "Bishop Auckland"
    assert amelia.contacts[0].phone_mobile == "07700 900461"
    assert len(amelia.attendance) == 4
    assert amelia.attendance[0].academic_year == 2024 and amelia.attendance[0].term == "AUT"
    ks1 = [a for a in amelia.assessments if a.stage == "KS1"]
    assert {a.subject for a in ks1} == {"Reading", "Writing", "Mathematics"}
    assert ks1[0].academic_year == 2023  # taken in summer 2024
    assert amelia.sen_provision == "K"  # the latest entry of the history
    assert [n.need_type for n in amelia.sen_needs] == ["SPLD"]
    assert ctf.pupils[2].first_language == "Urdu"
    assert all(not p.problems for p in ctf.pupils)
    assert ctf.ignored_elements == []


def test_a_partial_dfe_ctf_with_gender_and_capitals_is_read():
    ctf = parse_ctf(fixture_bytes("ctf_partial_dfe.xml"))

    assert ctf.header.is_partial and ctf.header.from_dfe
    zainab = ctf.pupils[0]
    assert (zainab.surname, zainab.sex) == ("AKHTAR", "F")
    assert zainab.sections == {"assessments"}
    assert [a.result for a in zainab.assessments] == ["108", "104", "111"]


def test_an_older_version_with_unknown_elements_is_read_and_they_are_listed():
    ctf = parse_ctf(fixture_bytes("ctf_old_version.xml"))

    theo = ctf.pupils[0]
    assert theo.sex == "M"  # from Gender
    assert theo.contacts[0].forename == "Renée"
    assert ctf.ignored_elements == [
        "Pupil/BasicDetails/ModeOfTravel",
        "Pupil/FSMhistory",
        "Pupil/NAWdetails",
    ]
    assert theo.problems == ["Attendance 2018: only year totals, no terms; not read."]


def test_a_pupil_with_a_bad_upn_is_kept_with_its_problem():
    data = fixture_bytes("ctf_full.xml").replace(b"C840210518001", b"A840210518001")

    ctf = parse_ctf(data)

    assert len(ctf.pupils) == 4
    bad = ctf.pupils[0]
    assert not bad.readable
    assert bad.label == "Amelia Hartley (A840210518001)"
    assert "check letter" in bad.problems[0]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_and_broken_files_are_refused_with_a_reason(name):
    with pytest.raises(CtfError) as refused:
        parse_ctf(HOSTILE[name])
    assert str(refused.value)


def test_entities_are_never_expanded_even_without_the_doctype_check():
    # The raw-bytes check is one guard; the parser settings are the other.
    from lxml import etree

    from sharing.ctf.reader import _parser

    root = etree.fromstring(external_entity("file:///etc/passwd"), _parser())
    assert "root:" not in etree.tostring(root, encoding="unicode")


def test_a_file_over_the_size_limit_is_refused_before_parsing():
    big = b"<CTfile>" + b" " * (50 * 1024 * 1024) + b"</CTfile>"
    with pytest.raises(CtfError, match="MB"):
        parse_ctf(big)


def test_a_ctf_in_an_xml_namespace_is_read_the_same():
    data = fixture_bytes("ctf_full.xml").replace(b"<CTfile>", b'<CTfile xmlns="urn:example:ctf">')
    ctf = parse_ctf(data)
    assert [p.upn for p in ctf.pupils] == [
        p.upn for p in parse_ctf(fixture_bytes("ctf_full.xml")).pupils
    ]
    assert ctf.pupils[0].contacts[0].forename == "Sarah"
