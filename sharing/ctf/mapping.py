"""How a CTF's values map onto the school's records, and how the importer
compares them: which pupil field comes from which part of the file, when two
values are the same, and who a contact is across siblings."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError

from pupils.models import Pupil, SpecialCategoryRecord
from sharing.dates import long_date

from .report import PupilOutcome

# Pupil field -> how to read it from a CtfPupil, and the section that carries it.
PUPIL_FIELDS = {
    "legal_surname": ("surname", None),
    "legal_forename": ("forename", None),
    "date_of_birth": ("date_of_birth", None),
    "sex": ("sex", None),
    "middle_names": ("middle_names", "basic"),
    "preferred_surname": ("preferred_surname", "basic"),
    "preferred_forename": ("preferred_forename", "basic"),
    "former_upn": ("former_upn", "basic"),
    "nc_year": ("nc_year", "basic"),
    "first_language": ("first_language", "basic"),
}
ADDRESS_FIELDS = {
    "address_line1": "line1",
    "address_line2": "line2",
    "town": "town",
    "postcode": "postcode",
}


def same_value(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
    return a == b


def shown(value) -> str:
    if isinstance(value, datetime.date):
        return long_date(value)
    return str(value)


def is_valid(obj, outcome: PupilOutcome) -> bool:
    try:
        obj.clean_fields(exclude=["school", "pupil", "contact"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            outcome.problems.append(f"{name}: {' '.join(messages)}")
        return False
    return True


def contact_key(contact) -> tuple:
    return (contact.forename.casefold(), contact.surname.casefold())


def family_key_of(contact) -> tuple | None:
    """Who a contact is across pupils: the name and a way of reaching them.
    Two people of the same name with nothing else in common stay apart."""
    reach = contact.email.casefold() or "".join(contact.phone_mobile.split())
    if not reach:
        return None
    return (*contact_key(contact), reach)


def contact_values(ctf_contact) -> dict:
    values = {
        "title": ctf_contact.title[:20],
        "forename": ctf_contact.forename,
        "surname": ctf_contact.surname,
        "email": ctf_contact.email,
        "phone_home": ctf_contact.phone_home,
        "phone_mobile": ctf_contact.phone_mobile,
        "phone_work": ctf_contact.phone_work,
    }
    if ctf_contact.address is not None:
        for name, attr in ADDRESS_FIELDS.items():
            values[name] = getattr(ctf_contact.address, attr)
    return values


def special_record_of(pupil: Pupil) -> SpecialCategoryRecord | None:
    try:
        return pupil.special
    except SpecialCategoryRecord.DoesNotExist:
        return None
