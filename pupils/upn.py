"""Unique Pupil Number (UPN) rules. Pure Python: no Django here.

Source: DfE, "Unique Pupil Numbers (UPN): a guide for schools and local
authorities". 13 characters: check letter, 3-digit LA code, 4-digit DfE
establishment number, 2-digit year of issue, 3-digit serial. A temporary UPN
ends in a letter instead of the last digit.

python-stdnum's ``gb.upn`` also validates the LA code against a list from
2011 and so refuses real UPNs issued by authorities created since (838, 839,
940-943). A real pupil's UPN must never be refused, so the LA code is checked
for shape only and the check letter is computed here.
"""

import re

# Position in this string is the value: A=0 ... Z=22 (I, O and S are never used).
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_SHAPE = re.compile(r"^[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]$")


class InvalidUPN(ValueError):
    pass


def compact(value: str) -> str:
    return "".join(value.split()).upper()


def check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (positions 2-13)."""
    total = 0
    for weight, char in enumerate(body, start=2):
        total += weight * (int(char) if char.isdigit() else CHECK_LETTERS.index(char))
    return CHECK_LETTERS[total % 23]


def validate(value: str) -> str:
    """Return the UPN in canonical form, or raise InvalidUPN with a reason."""
    upn = compact(value)
    if len(upn) != 13:
        raise InvalidUPN("A UPN has 13 characters.")
    if not _SHAPE.match(upn):
        raise InvalidUPN(
            "A UPN is a check letter, 11 digits, then a digit (or a letter for a temporary UPN)."
        )
    if check_letter(upn[1:]) != upn[0]:
        raise InvalidUPN("The check letter does not match the rest of the UPN.")
    return upn


def is_temporary(upn: str) -> bool:
    return compact(upn)[-1].isalpha()


def make(la_code: str, estab: str, year: int, serial: int, *, temporary: bool = False) -> str:
    """Build a valid UPN (for demo data and tests)."""
    body = f"{la_code}{estab}{year % 100:02d}{serial % 1000:03d}"
    if temporary:
        body = body[:-1] + CHECK_LETTERS[serial % 23]
    return check_letter(body) + body
