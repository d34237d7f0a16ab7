"""The CBDS codes a CTF carries, derived from the pupils' model choices (one
definition of each code list: docs/law.md, "CBDS code lists"), plus the
spellings some suppliers write instead of the code."""

from __future__ import annotations

from pupils.language import CBDS_LANGUAGES
from pupils.models import (
    AssessmentStage,
    Ethnicity,
    NCYear,
    Relationship,
    SenNeedType,
    SenProvision,
    Sex,
    TermName,
)


def _codes(choices) -> frozenset[str]:
    return frozenset(str(value) for value in choices.values)


def _by_code_and_name(choices) -> dict[str, str]:
    """Each code read as itself and by its member's name ("AUTUMN" -> "AUT")."""
    return {**{m.name: m.value for m in choices}, **{m.value: m.value for m in choices}}


SEXES = _by_code_and_name(Sex)
NC_YEARS = _codes(NCYear)
TERMS = _by_code_and_name(TermName)
STAGES = {
    **_by_code_and_name(AssessmentStage),
    "FSP": AssessmentStage.EYFSP.value,
    "RB": AssessmentStage.RBA.value,
}
RELATIONSHIPS = _codes(Relationship)
ETHNICITIES = _codes(Ethnicity)
SEN_PROVISIONS = _codes(SenProvision)
SEN_TYPES = _codes(SenNeedType)

# CBDS language codes, three letters each (pupils.language.CBDS_LANGUAGES,
# which the consent e-mails' language hint also reads): a code is stored as
# the language's name; a sub-code (BNGS, PNJM) is kept as given, so it goes
# out again unchanged, and the hint still reads it by its first three letters.
LANGUAGES = {code: name for code, (_iso, name) in CBDS_LANGUAGES.items()}
LANGUAGE_CODES = {name: code for code, name in LANGUAGES.items()}
