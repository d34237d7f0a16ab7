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


# --- A provider in use that gains a DPIA trigger ------------------------------------


@pytest.fixture
def in_use(school, dpo_user):
    """A provider in use, approved, with no DPIA trigger (yet)."""
    provider = ProviderFactory(school=school)
    services.record_assessment(
        provider=provider,
        answers={c.code: "met" for c in criteria.CRITERIA},
        decision="approve",
        actor=dpo_user,
    )
    return services.set_provider_status(
        provider=provider, status=ProviderStatus.IN_USE, actor=dpo_user
    )


@pytest.mark.parametrize(
    "change",
    [
        {"data_categories": ["name", "year", "biometric"], "art9_condition": "a"},
        {"dpia_screening": [dpia.PROFILING]},
    ],
    ids=["biometric data", "profiling"],
)
def test_a_provider_in_use_that_gains_a_dpia_trigger_cannot_be_saved_without_a_dpia(
    in_use, dpo_user, change
):
    for name, value in change.items():
        setattr(in_use, name, value)
    with pytest.raises(ValidationError, match="DPIA screening") as raised:
        services.save_provider(provider=in_use, actor=dpo_user, fields=list(change))
    assert "status" in raised.value.message_dict
    stored = Provider.objects.get(pk=in_use.pk)
    assert stored.data_categories == ["name", "year"] and stored.dpia_screening == []


def test_with_a_signed_off_dpia_the_provider_in_use_gains_the_trigger(in_use, dpo_user):
    in_use.dpia_screening = [dpia.PROFILING]
    draft = _complete(services.start_dpia(provider=in_use, actor=dpo_user))
    services.sign_off_dpia(dpia=draft, actor=dpo_user)
    services.save_provider(provider=in_use, actor=dpo_user, fields=["dpia_screening"])
    assert Provider.objects.get(pk=in_use.pk).dpia_screening == [dpia.PROFILING]


def test_the_admin_shows_a_field_error_when_a_provider_in_use_gains_biometric_data(
    dpo_client, in_use
):
    from .test_admin import _provider_form

    response = dpo_client.post(
        f"/admin/providers/provider/{in_use.pk}/change/",
        _provider_form(in_use, data_categories=["name", "year", "biometric"], art9_condition="a"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "DPIA screening" in " ".join(errors["status"])
    assert Provider.objects.get(pk=in_use.pk).data_categories == ["name", "year"]


# --- DPIAs of the school's own processing -------------------------------------------


def test_a_dpia_of_the_schools_own_processing_is_numbered_signed_off_and_in_the_pack(
    school, dpo_user
):
    from sharing.registers import pack

    draft = services.start_processing_dpia(
        school=school,
        processing="CCTV  in the playground",
        screening=[dpia.TRACKING],
        description="Cameras at the gates.",
        actor=dpo_user,
    )
    assert (draft.school, draft.provider, draft.processing) == (
        school,
        None,
        "CCTV in the playground",
    )
    assert (draft.version, draft.screening) == (1, [dpia.TRACKING])
    signed = services.sign_off_dpia(dpia=_complete(draft), actor=dpo_user)
    assert AuditEvent.objects.filter(
        summary="DPIA v1 signed off: CCTV in the playground", school_id=school.pk
    ).exists()
    again = services.start_processing_dpia(
        school=school, processing="CCTV in the playground", actor=dpo_user
    )
    assert again.version == 2
    assert (
        services.start_processing_dpia(school=school, processing="Other", actor=dpo_user).version
        == 1
    )

    rows = pack.dpias(school)
    register = pack.dpia_register_csv(rows)
    assert "CCTV in the playground,The school itself,1,Signed off by the DPO" in register
    assert pack.dpia_file_name(signed) == "dpias/cctv-in-the-playground-school-v1.txt"
    assert "Provider: The school itself" in pack.dpia_text(signed)


def test_a_dpia_is_of_a_provider_or_of_the_schools_own_processing_never_both(school, dpo_user):
    provider = ProviderFactory(school=school)
    for fields in ({"provider": provider, "processing": "CCTV"}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Dpia.objects.create(school=school, version=9, **fields)
    with pytest.raises(ValidationError, match="Name the processing|provider or of"):
        services.start_processing_dpia(school=school, processing="  ", actor=dpo_user)


def test_the_dpo_adds_a_dpia_of_the_schools_own_processing_in_the_staff_site(
    dpo_client, office_client, other_school_client, school
):
    form = {
        "school": school.pk,
        "processing": "Safeguarding records system",
        "screening_answers": [dpia.SPECIAL_AT_SCALE],
        "description": "Records of concerns about pupils.",
    }
    response = dpo_client.post(f"{DPIAS_URL}add/", form)
    assert response.status_code == 302
    draft = Dpia.objects.get(processing="Safeguarding records system")
    assert (draft.school, draft.provider, draft.screening) == (
        school,
        None,
        [dpia.SPECIAL_AT_SCALE],
    )
    assert "Safeguarding records system" in dpo_client.get(DPIAS_URL).content.decode()
    assert office_client.post(f"{DPIAS_URL}add/", form).status_code == 403
    # Another school's DPO is never offered this school.
    response = other_school_client.post(f"{DPIAS_URL}add/", form | {"processing": "CCTV"})
    assert response.status_code == 200 and not Dpia.objects.filter(processing="CCTV").exists()
