"""Staff screens: the providers list with review state, assessments and the
privacy notice (draft, preview, publish), for each role and outsiders."""

import datetime

import pytest
from django.utils import timezone

from providers import criteria, services
from providers.models import (
    AssessmentStatus,
    NoticeStatus,
    PrivacyNotice,
    Provider,
    ProviderStatus,
    RiskAssessment,
)

from ..factories import ProviderFactory

PROVIDERS_URL = "/admin/providers/provider/"
NOTICES_URL = "/admin/providers/privacynotice/"


def _review(provider, actor, next_review_on, decision="approve"):
    return services.record_assessment(
        provider=provider,
        answers={c.code: "met" for c in criteria.CRITERIA},
        decision=decision,
        actor=actor,
        assessed_on=next_review_on - datetime.timedelta(days=365),
        next_review_on=next_review_on,
    )


@pytest.fixture
def reviewed(school, dpo_user):
    today = timezone.localdate()
    overdue = ProviderFactory(school=school, service="Seesaw")
    soon = ProviderFactory(school=school, service="Bug Club")
    fine = ProviderFactory(school=school, service="Arbor")
    never = ProviderFactory(school=school, service="Tapestry")
    _review(overdue, dpo_user, today - datetime.timedelta(days=3))
    _review(soon, dpo_user, today + datetime.timedelta(days=10))
    _review(fine, dpo_user, today + datetime.timedelta(days=200), decision="reject")
    return {"overdue": overdue, "soon": soon, "fine": fine, "never": never}


def test_the_dpo_sees_ratings_decisions_and_which_reviews_are_overdue_or_due(dpo_client, reviewed):
    html = dpo_client.get(PROVIDERS_URL).content.decode()
    assert "review--overdue" in html and "review--due" in html and "review--none" in html
    assert "rag--green" in html
    assert "Reject" in html
    assert "css/providers-admin.css" in html


@pytest.mark.parametrize(
    ("value", "expected"),
    [("overdue", {"Seesaw"}), ("due", {"Bug Club"}), ("none", {"Tapestry"})],
)
def test_the_review_filter_picks_the_right_providers(dpo_client, reviewed, value, expected):
    response = dpo_client.get(PROVIDERS_URL, {"review": value})
    shown = {p.service for p in response.context["cl"].result_list}
    assert shown == expected


def test_the_providers_list_costs_a_fixed_number_of_queries(
    dpo_client, school, dpo_user, reviewed, django_assert_max_num_queries
):
    for _ in range(10):
        _review(ProviderFactory(school=school), dpo_user, timezone.localdate())
    with django_assert_max_num_queries(12):
        assert dpo_client.get(PROVIDERS_URL).status_code == 200


