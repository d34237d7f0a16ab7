"""The overall risk rating of a cloud provider (red / amber / green).

Pure rules, no Django. The rating is monotonic: a worse answer to any
criterion, storage further from the UK, or special category data can never
improve it. Every rule below is a maximum or a sum of non-decreasing terms,
which is what keeps that true (tests/providers/test_risk.py checks every
single-step worsening).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .criteria import BY_CODE, CRITERIA, CRITICAL_CODES

MET, PARTLY, UNKNOWN, NOT_MET = "met", "partly", "unknown", "not_met"
#: Answers from best to worst. An unanswered criterion counts as unknown.
ANSWER_ORDER = (MET, PARTLY, UNKNOWN, NOT_MET)
ANSWER_POINTS = {MET: 0, PARTLY: 1, UNKNOWN: 2, NOT_MET: 3}

GREEN, AMBER, RED = "green", "amber", "red"
RATING_ORDER = (GREEN, AMBER, RED)

UK, EEA, ADEQUACY, IDTA, OTHER = "uk", "eea", "adequacy", "idta", "other"
#: Storage locations from least to most risky (ICO guidance on transfers:
#: UK, then countries with UK adequacy regulations, then IDTA/addendum).
STORAGE_ORDER = (UK, EEA, ADEQUACY, IDTA, OTHER)
STORAGE_POINTS = {UK: 0, EEA: 1, ADEQUACY: 1, IDTA: 3, OTHER: 6}

#: Points at which the total becomes amber / red. Special category data
#: halves both thresholds.
AMBER_AT = 8
RED_AT = 20


@dataclass(frozen=True)
class Rating:
    level: str
    points: int
    reasons: tuple[str, ...] = field(default=())


def _worst(*levels: str) -> str:
    return max(levels, key=RATING_ORDER.index)


def rate(
    answers: Mapping[str, str],
    *,
    storage: str,
    special_category: bool,
    criteria: Iterable[str] | None = None,
) -> Rating:
    """Rate one assessment. ``answers`` maps criterion codes to answers."""
    codes = list(criteria) if criteria is not None else [c.code for c in CRITERIA]
    unknown_codes = set(answers) - set(codes)
    if unknown_codes:
        raise ValueError(f"Unknown criteria: {sorted(unknown_codes)}")
    bad_answers = {a for a in answers.values() if a not in ANSWER_POINTS}
    if bad_answers:
        raise ValueError(f"Unknown answers: {sorted(bad_answers)}")
    if storage not in STORAGE_POINTS:
        raise ValueError(f"Unknown storage location: {storage}")

    full = {code: answers.get(code, UNKNOWN) for code in codes}
    reasons: list[str] = []
    level = GREEN

    points = sum(ANSWER_POINTS[a] for a in full.values()) + STORAGE_POINTS[storage]
    divisor = 2 if special_category else 1
    if points >= RED_AT / divisor:
        level = _worst(level, RED)
        reasons.append("too many criteria are not fully met")
    elif points >= AMBER_AT / divisor:
        level = _worst(level, AMBER)
        reasons.append("several criteria are not fully met")

    for code in sorted(CRITICAL_CODES.intersection(codes)):
        answer = full[code]
        title = BY_CODE[code].title
        if answer == NOT_MET:
            level = _worst(level, RED)
            reasons.append(f"essential criterion not met: {title}")
        elif answer == UNKNOWN:
            level = _worst(level, RED if special_category else AMBER)
            reasons.append(f"essential criterion unknown: {title}")
        elif answer == PARTLY and special_category:
            level = _worst(level, AMBER)
            reasons.append(f"essential criterion only partly met: {title}")

    if storage == OTHER:
        level = _worst(level, RED if special_category else AMBER)
        reasons.append("data stored outside the UK without a recognised safeguard")
    elif storage == IDTA and special_category:
        level = _worst(level, AMBER)
        reasons.append("special category data transferred under the IDTA or addendum")

    return Rating(level=level, points=points, reasons=tuple(reasons))


def worse_answers(answer: str) -> tuple[str, ...]:
    return ANSWER_ORDER[ANSWER_ORDER.index(answer) + 1 :]


def is_worse_or_equal(a: str, b: str) -> bool:
    """True when rating ``a`` is at least as bad as ``b``."""
    return RATING_ORDER.index(a) >= RATING_ORDER.index(b)
