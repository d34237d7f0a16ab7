"""The generated privacy notice against UK GDPR Articles 13 and 14, item by
item (docs/law.md, "Lawful bases", "Special category data" and
"Processors, transfers and DPIAs"), for a school with providers in use, one
of them storing data outside the UK."""

import datetime
import re

import pytest

from providers import notice, purposes
from providers.models import Provider, TransferSafeguard

from ..factories import ProviderFactory


@pytest.fixture
def text(school):
    school.phone, school.email = "01388 123456", "office@crook.example"
    school.save()
    ProviderFactory(
        school=school,
        service="MealPay",
        name="MealPay Ltd",
        purpose="Paying for school meals and recording allergies for the kitchen.",
        data_categories=["name", "contact", "health"],
        lawful_basis="public_task",
        art9_condition="g",
        schedule1_paragraph="18",
        status="in_use",
    )
    ProviderFactory(
        school=school,
        service="Classroom Cloud",
        name="Cloud Inc.",
        storage_location="idta",
        storage_detail="Data centres in the USA",
        transfer_safeguard=TransferSafeguard.UK_ADDENDUM,
        transfer_risk_assessed_on=datetime.date(2025, 8, 1),
        status="in_use",
    )
    ProviderFactory(school=school, service="Never Used App")
    return " ".join(notice.generate(school).split())


def _has(pattern, text):
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


# Art 13(1)(a) / 14(1)(a)
def test_identity_and_contact_details_of_the_controller(school, text):
    for value in (school.name, school.postcode, "01388 123456", "office@crook.example"):
        assert value in text
    assert "is the controller" in text


# Art 13(1)(b) / 14(1)(b)
def test_contact_details_of_the_data_protection_officer(school, text):
    assert f"Our Data Protection Officer is {school.dpo_name}, e-mail {school.dpo_email}" in text


# Art 13(1)(c) / 14(1)(c): purposes with their basis, one row each
def test_each_of_the_schools_purposes_has_its_lawful_basis(school):
    table = next(b for b in notice.parse_blocks(notice.generate(school)) if b.kind == "table")
    rows = {row[0]: row for row in table.rows[1:]}
    for purpose in purposes.SCHOOL_PURPOSES:
        row = rows[str(purpose.what)]
        assert f"Article 6(1)({'c' if purpose.basis == 'legal_obligation' else 'e'})" in row[1]
        assert str(purpose.law) in row[1]
        if purpose.art9:
            assert f"Art 9(2)({purpose.art9})" in row[2]
            assert f"paragraph {purpose.paragraph}:" in row[2]
        else:
            assert row[2] == "None"


def test_each_provider_in_use_has_its_own_row_with_basis_and_art9_condition(text):
    assert _has(
        r"\| Using MealPay: Paying for school meals.*? \| Public task, Article 6\(1\)\(e\) \| "
        r"Substantial public interest \(Art 9\(2\)\(g\)\), Schedule 1 Part 2 paragraph 18",
        text,
    )
    assert "Using Classroom Cloud" in text
    assert "Never Used App" not in text


# Art 13(1)(d) / 14(2)(b)
def test_legitimate_interests_are_said_not_to_apply(text):
    assert "we do not rely on legitimate interests" in text


# Art 13(1)(e) / 14(1)(e): every recipient the school actually uses
def test_every_recipient_is_named(text):
    for who, _why in purposes.RECIPIENTS:
        assert str(who) in text
    for name in ("Children's social care", "The police", "Health services", "Ofsted"):
        assert name in text
    assert "MealPay (MealPay Ltd)" in text and "Classroom Cloud (Cloud Inc.)" in text


def test_the_organisations_in_the_disclosure_log_are_named_with_why(school, dpo_user):
    from sharing.disclosures.models import (
        DataCategory,
        Dataset,
        LegalGateway,
        RecipientType,
        SendMethod,
    )
    from sharing.disclosures.services import log_disclosure

    from ..factories import PupilFactory

    def disclose(name, recipient_type, gateway, dataset=Dataset.AD_HOC, **extra):
        log_disclosure(
            actor=dpo_user,
            school=school,
            recipient_type=recipient_type,
            recipient_name=name,
            gateway=gateway,
            dataset=dataset,
            pupils=[PupilFactory(school=school)],
            categories=[DataCategory.IDENTITY],
            method=SendMethod.SECURE_EMAIL,
            **extra,
        )

    ad_hoc = {"requested_by": "DC Jones", "request_reason": "Enquiry", "approved_by": "Head"}
    disclose("Durham Constabulary", RecipientType.ORGANISATION, LegalGateway.CRIME, **ad_hoc)
    disclose("Durham Constabulary", RecipientType.ORGANISATION, LegalGateway.SAFEGUARDING, **ad_hoc)
    disclose(
        "Mrs Alexandra Parentname",
        RecipientType.REQUESTER,
        LegalGateway.SUBJECT_ACCESS,
        Dataset.SUBJECT_ACCESS,
    )
    disclose("St Hilda's Primary", RecipientType.SCHOOL, LegalGateway.CTF, Dataset.CTF)

    blocks = notice.parse_blocks(notice.generate(school))
    at = next(
        i
        for i, b in enumerate(blocks)
        if b.lines[0].startswith("The organisations we have shared pupils' information with")
    )
    assert blocks[at + 1].lines == (
        "Durham Constabulary: Prevention or detection of crime: Data Protection Act 2018 Sch 2 "
        "para 2; Safeguarding of children: Data Protection Act 2018 Sch 1 para 18",
    )
    text = notice.generate(school)
    assert "Parentname" not in text and "St Hilda" not in text  # a person; a leaver's school


