"""Which language to write to a parent in.

The contact's preferred language (set by staff) when the school has a
translation for it; else, as a hint, the first language recorded for their
children (a Common Transfer File's "Polish" when a Polish translation exists);
else nothing, and the caller keeps the language it has (the browser's on a
parent's page, English on the staff site).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from .models import Contact, Pupil


#: CBDS language codes (DfE code set; a CTF's <Language>) by their first
#: three letters, with the ISO code of the translation they point to and the
#: name the pupil record keeps. A sub-code (BNGS Sylheti, PNJM Mirpuri,
#: ARAM Moroccan Arabic) points where its three letters do.
CBDS_LANGUAGES: dict[str, tuple[str, str]] = {
    "ENG": ("en", "English"),
    "ALB": ("sq", "Albanian"),
    "AMR": ("am", "Amharic"),
    "ARA": ("ar", "Arabic"),
    "BNG": ("bn", "Bengali"),
    "BUL": ("bg", "Bulgarian"),
    "CHI": ("zh-hans", "Chinese"),
    "CZE": ("cs", "Czech"),
    "FAR": ("fa", "Persian/Farsi"),
    "FRN": ("fr", "French"),
    "GER": ("de", "German"),
    "GUJ": ("gu", "Gujarati"),
    "HIN": ("hi", "Hindi"),
    "HUN": ("hu", "Hungarian"),
    "ITA": ("it", "Italian"),
    "KUR": ("ku", "Kurdish"),
    "LAV": ("lv", "Latvian"),
    "LIT": ("lt", "Lithuanian"),
    "NEP": ("ne", "Nepali"),
    "PHT": ("ps", "Pashto/Pakhto"),
    "PNJ": ("pa", "Panjabi"),
    "POL": ("pl", "Polish"),
    "POR": ("pt", "Portuguese"),
    "RMN": ("ro", "Romanian"),
    "RUS": ("ru", "Russian"),
    "SLO": ("sk", "Slovak"),
    "SOM": ("so", "Somali"),
    "SPA": ("es", "Spanish"),
    "SWA": ("sw", "Swahili"),
    "TAM": ("ta", "Tamil"),
    "TGY": ("ti", "Tigrinya"),
    "TUR": ("tr", "Turkish"),
    "URD": ("ur", "Urdu"),
    "VIE": ("vi", "Vietnamese"),
    "YOR": ("yo", "Yoruba"),
}
_CBDS_CODE = re.compile(r"[A-Z]{3}[A-Z0-9]?")


def iso_language(recorded: str) -> str | None:
    """The ISO code a recorded first language names: a CBDS code or sub-code
    ("POL", "BNGA": by its first three letters) or a CBDS name ("Panjabi");
    None when it is neither."""
    value = recorded.strip()
    if _CBDS_CODE.fullmatch(value) and value[:3] in CBDS_LANGUAGES:
        return CBDS_LANGUAGES[value[:3]][0]
    wanted = value.casefold()
    for code, name in CBDS_LANGUAGES.values():
        if wanted in {n.casefold() for n in name.split("/")} | {name.casefold()}:
            return code
    return None


def offered() -> dict[str, str]:
    """Language code -> its own name, for every language the pages are in."""
    return dict(settings.LANGUAGES)


def from_first_language(name: str) -> str | None:
    """The offered language a recorded first language names ("Polish",
    "polski", "ur", a CBDS code such as "POL" or a sub-code such as "BNGS"),
    other than the default; None when there is none."""
    wanted = name.strip().casefold()
    if not wanted:
        return None
    iso = iso_language(name)
    if iso and iso in offered() and iso != settings.LANGUAGE_CODE:
        return iso
    for code in offered():
        info = LANG_INFO.get(code, {})
        names = {code, info.get("name", ""), info.get("name_local", "")}
        if code != settings.LANGUAGE_CODE and wanted in {n.casefold() for n in names}:
            return code
    return None


def contact_language(contact: Contact, pupils: Iterable[Pupil] = ()) -> str | None:
    """The language to use for this contact, or None to keep the current one.
    ``pupils`` are the contact's children (already loaded by the caller)."""
    if contact.preferred_language in offered():
        return contact.preferred_language
    for pupil in pupils:
        code = from_first_language(pupil.first_language)
        if code:
            return code
    return None


def preferred_language_field(**kwargs) -> forms.ChoiceField:
    """The staff form's field for ``Contact.preferred_language``."""
    choices: list[tuple[str, str | _StrPromise]] = [
        ("", _("Not set: the children's first language or the browser's"))
    ]
    choices += [
        (code, f"{LANG_INFO[code]['name']} ({name})" if code in LANG_INFO else name)
        for code, name in offered().items()
    ]
    kwargs.update(choices=choices, required=False)
    kwargs.pop("max_length", None)
    kwargs.pop("empty_value", None)
    return forms.ChoiceField(**kwargs)


def chosen_language(request: HttpRequest) -> str | None:
    """The language the visitor picked with the switcher (a cookie), if offered."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return code if code in offered() else None


def speak_contacts_language(
    request: HttpRequest, contact: Contact, pupils: Iterable[Pupil] = ()
) -> None:
    """On a page opened from a contact's link: their language, unless the
    visitor chose another with the switcher (their choice wins)."""
    code = None if chosen_language(request) else contact_language(contact, pupils)
    if code:
        translation.activate(code)
        request.LANGUAGE_CODE = code
