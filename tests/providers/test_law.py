"""Providers in law: the Art 9 condition with its Schedule 1 paragraph, no
"contract" basis for pupils' data, no use without an Art 28 contract, and
transfers outside the UK with their safeguard (docs/law.md, "Special
category data" and "Processors, transfers and DPIAs")."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from providers import criteria, services
from providers.models import (
    Art9Condition,
    ContractDocument,
    LawfulBasis,
    Provider,
    ProviderStatus,
    Schedule1Paragraph,
    StorageLocation,
    TransferSafeguard,
)

from ..factories import ProviderFactory

PROVIDERS_URL = "/admin/providers/provider/"
PDF = b"%PDF-1.4\n% contract\n"


def _approved(provider, actor):
    services.record_assessment(
        provider=provider,
        answers={c.code: "met" for c in criteria.CRITERIA},
        decision="approve",
        actor=actor,
    )
    return provider


# --- The school's own processing ----------------------------------------------------


def test_a_use_of_photographs_cannot_be_saved_as_a_processor(school, dpo_user):
    provider = ProviderFactory.build(
        school=school, kind="photos", role="processor", data_categories=["name", "photos"]
    )
    with pytest.raises(ValidationError, match="school's own processing") as raised:
        services.save_provider(provider=provider, actor=dpo_user)
    assert "role" in raised.value.message_dict
    provider.role = "school"
    services.save_provider(provider=provider, actor=dpo_user)
    assert not provider.needs_contract


def test_a_cloud_service_is_never_the_schools_own_processing(school, dpo_user):
    with pytest.raises(ValidationError, match="run by another organisation"):
        services.save_provider(
            provider=ProviderFactory.build(school=school, role="school"), actor=dpo_user
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderFactory(school=school, role="school")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderFactory(school=school, kind="photos", role="processor")


# --- Art 9 -------------------------------------------------------------------------


def test_a_provider_with_special_category_data_cannot_be_saved_without_an_art9_condition(
    school, dpo_user
):
    provider = ProviderFactory.build(school=school, data_categories=["name", "health"])
    with pytest.raises(ValidationError) as caught:
        services.save_provider(provider=provider, actor=dpo_user)
    assert "medical and health information" in caught.value.message_dict["art9_condition"][0]
    assert not Provider.objects.filter(service=provider.service).exists()


def test_substantial_public_interest_needs_its_schedule_1_part_2_paragraph(school, dpo_user):
    provider = ProviderFactory.build(
        school=school,
        data_categories=["name", "health"],
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        art9_condition=Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST,
    )
    with pytest.raises(ValidationError) as caught:
        services.save_provider(provider=provider, actor=dpo_user)
    assert "paragraph 18" in caught.value.message_dict["schedule1_paragraph"][0]
    provider.schedule1_paragraph = Schedule1Paragraph.SAFEGUARDING
    services.save_provider(provider=provider, actor=dpo_user)
    assert Provider.objects.get(pk=provider.pk).schedule1_paragraph == "18"


def test_explicit_consent_takes_no_schedule_1_paragraph(school, dpo_user):
    provider = ProviderFactory.build(
        school=school,
        data_categories=["sen"],
        art9_condition=Art9Condition.EXPLICIT_CONSENT,
        schedule1_paragraph=Schedule1Paragraph.STATUTORY,
    )
    with pytest.raises(ValidationError, match="takes no Schedule 1 paragraph"):
        services.save_provider(provider=provider, actor=dpo_user)


def test_an_art9_condition_without_special_category_data_is_refused(school, dpo_user):
    provider = ProviderFactory.build(school=school, art9_condition=Art9Condition.EXPLICIT_CONSENT)
    with pytest.raises(ValidationError, match="no special category data"):
        services.save_provider(provider=provider, actor=dpo_user)


@pytest.mark.parametrize(
    ("condition", "paragraph"),
    [("g", ""), ("g", "2"), ("h", "18"), ("b", "6"), ("a", "8"), ("", "18")],
)
def test_the_database_refuses_an_art9_condition_with_the_wrong_paragraph(
    school, condition, paragraph
):
    provider = ProviderFactory(school=school)
    with pytest.raises(IntegrityError), transaction.atomic():
        Provider.objects.filter(pk=provider.pk).update(
            art9_condition=condition, schedule1_paragraph=paragraph
        )


# --- Art 6 contract ----------------------------------------------------------------


def test_contract_is_refused_as_the_basis_for_pupils_data_and_the_message_says_why(
    school, dpo_user
):
    provider = ProviderFactory.build(school=school, lawful_basis=LawfulBasis.CONTRACT)
    with pytest.raises(ValidationError) as caught:
        services.save_provider(provider=provider, actor=dpo_user)
    message = caught.value.message_dict["lawful_basis"][0]
    assert "not a party" in message and "public task" in message


def test_contract_is_accepted_for_parents_contact_details_alone(school, dpo_user):
    provider = ProviderFactory.build(
        school=school, lawful_basis=LawfulBasis.CONTRACT, data_categories=["contact"]
    )
    services.save_provider(provider=provider, actor=dpo_user)
    assert Provider.objects.filter(pk=provider.pk).exists()


# --- Art 28 contract ---------------------------------------------------------------


def test_a_provider_cannot_be_set_in_use_without_a_contract_on_record(school, dpo_user):
    provider = _approved(
        ProviderFactory(school=school, contract_reference="", contract_location=""), dpo_user
    )
    with pytest.raises(ValidationError, match="Art 28 contract on record"):
        services.set_provider_status(
            provider=provider, status=ProviderStatus.IN_USE, actor=dpo_user
        )
    assert Provider.objects.get(pk=provider.pk).status == ProviderStatus.PROPOSED


@pytest.mark.parametrize(
    "missing", [{"dpa_signed_on": None}, {"contract_reference": ""}, {"contract_location": ""}]
)
def test_the_database_refuses_a_provider_in_use_without_a_contract(school, missing):
    provider = ProviderFactory(school=school, **missing)
    with pytest.raises(IntegrityError), transaction.atomic():
        Provider.objects.filter(pk=provider.pk).update(status=ProviderStatus.IN_USE)


def test_an_uploaded_copy_stands_for_where_the_contract_is_kept(school, dpo_user):
    provider = _approved(ProviderFactory(school=school, contract_location=""), dpo_user)
    provider.contract_document = services.contract_document_from(
        file_name="dpa.pdf", content=PDF, school=school, actor=dpo_user
    )
    provider.status = ProviderStatus.IN_USE
    services.save_provider(provider=provider, actor=dpo_user)
    stored = Provider.objects.get(pk=provider.pk)
    assert stored.status == ProviderStatus.IN_USE
    assert bytes(ContractDocument.objects.get(pk=stored.contract_document_id).content) == PDF


def test_a_contract_copy_that_is_not_a_document_is_refused(school, dpo_user):
    with pytest.raises(ValidationError, match="PDF, Word"):
        services.contract_document_from(
            file_name="dpa.pdf", content=b"MZ\x90 not a pdf", school=school, actor=dpo_user
        )


def test_the_dpo_uploads_a_contract_in_the_staff_site_and_downloads_it(
    dpo_client, school, dpo_user
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .test_admin import _provider_form

    provider = _approved(ProviderFactory(school=school, contract_location=""), dpo_user)
    data = _provider_form(provider, status=ProviderStatus.IN_USE)
    data["contract_file"] = SimpleUploadedFile("signed dpa.pdf", PDF, "application/pdf")
    response = dpo_client.post(f"{PROVIDERS_URL}{provider.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Provider.objects.get(pk=provider.pk).status == ProviderStatus.IN_USE
    download = dpo_client.get(f"{PROVIDERS_URL}{provider.pk}/contract/")
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Disposition"].startswith("attachment")


def test_the_admin_explains_in_use_without_a_contract(dpo_client, school, dpo_user):
    from .test_admin import _provider_form

    provider = _approved(
        ProviderFactory(school=school, dpa_signed_on=None, contract_location=""), dpo_user
    )
    response = dpo_client.post(
        f"{PROVIDERS_URL}{provider.pk}/change/",
        _provider_form(provider, status=ProviderStatus.IN_USE),
    )
    assert response.status_code == 200
    assert "Art 28 contract on record" in response.content.decode()
    assert Provider.objects.get(pk=provider.pk).status == ProviderStatus.PROPOSED


def test_another_schools_dpo_cannot_download_the_contract(other_school_client, school, dpo_user):
    provider = ProviderFactory(school=school)
    provider.contract_document = services.contract_document_from(
        file_name="dpa.pdf", content=PDF, school=school, actor=dpo_user
    )
    services.save_provider(provider=provider, actor=dpo_user)
    assert other_school_client.get(f"{PROVIDERS_URL}{provider.pk}/contract/").status_code == 404


# --- Transfers ---------------------------------------------------------------------


def _abroad(school, dpo_user, **fields):
    return _approved(
        ProviderFactory(school=school, storage_location=StorageLocation.IDTA, **fields), dpo_user
    )


def test_a_transfer_needs_its_safeguard_and_risk_assessment_before_use(school, dpo_user):
    provider = _abroad(school, dpo_user)
    with pytest.raises(ValidationError, match="transfer safeguard"):
        services.set_provider_status(
            provider=provider, status=ProviderStatus.IN_USE, actor=dpo_user
        )
    provider.refresh_from_db()
    provider.transfer_safeguard = TransferSafeguard.UK_ADDENDUM
    with pytest.raises(ValidationError, match="transfer risk assessment"):
        services.set_provider_status(
            provider=provider, status=ProviderStatus.IN_USE, actor=dpo_user
        )
    provider.refresh_from_db()
    provider.transfer_safeguard = TransferSafeguard.UK_ADDENDUM
    provider.transfer_risk_assessed_on = datetime.date(2025, 8, 1)
    services.save_provider(provider=provider, actor=dpo_user)
    services.set_provider_status(provider=provider, status=ProviderStatus.IN_USE, actor=dpo_user)
    assert Provider.objects.get(pk=provider.pk).status == ProviderStatus.IN_USE


def test_adequacy_covers_only_adequate_countries(school, dpo_user):
    provider = ProviderFactory.build(
        school=school,
        storage_location=StorageLocation.IDTA,
        transfer_safeguard=TransferSafeguard.ADEQUACY,
    )
    with pytest.raises(ValidationError, match="elsewhere choose the IDTA"):
        services.save_provider(provider=provider, actor=dpo_user)
    eea = ProviderFactory(school=school, storage_location=StorageLocation.EEA)
    with pytest.raises(IntegrityError), transaction.atomic():
        Provider.objects.filter(pk=eea.pk).update(transfer_safeguard=TransferSafeguard.IDTA)


def test_the_database_refuses_a_transfer_in_use_without_a_risk_assessment(school):
    provider = ProviderFactory(
        school=school,
        storage_location=StorageLocation.IDTA,
        transfer_safeguard=TransferSafeguard.IDTA,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Provider.objects.filter(pk=provider.pk).update(status=ProviderStatus.IN_USE)


def test_an_adequacy_country_needs_no_transfer_risk_assessment(school, dpo_user):
    provider = _approved(
        ProviderFactory(
            school=school,
            storage_location=StorageLocation.EEA,
            transfer_safeguard=TransferSafeguard.ADEQUACY,
        ),
        dpo_user,
    )
    services.set_provider_status(provider=provider, status=ProviderStatus.IN_USE, actor=dpo_user)
    assert Provider.objects.get(pk=provider.pk).status == ProviderStatus.IN_USE