def test_a_recipient_source_is_read_through_the_providers_hook(school):
    from providers import recipients

    def source(s):
        return [("Zed Trust", "a reason"), ("Acme Council", "why"), ("Acme Council", "why")]

    recipients.register_recipient_source(source)
    recipients.register_recipient_source(source)  # once only
    try:
        named = recipients.recipients_in_use(school)
    finally:
        recipients.unregister_recipient_source(source)
    assert named == [("Acme Council", "why"), ("Zed Trust", "a reason")]
    assert ("Acme Council", "why") not in recipients.recipients_in_use(school)


# Art 28(3): "under a written contract with each provider" must be true
def test_every_provider_listed_under_a_written_contract_has_a_contract_on_record(school):
    ProviderFactory(school=school, service="Signed App", name="Signed Ltd", status="in_use")
    ProviderFactory(
        school=school,
        service="Photos: school website",
        name="The school",
        role="school",
        kind="photos",
        purpose="Photos of school life on the school's website.",
        data_categories=["name", "photos"],
        status="in_use",
        dpa_signed_on=None,
        contract_reference="",
        contract_location="",
    )
    blocks = notice.parse_blocks(notice.generate(school))
    at = next(
        i
        for i, b in enumerate(blocks)
        if b.kind == "paragraph" and "under a written contract with each provider" in b.lines[0]
    )
    listed = blocks[at + 1]
    assert listed.kind == "list" and listed.lines
    in_use = {f"{p.service} ({p.name})": p for p in Provider.objects.filter(school=school)}
    for line in listed.lines:
        assert in_use[line].has_contract_on_record, line
    assert "Photos: school website (The school)" not in listed.lines
    # The school's own use of photographs is one of its purposes instead.
    table = next(b for b in blocks if b.kind == "table")
    assert [row[0] for row in table.rows].count(
        "Photos: school website: Photos of school life on the school's website."
    ) == 1


# Art 13(1)(f) / 14(1)(f)
def test_transfers_outside_the_uk_name_the_service_and_its_safeguard(text):
    assert (
        "Classroom Cloud: Data centres in the USA, protected by UK Addendum to the EU "
        "standard contractual clauses" in text
    )


def test_a_school_with_uk_services_only_says_nothing_leaves_the_uk(school):
    assert "None of the services we use stores pupils' information outside the UK" in (
        notice.generate(school)
    )


# Art 13(2)(a) / 14(2)(a)
def test_how_long_the_information_is_kept(school, text):
    headings = [b.lines[0] for b in notice.parse_blocks(notice.generate(school))]
    assert "How long we keep it" in headings
    assert "securely deleted or anonymised" in text


# Art 13(2)(b) / 14(2)(c): each right
@pytest.mark.parametrize(
    "right",
    ["subject access", "rectification", "erasure", "restriction", "objection", "data portability"],
)
def test_each_right_is_listed(text, right):
    assert f"({right})" in text


# Art 13(2)(c) / 14(2)(d)
def test_consent_can_be_withdrawn_at_any_time(text):
    assert "withdraw consent at any time" in text


# Art 13(2)(d) / 14(2)(e)
def test_the_right_to_complain_to_the_ico(text):
    assert "right to complain to the Information Commissioner's Office (ICO)" in text
    assert notice.ICO_COMPLAINT_URL in text


# Art 13(2)(e)
def test_which_data_is_required_by_law_and_which_is_voluntary(text):
    assert _has(r"admission register\. \(Required\.\)", text)
    assert _has(r"Ethnicity: voluntary: you may refuse to say.*?\(Voluntary\.\)", text)


# Art 13(2)(f) / 14(2)(g)
def test_no_automated_decision_making(text):
    assert "We do not make any decision about pupils or their families by automated means" in text


# Art 14(2)(f)
def test_where_information_not_from_the_family_comes_from(text):
    assert "previous school, the local authority and the Department for Education" in text


# Plain wording: consent is never the default, policies are never a gateway.
def test_consent_is_never_presented_as_the_default_nor_policies_as_a_gateway(text):
    assert "our policies" not in text
    assert "without your consent unless" not in text
    assert "does not depend on consent" in text
