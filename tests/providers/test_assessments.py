"""Risk assessments are versioned, published ones never change, and a
provider is only approved or in use with an approving assessment."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from providers import criteria, services
from providers.models import (
    AssessmentAnswer,
    Decision,
    Provider,
    ProviderStatus,
    PublishedRecordError,
    RiskAssessment,
)
from pupils.models import AuditEvent

from ..factories import ProviderFactory

ALL_MET = {c.code: ("met", "Checked") for c in criteria.CRITERIA}


@pytest.fixture
def provider(school):
    return ProviderFactory(school=school)


def test_recording_an_assessment_stores_every_answer_the_rating_and_a_year_to_review(
    provider, dpo_user
):
    assessment = services.record_assessment(
        provider=provider,
        answers=ALL_MET | {"ncsc-13": ("partly", "Logs on request only")},
        decision=Decision.APPROVE,
        actor=dpo_user,
        assessed_on=datetime.date(2026, 3, 2),
    )
    assessment.refresh_from_db()
    assert assessment.version == 1
    assert assessment.is_published
    assert assessment.rating == "green"
    assert assessment.assessor == dpo_user
    assert assessment.next_review_on == datetime.date(2027, 3, 2)
    assert assessment.answers.count() == len(criteria.CRITERIA)
    assert assessment.answers.get(criterion="ncsc-13").evidence == "Logs on request only"
    assert AuditEvent.objects.filter(object_id=str(assessment.pk)).exists()


def test_a_new_review_is_a_new_version_and_leaves_the_last_one_alone(provider, dpo_user):
    first = services.record_assessment(
        provider=provider, answers=ALL_MET, decision=Decision.APPROVE, actor=dpo_user
    )
    second = services.record_assessment(
        provider=provider,
        answers=ALL_MET | {"art28-g": "not_met"},
        decision=Decision.REJECT,
        actor=dpo_user,
    )
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert (first.rating, first.decision) == ("green", "approve")
    assert (second.rating, second.decision) == ("red", "reject")
    assert provider.latest_assessment() == second


def test_a_published_assessment_and_its_answers_cannot_be_changed_or_deleted(provider, dpo_user):
    assessment = services.record_assessment(
        provider=provider, answers=ALL_MET, decision=Decision.APPROVE, actor=dpo_user
    )
    assessment.decision = Decision.REJECT
    with pytest.raises(PublishedRecordError):
        assessment.save()
    with pytest.raises(PublishedRecordError):
        assessment.delete()
    answer = assessment.answers.first()
    answer.answer = "not_met"
    with pytest.raises(PublishedRecordError):
        answer.save()
    assert RiskAssessment.objects.get(pk=assessment.pk).decision == Decision.APPROVE
    assert AssessmentAnswer.objects.get(pk=answer.pk).answer == "met"


def test_publishing_twice_is_refused(provider, dpo_user):
    assessment = services.record_assessment(
        provider=provider, answers=ALL_MET, decision=Decision.APPROVE, actor=dpo_user
    )
    with pytest.raises(ValidationError):
        services.publish_assessment(assessment=assessment, actor=dpo_user)


def test_approving_with_conditions_needs_the_conditions_written_down(provider, dpo_user):
    draft = services.start_assessment(provider=provider, actor=dpo_user)
    with pytest.raises(ValidationError, match="conditions"):
        services.publish_assessment(
            assessment=draft, actor=dpo_user, decision=Decision.APPROVE_WITH_CONDITIONS
        )
    draft.refresh_from_db()
    assert not draft.is_published


def test_unknown_criteria_are_refused_and_nothing_is_saved(provider, dpo_user):
    with pytest.raises(ValidationError, match="Unknown criteria"):
        services.record_assessment(
            provider=provider, answers={"made-up": "met"}, decision="approve", actor=dpo_user
        )
    assert not RiskAssessment.objects.exists()


@pytest.mark.parametrize("status", [ProviderStatus.IN_USE, ProviderStatus.APPROVED])
def test_a_provider_without_an_assessment_cannot_be_approved_or_put_in_use(
    provider, dpo_user, status
):
    with pytest.raises(ValidationError, match="risk assessment must approve"):
        services.set_provider_status(provider=provider, status=status, actor=dpo_user)
    assert Provider.objects.get(pk=provider.pk).status == ProviderStatus.PROPOSED


def test_a_provider_whose_latest_review_rejects_it_cannot_be_put_in_use(provider, dpo_user):
    services.record_assessment(
        provider=provider, answers=ALL_MET, decision=Decision.APPROVE, actor=dpo_user
    )
    services.record_assessment(
        provider=provider, answers=ALL_MET, decision=Decision.REJECT, actor=dpo_user
    )
    with pytest.raises(ValidationError):
        services.set_provider_status(
            provider=provider, status=ProviderStatus.IN_USE, actor=dpo_user
        )
    assert Provider.objects.get(pk=provider.pk).status == ProviderStatus.PROPOSED


def test_a_draft_assessment_does_not_count_as_approval(provider, dpo_user):
    draft = services.start_assessment(provider=provider, actor=dpo_user)
    draft.decision = Decision.APPROVE
    draft.save()
    with pytest.raises(ValidationError):
        services.set_provider_status(
            provider=provider, status=ProviderStatus.IN_USE, actor=dpo_user
        )


def test_an_approved_provider_can_be_put_in_use_and_the_change_is_audited(provider, dpo_user):
    services.record_assessment(
        provider=provider, answers=ALL_MET, decision=Decision.APPROVE, actor=dpo_user
    )
    services.set_provider_status(provider=provider, status=ProviderStatus.IN_USE, actor=dpo_user)
    assert Provider.objects.get(pk=provider.pk).status == ProviderStatus.IN_USE
    event = AuditEvent.objects.filter(object_type="providers.provider").latest("id")
    assert event.fields == ["status"]
    assert event.actor == dpo_user


def test_a_consent_provider_in_use_must_name_its_offline_alternative(provider, dpo_user):
    services.record_assessment(
        provider=provider, answers=ALL_MET, decision=Decision.APPROVE, actor=dpo_user
    )
    provider.offline_alternative = ""
    provider.save()
    with pytest.raises(ValidationError):
        services.set_provider_status(
            provider=provider, status=ProviderStatus.IN_USE, actor=dpo_user
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Provider.objects.filter(pk=provider.pk).update(status=ProviderStatus.IN_USE)


def test_review_state_querysets_find_overdue_and_due_soon_reviews(school, dpo_user):
    today = datetime.date(2026, 11, 28)
    overdue, soon, later = (ProviderFactory(school=school) for _ in range(3))
    for provider, next_review in (
        (overdue, datetime.date(2026, 11, 1)),
        (soon, datetime.date(2026, 12, 20)),
        (later, datetime.date(2027, 6, 1)),
    ):
        services.record_assessment(
            provider=provider,
            answers=ALL_MET,
            decision=Decision.APPROVE,
            actor=dpo_user,
            assessed_on=datetime.date(2026, 1, 5),
            next_review_on=next_review,
        )
    assert list(Provider.objects.review_overdue(today)) == [overdue]
    assert list(Provider.objects.review_due_within(today)) == [soon]
