"""The demo data shows providers in every state and can be loaded twice."""

import datetime

from django.utils import timezone

from providers import demo
from providers.models import NoticeStatus, PrivacyNotice, Provider, ProviderStatus
from pupils import demo as pupil_demo


def _seed():
    school, created = pupil_demo.seed_school()
    ctx = pupil_demo.DemoContext(school=school, created=created)
    pupil_demo.seed_staff(ctx)
    demo.seed(ctx)
    return school


def test_the_demo_has_overdue_rejected_proposed_and_consent_providers(db):
    school = _seed()
    today = timezone.localdate()
    providers = {p.service: p for p in Provider.objects.for_school(school).with_last_assessment()}
    assert len(providers) == len(demo.PROVIDERS)
    assert providers["Seesaw"].next_review_on < today
    assert providers["Bug Club"].next_review_on <= today + datetime.timedelta(days=30)
    assert providers["Class and individual photographs"].last_decision == "reject"
    assert providers["Tapestry"].status == ProviderStatus.PROPOSED
    assert providers["Tapestry"].last_assessed_on is None
    in_use = Provider.objects.for_school(school).in_use()
    assert in_use.filter(lawful_basis="consent").exclude(offline_alternative="").exists()
    assert in_use.exclude(lawful_basis="consent").exists()
    assert all(p.has_approving_assessment() for p in in_use)
    notice = PrivacyNotice.objects.current_for(school)
    assert notice.status == NoticeStatus.PUBLISHED and school.name in notice.body


def test_loading_the_demo_twice_adds_nothing(db):
    _seed()
    counts = (Provider.objects.count(), PrivacyNotice.objects.count())
    _seed()
    assert (Provider.objects.count(), PrivacyNotice.objects.count()) == counts
    # 7 cloud services, 5 photograph uses and biometric meals, one review each
    assert sum(p.assessments.count() for p in Provider.objects.all()) == 13


def test_the_demo_providers_are_right_in_law(db):
    school = _seed()
    providers = {p.service: p for p in Provider.objects.for_school(school)}
    parentpay = providers["ParentPay"]
    assert parentpay.lawful_basis == "public_task"
    assert (parentpay.art9_condition, parentpay.schedule1_paragraph) == ("g", "18")
    in_use = [p for p in providers.values() if p.status == ProviderStatus.IN_USE]
    assert len(in_use) == 12  # 6 cloud services, 5 photograph uses, biometric meals
    for p in in_use:
        assert p.has_contract_on_record or not p.needs_contract, p.service
        p.full_clean()
    # The photograph uses are the school's own processing, not processors.
    photos = [p for p in in_use if p.service.startswith("Photos:")]
    assert len(photos) == 5
    assert {p.role for p in photos} == {"school"}
    assert all(p.role != "school" for p in in_use if p not in photos)
    for p in providers.values():
        assert not p.receives_special_category_data or p.art9_condition, p.service