def test_the_assessments_list_costs_a_fixed_number_of_queries(
    dpo_client, reviewed, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        assert dpo_client.get("/admin/providers/riskassessment/").status_code == 200


def test_office_staff_can_view_providers_but_not_change_them(office_client, reviewed):
    assert office_client.get(PROVIDERS_URL).status_code == 200
    provider = reviewed["never"]
    url = f"{PROVIDERS_URL}{provider.pk}/change/"
    assert office_client.get(url).status_code == 200
    office_client.post(url, {"service": "Renamed"})
    assert Provider.objects.get(pk=provider.pk).service == "Tapestry"
    assert office_client.get("/admin/providers/riskassessment/").status_code == 403


def test_another_schools_staff_get_404_and_an_empty_list(other_school_client, reviewed):
    provider = reviewed["overdue"]
    assert other_school_client.get(f"{PROVIDERS_URL}{provider.pk}/change/").status_code == 404
    response = other_school_client.get(PROVIDERS_URL)
    assert list(response.context["cl"].result_list) == []


def test_logged_out_visitors_are_sent_to_sign_in(client, reviewed):
    response = client.get(PROVIDERS_URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _provider_form(provider, **changes):
    data = {
        "school": provider.school_id,
        "name": provider.name,
        "service": provider.service,
        "purpose": provider.purpose,
        "website": provider.website,
        "privacy_policy_url": provider.privacy_policy_url,
        "role": provider.role,
        "data_categories": provider.data_categories,
        "data_fields": provider.data_fields,
        "pupils_covered": provider.pupils_covered,
        "storage_location": provider.storage_location,
        "storage_detail": provider.storage_detail,
        "certifications": "",
        "retention": "",
        "status": provider.status,
        "lawful_basis": provider.lawful_basis,
        "offline_alternative": provider.offline_alternative,
        "notes": "",
        "dpa_signed_on": provider.dpa_signed_on or "",
        "contract_reference": provider.contract_reference,
        "contract_location": provider.contract_location,
        "transfer_safeguard": provider.transfer_safeguard,
        "transfer_risk_assessed_on": provider.transfer_risk_assessed_on or "",
        "art9_condition": provider.art9_condition,
        "schedule1_paragraph": provider.schedule1_paragraph,
        "kind": provider.kind,
        "year_groups": provider.year_groups,
    }
    return data | changes


def test_the_admin_refuses_in_use_without_an_approving_assessment_with_a_clear_message(
    dpo_client, reviewed
):
    for key in ("never", "fine"):  # no review; latest review rejects
        provider = reviewed[key]
        response = dpo_client.post(
            f"{PROVIDERS_URL}{provider.pk}/change/",
            _provider_form(provider, status=ProviderStatus.IN_USE),
        )
        assert response.status_code == 200
        assert "latest published risk assessment must approve it" in response.content.decode()
        assert Provider.objects.get(pk=provider.pk).status == ProviderStatus.PROPOSED


def test_the_admin_puts_an_approved_provider_in_use(dpo_client, reviewed):
    provider = reviewed["soon"]
    response = dpo_client.post(
        f"{PROVIDERS_URL}{provider.pk}/change/",
        _provider_form(provider, status=ProviderStatus.IN_USE),
    )
    assert response.status_code == 302
    assert Provider.objects.get(pk=provider.pk).status == ProviderStatus.IN_USE


def test_starting_an_assessment_makes_a_draft_with_every_criterion(dpo_client, reviewed):
    provider = reviewed["never"]
    response = dpo_client.post(
        PROVIDERS_URL, {"action": "start_assessments", "_selected_action": [provider.pk]}
    )
    draft = RiskAssessment.objects.get(provider=provider)
    assert response["Location"].endswith(f"/riskassessment/{draft.pk}/change/")
    assert draft.status == AssessmentStatus.DRAFT
    assert draft.answers.count() == len(criteria.CRITERIA)


def _assessment_form(assessment, **extra):
    answers = list(assessment.answers.all())
    data = {
        "assessed_on": assessment.assessed_on.isoformat(),
        "decision": "approve",
        "conditions": "",
        "next_review_on": "",
        "notes": "",
        "answers-TOTAL_FORMS": len(answers),
        "answers-INITIAL_FORMS": len(answers),
        "answers-MIN_NUM_FORMS": 0,
        "answers-MAX_NUM_FORMS": 1000,
    }
    for i, a in enumerate(answers):
        data |= {
            f"answers-{i}-id": a.pk,
            f"answers-{i}-assessment": assessment.pk,
            f"answers-{i}-answer": "met",
            f"answers-{i}-evidence": "Seen the certificate",
        }
    return data | extra


def test_the_dpo_answers_and_publishes_an_assessment_in_the_admin(dpo_client, dpo_user, school):
    provider = ProviderFactory(school=school)
    draft = services.start_assessment(provider=provider, actor=dpo_user)
    url = f"/admin/providers/riskassessment/{draft.pk}/change/"
    assert "Save and publish" in dpo_client.get(url).content.decode()
    response = dpo_client.post(url, _assessment_form(draft, _publish="1"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.PUBLISHED
    assert draft.rating == "green"
    assert draft.answers.filter(answer="met").count() == len(criteria.CRITERIA)
    assert draft.next_review_on == draft.assessed_on.replace(year=draft.assessed_on.year + 1)


def test_a_published_assessment_is_read_only_in_the_admin(dpo_client, reviewed):
    assessment = RiskAssessment.objects.get(provider=reviewed["soon"])
    url = f"/admin/providers/riskassessment/{assessment.pk}/change/"
    html = dpo_client.get(url).content.decode()
    assert "Save and publish" not in html
    response = dpo_client.post(url, _assessment_form(assessment, decision="reject"))
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.decision == "approve"


def test_the_dpo_creates_previews_and_publishes_a_generated_notice(dpo_client, school):
    response = dpo_client.post(f"{NOTICES_URL}draft/", {"school": school.pk})
    draft = PrivacyNotice.objects.get(school=school)
    assert response["Location"].endswith(f"/privacynotice/{draft.pk}/change/")
    assert draft.status == NoticeStatus.DRAFT
    assert "National Pupil Database" in draft.body
    preview = dpo_client.get(f"{NOTICES_URL}{draft.pk}/preview/").content.decode()
    assert "draft preview, not published" in preview
    response = dpo_client.post(
        f"{NOTICES_URL}{draft.pk}/change/",
        {"title": draft.title, "body": draft.body + "\n\nAn added line.", "_publish": "1"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == NoticeStatus.PUBLISHED
    assert draft.body.endswith("An added line.")


def test_a_published_notice_cannot_be_edited_in_the_admin(dpo_client, dpo_user, school):
    notice = services.publish_notice(
        notice=services.draft_notice(school=school, actor=dpo_user), actor=dpo_user
    )
    url = f"{NOTICES_URL}{notice.pk}/change/"
    assert dpo_client.get(url).status_code == 200  # read-only view
    response = dpo_client.post(url, {"title": "Changed", "body": "Changed"})
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.title != "Changed"
    assert dpo_client.post(f"{NOTICES_URL}{notice.pk}/delete/", {"post": "yes"}).status_code == 403


def test_office_staff_cannot_create_or_publish_notices(office_client, school, dpo_user):
    assert office_client.post(f"{NOTICES_URL}draft/", {"school": school.pk}).status_code == 403
    draft = services.draft_notice(school=school, actor=dpo_user)
    office_client.post(
        f"{NOTICES_URL}{draft.pk}/change/", {"title": "x", "body": "y", "_publish": "1"}
    )
    draft.refresh_from_db()
    assert draft.status == NoticeStatus.DRAFT


def test_another_schools_dpo_cannot_draft_or_preview_this_schools_notice(
    other_school_client, school, dpo_user
):
    draft = services.draft_notice(school=school, actor=dpo_user)
    assert (
        other_school_client.post(f"{NOTICES_URL}draft/", {"school": school.pk}).status_code == 404
    )
    assert other_school_client.get(f"{NOTICES_URL}{draft.pk}/preview/").status_code == 404
    assert PrivacyNotice.objects.filter(school=school).count() == 1


def test_a_provider_in_use_whose_latest_review_rejects_it_can_still_be_corrected(
    dpo_client, dpo_user, reviewed
):
    provider = reviewed["soon"]
    services.set_provider_status(provider=provider, status=ProviderStatus.IN_USE, actor=dpo_user)
    _review(provider, dpo_user, timezone.localdate() + datetime.timedelta(days=90), "reject")
    response = dpo_client.post(
        f"{PROVIDERS_URL}{provider.pk}/change/",
        _provider_form(provider, status=ProviderStatus.IN_USE, storage_detail="Dublin"),
    )
    assert response.status_code == 302
    assert Provider.objects.get(pk=provider.pk).storage_detail == "Dublin"


def test_the_notices_list_costs_a_fixed_number_of_queries(
    dpo_client, dpo_user, school, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def publish(count):
        for _ in range(count):
            services.publish_notice(
                notice=services.draft_notice(school=school, actor=dpo_user), actor=dpo_user
            )

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = dpo_client.get(NOTICES_URL)
        assert response.status_code == 200
        assert "Create a draft" in response.content.decode()
        return len(ctx.captured_queries)

    publish(1)
    with_one = queries_for_list()
    publish(5)
    assert queries_for_list() == with_one
    with django_assert_max_num_queries(13):
        dpo_client.get(NOTICES_URL)
