"""Biometrics under the Protection of Freedoms Act 2012 ss26-28: at least one
parent's written consent, no parent's objection, no objection from the
pupil (at any age), and an alternative arranged."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from consent import reports
from consent.forms import field_name
from consent.models import ConsentMethod, ConsentRecord, OfflineArrangement
from consent.services import record_consent, send_consent_requests
from providers.models import PurposeKind
from tests.factories import InUseProviderFactory

from .helpers import link_from_outbox, path_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def meals(family):
    """Fingerprint meals; Ben is in Reception (aged 5)."""
    family.meals = InUseProviderFactory(
        school=family.school,
        service="Fingerprint meals",
        name="Cashless Catering Ltd",
        kind=PurposeKind.BIOMETRIC,
        data_categories=["name", "biometric"],
        offline_alternative="A named meal card.",
    )
    return family


def _parent(f, user, contact, given, method=ConsentMethod.PAPER, pupil=None):
    return record_consent(
        actor=user,
        pupil=pupil or f.children[1],
        provider=f.meals,
        given=given,
        given_by_contact=contact,
        method=method,
    )[0]


def _pupil(f, user, given):
    return record_consent(
        actor=user,
        pupil=f.children[1],
        provider=f.meals,
        given=given,
        by_pupil=True,
        method=ConsentMethod.PAPER,
    )[0]


def may_process(f) -> bool:
    ben = f.children[1]
    return ben not in reports.not_to_set_up(f.meals)


def objected(f) -> bool:
    return f.children[1] in reports.offline_to_do(f.meals)


def test_one_parents_consent_is_enough_when_nobody_objects(meals, office_user):
    assert not may_process(meals)  # no answer: no processing
    _parent(meals, office_user, meals.mother, True)
    assert may_process(meals)


def test_one_parents_objection_overrides_the_other_parents_consent(meals, office_user):
    _parent(meals, office_user, meals.father, False)
    _parent(meals, office_user, meals.mother, True)  # later, but does not win
    assert not may_process(meals) and objected(meals)


def test_a_later_objection_overrides_an_earlier_consent(meals, office_user):
    _parent(meals, office_user, meals.mother, True)
    _parent(meals, office_user, meals.father, False)
    assert not may_process(meals) and objected(meals)


def test_the_parent_who_objected_can_take_it_back(meals, office_user):
    _parent(meals, office_user, meals.mother, True)
    _parent(meals, office_user, meals.father, False)
    _parent(meals, office_user, meals.father, True, method=ConsentMethod.EMAIL)
    assert may_process(meals)


def test_the_childs_refusal_overrides_both_parents_consent_at_any_age(meals, office_user):
    _parent(meals, office_user, meals.mother, True)
    _parent(meals, office_user, meals.father, True)
    record = _pupil(meals, office_user, False)  # Ben is 5
    assert record.by_pupil and record.recorded_by == office_user
    assert not may_process(meals) and objected(meals)
    _pupil(meals, office_user, True)  # Ben no longer objects
    assert may_process(meals)


def test_the_pupils_yes_alone_is_not_consent(meals, office_user):
    _pupil(meals, office_user, True)
    assert not may_process(meals) and not objected(meals)


def test_a_parents_answer_by_telephone_is_refused_it_must_be_in_writing(meals, office_user):
    with pytest.raises(ValidationError, match="in writing"):
        _parent(meals, office_user, meals.mother, True, method=ConsentMethod.PHONE)
    assert not ConsentRecord.objects.exists()


def test_the_alternative_arrangement_is_tracked(meals, office_user):
    _parent(meals, office_user, meals.mother, False)
    OfflineArrangement.objects.create(
        pupil=meals.children[1], provider=meals.meals, arranged_by=office_user
    )
    (row,) = reports.offline_to_do(meals.meals)
    assert row.arranged_by == office_user.username


def test_the_answer_is_marked_explicit_consent_and_the_form_says_so(
    meals, office_user, client, django_capture_on_commit_callbacks
):
    record = _parent(meals, office_user, meals.mother, True)
    assert record.explicit
    maths = _parent_other(meals, office_user)
    assert not maths.explicit
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=meals.children)
    client.get(path_of(link_from_outbox(0)))
    page = client.get("/consent/form/")
    html = page.content.decode()
    assert "This is explicit consent." in html and "Article 9(2)(a)" in html
    assert "Protection of Freedoms Act 2012" in html
    field = page.context["form"].fields[field_name(meals.children[1].pk, meals.meals.pk)]
    assert [str(label) for _value, label in field.choices] == ["Yes, I consent", "No, I object"]


def _parent_other(f, user):
    return record_consent(
        actor=user,
        pupil=f.children[1],
        provider=f.providers[0],
        given=True,
        given_by_contact=f.mother,
        method=ConsentMethod.PAPER,
    )[0]


def test_each_parent_sees_their_own_biometric_answer_on_the_form(
    meals, office_user, client, django_capture_on_commit_callbacks
):
    _parent(meals, office_user, meals.mother, True)
    _parent(meals, office_user, meals.father, False)
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=meals.children)
    mother_link = next(i for i, m in enumerate(mail.outbox) if m.to == [meals.mother.email])
    client.get(path_of(link_from_outbox(mother_link)))
    form = client.get("/consent/form/").context["form"]
    assert form.initial[field_name(meals.children[1].pk, meals.meals.pk)] == "yes"
