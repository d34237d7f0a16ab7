"""DPIA screening: the ICO's examples of processing likely to result in a
high risk (UK GDPR Art 35(1) and (4); ICO guidance, "When do we need to do
a DPIA?", the list of processing that requires a DPIA). A provider with
any answer "yes" needs a completed, DPO-signed-off DPIA before it may be
approved or used (docs/law.md, "Processors, transfers and DPIAs").

Plain data and one rule, no Django. Codes are stored: never rename one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NEW_TECHNOLOGY = "new-technology"
SPECIAL_AT_SCALE = "special-at-scale"
BIOMETRIC = "biometric"
TRACKING = "tracking"
PROFILING = "profiling"


@dataclass(frozen=True)
class Question:
    code: str
    text: str


QUESTIONS = (
    Question(
        NEW_TECHNOLOGY,
        "It uses children's data with new or innovative technology (for example artificial "
        "intelligence, facial recognition or a new kind of app).",
    ),
    Question(
        SPECIAL_AT_SCALE,
        "It processes special category data (medical, SEN, ethnicity) on a large scale, for "
        "example about every pupil or a whole year group.",
    ),
    Question(BIOMETRIC, "It uses biometric data, such as fingerprints or face recognition."),
    Question(TRACKING, "It tracks pupils' location or behaviour, online or offline."),
    Question(
        PROFILING,
        "It profiles pupils, makes automated decisions about them, or markets or advertises "
        "to them.",
    ),
)
BY_CODE = {q.code: q for q in QUESTIONS}

#: A provider that receives biometric data needs a DPIA whatever the answers.
BIOMETRIC_CATEGORY = "biometric"


def reasons(answers: Iterable[str], data_categories: Iterable[str]) -> list[str]:
    """The screening codes that make a DPIA necessary, in question order."""
    yes = set(answers)
    if BIOMETRIC_CATEGORY in set(data_categories):
        yes.add(BIOMETRIC)
    return [q.code for q in QUESTIONS if q.code in yes]
