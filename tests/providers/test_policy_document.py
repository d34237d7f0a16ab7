"""The appropriate policy document (DPA 2018 Sch 1 Part 4): generated for
the conditions the school relies on, versioned, frozen once published, and
published at /privacy beside the notice."""

import pytest
from django.test import Client

from providers import policy, services
from providers.models import PolicyDocument, ProviderStatus, PublishedRecordError
from pupils.retention.rules import Kind
from pupils.retention.services import set_retention_period

from ..factories import ProviderFactory


@pytest.fixture
def public(school, settings):
    settings.ALLOWED_HOSTS = ["privacy.crook.example"]
    school.is_default = True
    school.hostname = "privacy.crook.example"
    school.save()
    return Client(HTTP_HOST="privacy.crook.example")


def test_the_document_names_each_condition_the_school_relies_on(school):
    text = policy.generate(school)
    for paragraph in ("paragraph 6: statutory", "paragraph 8: equality", "paragraph 18: safeg"):
        assert f"Schedule 1 Part 2 {paragraph}" in text
    assert "Meeting special educational needs" in text
    assert "Recording ethnicity" in text
    for heading in ("How we comply with the principles", "How long we keep it", "Review"):
        assert f"## {heading}" in text


def test_providers_in_use_are_listed_under_their_condition_and_others_are_not(school):
    ProviderFactory(
        school=school,
        service="MealPay",
        data_categories=["name", "health"],
        lawful_basis="public_task",
        art9_condition="g",
        schedule1_paragraph="18",
        status=ProviderStatus.IN_USE,
    )
    ProviderFactory(
        school=school,
        service="NurseApp",
        data_categories=["health"],
        lawful_basis="public_task",
        art9_condition="h",
        schedule1_paragraph="2",
        status=ProviderStatus.IN_USE,
    )
    ProviderFactory(
        school=school,
        service="ProposedCare",
        data_categories=["health"],
        art9_condition="g",
        schedule1_paragraph="6",
    )
    relied = {r.paragraph: r.uses for r in policy.conditions_relied_on(school)}
    assert any("MealPay" in use for use in relied["18"])
    # Health or social care (para 2) needs no policy document.
    assert "2" not in relied
    assert not any("ProposedCare" in use for uses in relied.values() for use in uses)


def test_published_versions_are_frozen_and_kept(school, dpo_user):
    first = services.publish_policy_document(
        document=services.draft_policy_document(school=school, actor=dpo_user), actor=dpo_user
    )
    first.body = "changed"
    with pytest.raises(PublishedRecordError):
        first.save()
    second = services.publish_policy_document(
        document=services.draft_policy_document(school=school, actor=dpo_user), actor=dpo_user
    )
    assert PolicyDocument.objects.current_for(school) == second
    assert PolicyDocument.objects.filter(school=school, status="published").count() == 2


def test_the_document_is_published_beside_the_notice(public, school, dpo_user):
    services.publish_notice(
        notice=services.draft_notice(school=school, actor=dpo_user), actor=dpo_user
    )
    link = "Our appropriate policy document for special category data"
    assert link not in public.get("/privacy").content.decode()
    for _ in range(2):
        services.publish_policy_document(
            document=services.draft_policy_document(school=school, actor=dpo_user),
            actor=dpo_user,
        )
    assert f'<a href="/privacy/policy">{link}</a>' in public.get("/privacy").content.decode()
    current = public.get("/privacy/policy").content.decode()
    assert "Appropriate policy document" in current and "Version 2" in current
    earlier = public.get("/privacy/policy/1").content.decode()
    assert "It no longer applies" in earlier
    assert public.get("/privacy/policy/9").status_code == 404


def test_the_dpo_drafts_it_in_the_staff_site(dpo_client, office_client, school):
    url = "/admin/providers/policydocument/draft/"
    assert office_client.post(url, {"school": school.pk}).status_code == 403
    response = dpo_client.post(url, {"school": school.pk})
    draft = PolicyDocument.objects.get(school=school)
    assert response.status_code == 302 and draft.status == "draft"
    assert "paragraph 18" in draft.body


@pytest.mark.parametrize("forged", ["", "abc", "1 OR 1=1", "99999"])
def test_a_draft_for_a_school_that_is_not_there_is_not_found_and_writes_nothing(
    dpo_client, school, forged
):
    for url in ("/admin/providers/policydocument/draft/", "/admin/providers/privacynotice/draft/"):
        assert dpo_client.post(url, {"school": forged}).status_code == 404
    assert not PolicyDocument.objects.exists()
    assert not school.privacy_notices.exists()


def test_the_retention_section_comes_from_the_schools_retention_schedule(school, dpo_user):
    text = " ".join(policy.generate(school).split())
    assert "Special educational needs file: until the pupil's 31st birthday" in text
    assert "Child-protection information: until the pupil's 50th birthday" in text
    set_retention_period(
        actor=dpo_user,
        school=school,
        kind=Kind.SEN,
        amount=35,
        unit="years",
        reason="The local authority's tribunal guidance.",
        source="Governing body, 3 March 2026",
    )
    text = " ".join(policy.generate(school).split())
    assert "Special educational needs file: until the pupil's 35th birthday" in text
    assert "31st" not in text
    assert "Consent answers" not in text  # only records holding special category data
