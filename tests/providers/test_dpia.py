"""DPIAs (UK GDPR Art 35): the screening decides whether one is needed, and
a provider that needs one cannot be approved or used until the DPO has
signed off a completed one that lets it go ahead."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from providers import criteria, dpia, services
from providers.models import Dpia, DpiaStatus, Provider, ProviderStatus, PublishedRecordError
from pupils.models import AuditEvent

from ..factories import ProviderFactory

DPIAS_URL = "/admin/providers/dpia/"


# --- The screening (pure) ----------------------------------------------------------


def test_no_screening_answer_means_no_dpia():
    assert dpia.reasons([], ["name", "year"]) == []


def test_each_screening_answer_makes_a_dpia_necessary():
    for q in dpia.QUESTIONS:
        assert dpia.reasons([q.code], ["name"]) == [q.code]


def test_biometric_data_needs_a_dpia_whatever_the_answers():
    assert dpia.reasons([], ["name", "biometric"]) == [dpia.BIOMETRIC]


# --- The rule ----------------------------------------------------------------------


@pytest.fixture
def screened(school, dpo_user):
    """A provider approved by its risk assessment, contract on record, whose
    screening says a DPIA is needed."""
    provider = ProviderFactory(school=school, dpia_screening=[dpia.NEW_TECHNOLOGY])
    services.record_assessment(
        provider=provider,
        answers={c.code: "met" for c in criteria.CRITERIA},
        decision="approve",
        actor=dpo_user,
    )
    return provider


def _complete(draft, **changes):
    values = {
        "risks": "Pupils' reading data seen by the supplier's staff: unlikely, minimal harm.",
        "measures": "Forename and class only; supplier access logged; deleted on exit.",
        "residual_risk": "low",
        "dpo_advice": "Go ahead with the measures.",
        "decision": "measures",
        "review_on": timezone.localdate() + datetime.timedelta(days=365),
    } | changes
    for name, value in values.items():
        setattr(draft, name, value)
    draft.save()
    return draft


def test_a_provider_needing_a_dpia_cannot_be_set_in_use_without_one(screened, dpo_user):
    for status in (ProviderStatus.APPROVED, ProviderStatus.IN_USE):
        with pytest.raises(ValidationError, match="DPIA screening"):
            services.set_provider_status(provider=screened, status=status, actor=dpo_user)
    assert Provider.objects.get(pk=screened.pk).status == ProviderStatus.PROPOSED


def test_a_draft_dpia_is_not_enough(screened, dpo_user):
    _complete(services.start_dpia(provider=screened, actor=dpo_user))
    with pytest.raises(ValidationError, match="signed off by the DPO"):
        services.set_provider_status(
            provider=screened, status=ProviderStatus.IN_USE, actor=dpo_user
        )


def test_a_signed_off_dpia_deciding_not_to_go_ahead_is_not_enough(screened, dpo_user):
    draft = _complete(services.start_dpia(provider=screened, actor=dpo_user), decision="stop")
    services.sign_off_dpia(dpia=draft, actor=dpo_user)
    with pytest.raises(ValidationError, match="DPIA"):
        services.set_provider_status(
            provider=screened, status=ProviderStatus.IN_USE, actor=dpo_user
        )


def test_a_signed_off_dpia_lets_the_provider_be_used(screened, dpo_user):
    draft = _complete(services.start_dpia(provider=screened, actor=dpo_user))
    signed = services.sign_off_dpia(dpia=draft, actor=dpo_user)
    assert (signed.status, signed.signed_off_by) == (DpiaStatus.PUBLISHED, dpo_user)
    services.set_provider_status(provider=screened, status=ProviderStatus.IN_USE, actor=dpo_user)
    assert Provider.objects.get(pk=screened.pk).status == ProviderStatus.IN_USE
    assert AuditEvent.objects.filter(summary__startswith="DPIA v1 signed off").exists()


def test_an_incomplete_dpia_cannot_be_signed_off_and_says_what_is_missing(screened, dpo_user):
    draft = _complete(services.start_dpia(provider=screened, actor=dpo_user), dpo_advice="")
    with pytest.raises(ValidationError, match="the DPO's advice"):
        services.sign_off_dpia(dpia=draft, actor=dpo_user)
    assert Dpia.objects.get(pk=draft.pk).status == DpiaStatus.DRAFT


def test_a_high_remaining_risk_cannot_go_ahead_without_the_ico(screened, dpo_user):
    draft = _complete(services.start_dpia(provider=screened, actor=dpo_user))
    with pytest.raises(IntegrityError), transaction.atomic():
        Dpia.objects.filter(pk=draft.pk).update(residual_risk="high")
    draft.residual_risk, draft.decision = "high", "consult_ico"
    draft.save()
    services.sign_off_dpia(dpia=draft, actor=dpo_user)
    with pytest.raises(ValidationError, match="DPIA"):
        services.set_provider_status(
            provider=screened, status=ProviderStatus.IN_USE, actor=dpo_user
        )


def test_only_the_dpo_signs_off(screened, dpo_user, office_user):
    draft = _complete(services.start_dpia(provider=screened, actor=dpo_user))
    with pytest.raises(ValidationError, match="Only the DPO"):
        services.sign_off_dpia(dpia=draft, actor=office_user)


def test_a_signed_off_dpia_never_changes(screened, dpo_user):
    signed = services.sign_off_dpia(
        dpia=_complete(services.start_dpia(provider=screened, actor=dpo_user)), actor=dpo_user
    )
    signed.risks = "Rewritten later"
    with pytest.raises(PublishedRecordError):
        signed.save()
    assert services.start_dpia(provider=screened, actor=dpo_user).version == 2


# --- Staff site --------------------------------------------------------------------


def test_the_dpo_starts_a_dpia_from_the_provider_and_signs_it_off(dpo_client, screened):
    response = dpo_client.post(
        "/admin/providers/provider/",
        {"action": "start_dpias", "_selected_action": [screened.pk]},
    )
    draft = Dpia.objects.get(provider=screened)
    assert response.status_code == 302 and response.url.endswith(f"/dpia/{draft.pk}/change/")
    assert draft.screening == [dpia.NEW_TECHNOLOGY]
    form = {
        "description": "Reading app",
        "necessity": "Needed for reading practice.",
        "risks": "Supplier staff access.",
        "measures": "Minimal data.",
        "residual_risk": "low",
        "dpo_advice": "Go ahead.",
        "decision": "measures",
        "decision_notes": "",
        "review_on": (timezone.localdate() + datetime.timedelta(days=300)).isoformat(),
        "_publish": "Save and sign off",
    }
    page = dpo_client.get(f"{DPIAS_URL}{draft.pk}/change/")
    assert "Save and sign off" in page.content.decode()
    response = dpo_client.post(f"{DPIAS_URL}{draft.pk}/change/", form)
    assert response.status_code == 302
    assert Dpia.objects.get(pk=draft.pk).status == DpiaStatus.PUBLISHED


def test_the_provider_list_shows_which_need_a_dpia(
    dpo_client, screened, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        html = dpo_client.get("/admin/providers/provider/").content.decode()
    assert "needed" in html


def test_office_staff_cannot_see_dpias_and_another_school_gets_404(
    office_client, other_school_client, screened, dpo_user
):
    draft = services.start_dpia(provider=screened, actor=dpo_user)
    assert office_client.get(DPIAS_URL).status_code == 403
    assert other_school_client.get(f"{DPIAS_URL}{draft.pk}/change/").status_code == 404
