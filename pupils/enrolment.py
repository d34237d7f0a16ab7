"""Checks other apps add to the applicant -> on roll step.

``pupils`` knows nothing of the apps above it; they register a check here
(e.g. consent: "the family's consent form is complete") in their
``AppConfig.ready``, and the pupil admin form asks ``enrolment_problems``.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import Pupil

EnrolmentCheck = Callable[[Pupil], list[str]]
_checks: list[EnrolmentCheck] = []


def register_enrolment_check(check: EnrolmentCheck) -> EnrolmentCheck:
    if check not in _checks:
        _checks.append(check)
    return check


def enrolment_problems(pupil: Pupil) -> list[str]:
    """Why this pupil cannot go on roll yet (empty: nothing stands in the way)."""
    problems: list[str] = []
    for check in _checks:
        problems.extend(check(pupil))
    return problems
