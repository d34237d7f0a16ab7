"""The overall rating: a worse answer, storage further away or special
category data never makes it better."""

import itertools
import random

import pytest

from providers import criteria, risk

CODES = [c.code for c in criteria.CRITERIA]


def _profiles():
    """Starting points: uniform answers, each critical/non-critical mix, and
    seeded random profiles (property-style)."""
    for answer in risk.ANSWER_ORDER:
        yield dict.fromkeys(CODES, answer)
    rng = random.Random(28)
    for _ in range(60):
        weights = rng.choice([(8, 2, 1, 1), (3, 3, 2, 2), (1, 1, 1, 1), (20, 1, 1, 0)])
        yield {c: rng.choices(risk.ANSWER_ORDER, weights=weights)[0] for c in CODES}


def test_every_single_worse_answer_never_improves_the_rating():
    checked = 0
    for base in _profiles():
        for storage, special in itertools.product(risk.STORAGE_ORDER, (False, True)):
            before = risk.rate(base, storage=storage, special_category=special)
            for code in CODES:
                for worse in risk.worse_answers(base[code]):
                    after = risk.rate(
                        {**base, code: worse}, storage=storage, special_category=special
                    )
                    assert risk.is_worse_or_equal(after.level, before.level), (code, worse)
                    assert after.points >= before.points
                    checked += 1
    assert checked > 10_000


def test_storage_further_from_the_uk_never_improves_the_rating():
    for base in _profiles():
        for special in (False, True):
            levels = [
                risk.rate(base, storage=s, special_category=special).level
                for s in risk.STORAGE_ORDER
            ]
            for earlier, later in itertools.pairwise(levels):
                assert risk.is_worse_or_equal(later, earlier)


def test_special_category_data_never_improves_the_rating():
    for base in _profiles():
        for storage in risk.STORAGE_ORDER:
            plain = risk.rate(base, storage=storage, special_category=False)
            special = risk.rate(base, storage=storage, special_category=True)
            assert risk.is_worse_or_equal(special.level, plain.level)


def test_all_met_in_the_uk_is_green():
    rating = risk.rate(dict.fromkeys(CODES, risk.MET), storage=risk.UK, special_category=True)
    assert rating.level == risk.GREEN
    assert rating.reasons == ()


def test_an_essential_criterion_not_met_is_red_whatever_else():
    answers = dict.fromkeys(CODES, risk.MET) | {"art28-g": risk.NOT_MET}
    rating = risk.rate(answers, storage=risk.UK, special_category=False)
    assert rating.level == risk.RED
    assert any("Deletes or returns" in r for r in rating.reasons)


def test_a_minor_gap_stays_green_but_many_gaps_turn_amber():
    met = dict.fromkeys(CODES, risk.MET)
    one_gap = risk.rate(met | {"ncsc-13": risk.PARTLY}, storage=risk.UK, special_category=False)
    assert one_gap.level == risk.GREEN
    non_critical = [c for c in CODES if c not in criteria.CRITICAL_CODES][:8]
    many = met | dict.fromkeys(non_critical, risk.PARTLY)
    assert risk.rate(many, storage=risk.UK, special_category=False).level == risk.AMBER


def test_unsafeguarded_storage_is_amber_and_red_with_special_category_data():
    met = dict.fromkeys(CODES, risk.MET)
    assert risk.rate(met, storage=risk.OTHER, special_category=False).level == risk.AMBER
    assert risk.rate(met, storage=risk.OTHER, special_category=True).level == risk.RED
    assert risk.rate(met, storage=risk.IDTA, special_category=True).level == risk.AMBER


def test_an_unanswered_criterion_counts_as_unknown():
    answers = dict.fromkeys(CODES, risk.MET)
    del answers["ncsc-01"]
    assert risk.rate(answers, storage=risk.UK, special_category=False).level == risk.AMBER


@pytest.mark.parametrize(
    ("answers", "storage"),
    [({"nope": risk.MET}, risk.UK), ({"ncsc-01": "great"}, risk.UK), ({}, "moon")],
)
def test_nonsense_input_is_refused(answers, storage):
    with pytest.raises(ValueError):
        risk.rate(answers, storage=storage, special_category=False)


def test_the_criteria_are_the_ncsc_14_dfe_7_and_art_28_8_with_their_sources():
    sections = [c.section for c in criteria.CRITERIA]
    assert sections.count(criteria.NCSC) == 14
    assert sections.count(criteria.DFE) == 7
    assert sections.count(criteria.ART28) == 8
    assert len(set(CODES)) == len(CODES)
    assert all(c.source for c in criteria.CRITERIA)
    assert "ncsc.gov.uk" in criteria.SOURCES[criteria.NCSC]
