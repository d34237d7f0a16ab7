"""The review-due rule: the list's column (Python) and its filter (SQL)
agree on every edge day, because both come from providers.review."""

import datetime

import pytest

from providers import criteria, review, services
from providers.models import Decision, Provider
from providers.review import DUE_SOON_DAYS, ReviewState

from ..factories import ProviderFactory

TODAY = datetime.date(2026, 11, 28)
ALL_MET = {c.code: ("met", "Checked") for c in criteria.CRITERIA}
EDGE_DAYS = (-1, 0, 1, DUE_SOON_DAYS - 1, DUE_SOON_DAYS, DUE_SOON_DAYS + 1)


@pytest.mark.parametrize(
    ("offset", "state"),
    [
        (-365, ReviewState.OVERDUE),
        (-1, ReviewState.OVERDUE),
        (0, ReviewState.DUE),
        (DUE_SOON_DAYS, ReviewState.DUE),
        (DUE_SOON_DAYS + 1, ReviewState.OK),
    ],
)
def test_a_review_is_overdue_from_the_day_after_and_due_within_the_window(offset, state):
    assert review.review_state(TODAY + datetime.timedelta(days=offset), TODAY) == state


def test_a_provider_never_assessed_has_no_review_date():
    assert review.review_state(None, TODAY) == ReviewState.NONE


@pytest.mark.django_db
def test_the_filter_and_the_column_agree_on_every_edge_day(school, dpo_user):
    expected: dict[int, ReviewState] = {}
    for offset in EDGE_DAYS:
        provider = ProviderFactory(school=school, service=f"Service {offset}")
        next_review_on = TODAY + datetime.timedelta(days=offset)
        services.record_assessment(
            provider=provider,
            answers=ALL_MET,
            decision=Decision.APPROVE,
            actor=dpo_user,
            assessed_on=next_review_on - datetime.timedelta(days=365),
            next_review_on=next_review_on,
        )
        expected[provider.pk] = review.review_state(next_review_on, TODAY)
    never = ProviderFactory(school=school, service="Never assessed")
    expected[never.pk] = ReviewState.NONE

    for state in ReviewState:
        found = set(Provider.objects.with_review_state(state, TODAY).values_list("pk", flat=True))
        assert found == {pk for pk, s in expected.items() if s == state}, state
    # The row-by-row column reads the same annotation the filter uses.
    for provider in Provider.objects.with_last_assessment():
        assert review.review_state(provider.next_review_on, TODAY) == expected[provider.pk]
