"""Which languages the parents' pages offer: English, plus one for every
translation file in ``locale/``. Adding a language is adding its folder
(``locale/<code>/LC_MESSAGES/django.po`` and the compiled ``django.mo``);
nothing else changes (docs/translations.md).

A language Django does not know (Somali, Pashto, Gujarati, Tigrinya...) is
named from ``EXTRA_LANGUAGES`` below, or else from the translation file's
own header, which a translator fills in::

    "Language-Team: Somali\\n"           (its name in English)
    "X-Language-Name: Soomaali\\n"       (its name in itself, for the switcher)
    "X-Language-Direction: rtl\\n"       (only for a right-to-left language)

and is added to Django's ``LANG_INFO``, so the switcher, ``{% get_language_info %}``
and ``<html dir>`` work for it as for any other. A folder whose language
cannot be named either way is not offered, and ``manage.py check`` (run by
the tests and at deployment) fails naming the folder.

Read by the settings, so this imports no app code."""

from __future__ import annotations

import gettext
import struct
from pathlib import Path
from typing import Any

from django.conf.locale import LANG_INFO
from django.core import checks
from django.utils.translation import to_language

DEFAULT_LANGUAGE = ("en-gb", "English")

#: Languages families at English schools often speak that Django's own list
#: lacks: code -> (name in English, name in itself, right to left).
EXTRA_LANGUAGES: dict[str, tuple[str, str, bool]] = {
    "am": ("Amharic", "አማርኛ", False),
    "ku": ("Kurdish (Kurmanji)", "Kurdî", False),
    "gu": ("Gujarati", "ગુજરાતી", False),
    "prs": ("Dari", "دری", True),
    "ps": ("Pashto", "پښتو", True),
    "si": ("Sinhala", "සිංහල", False),
    "so": ("Somali", "Soomaali", False),
    "ti": ("Tigrinya", "ትግርኛ", False),
    "tw": ("Twi", "Twi", False),
    "yo": ("Yoruba", "Yorùbá", False),
}


def local_name(code: str) -> str:
    """The language's own name for itself, as a menu shows it ("Polski")."""
    name = LANG_INFO[code]["name_local"]
    return name[:1].upper() + name[1:]


def unreadable(catalogue: Path) -> str:
    """Why the compiled catalogue cannot be used ("" when it can): Django
    would fail on every page in its language (a header still saying
    ``plural=EXPRESSION``, as ``makemessages`` leaves it, or a damaged file)."""
    try:
        with catalogue.open("rb") as f:
            gettext.GNUTranslations(f)
    except (OSError, ValueError, struct.error) as exc:
        return str(exc) or type(exc).__name__
    return ""


def _header(catalogue: Path) -> dict[str, str]:
    """The compiled catalogue's header fields, keys in lower case."""
    try:
        with catalogue.open("rb") as f:
            return gettext.GNUTranslations(f).info()
    except (OSError, ValueError, struct.error):
        return {}


def language_info(code: str, catalogue: Path) -> dict[str, Any] | None:
    """Django's LANG_INFO entry for ``code``; for a language Django lacks,
    one made from ``EXTRA_LANGUAGES`` or the catalogue's header; None when
    neither names it."""
    if code in LANG_INFO:
        return LANG_INFO[code]
    if code in EXTRA_LANGUAGES:
        name, name_local, bidi = EXTRA_LANGUAGES[code]
    else:
        header = _header(catalogue)
        name = header.get("language-team", "").split("<")[0].strip()
        if name.upper() == "LANGUAGE":  # makemessages' placeholder
            name = ""
        name_local = header.get("x-language-name", "").strip()
        bidi = header.get("x-language-direction", "").strip().lower() == "rtl"
        if not (name and name_local):
            return None
    return {"bidi": bidi, "code": code, "name": name, "name_local": name_local}


def languages_in(locale_dir: Path) -> list[tuple[str, str]]:
    """English first, then every language with a compiled catalogue in
    ``locale_dir`` (by its code, e.g. ``pl``, ``pt_BR``), named in its own
    language. A folder without ``django.mo`` is a translation still being
    written: it is not offered. A language Django does not know is added to
    its ``LANG_INFO`` (see the module's docstring)."""
    found = []
    for catalogue in sorted(locale_dir.glob("*/LC_MESSAGES/django.mo")):
        code = to_language(catalogue.parent.parent.name)
        if code == DEFAULT_LANGUAGE[0]:
            continue
        info = language_info(code, catalogue)
        if info is None or "fallback" in info or unreadable(catalogue):
            continue
        LANG_INFO.setdefault(code, info)
        found.append((code, local_name(code)))
    return [DEFAULT_LANGUAGE, *found]


def bidi_languages(languages: list[tuple[str, str]]) -> list[str]:
    """The codes of ``languages`` written right to left."""
    return [code for code, _name in languages if LANG_INFO.get(code, {}).get("bidi")]


def unnamed_folders(locale_dir: Path) -> list[Path]:
    """Folders of ``locale_dir`` with a compiled catalogue whose language
    nothing names (so ``languages_in`` leaves them out)."""
    return [
        catalogue.parent.parent
        for catalogue in sorted(locale_dir.glob("*/LC_MESSAGES/django.mo"))
        if language_info(to_language(catalogue.parent.parent.name), catalogue) is None
    ]


@checks.register(checks.Tags.translation)
def check_locale_folders(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A translation that is not offered because nothing names its language,
    or because its compiled file cannot be read."""
    from django.conf import settings

    broken: list[checks.CheckMessage] = [
        checks.Error(
            f"The translation in {catalogue.parent.parent} is not offered: its django.mo "
            f"cannot be read ({problem}).",
            hint=(
                "Fill in the header of its django.po (the Plural-Forms line for the "
                "language, and remove '#, fuzzy' above the header) and run make messages; "
                "see docs/translations.md."
            ),
            id="config.E011",
        )
        for locale_dir in settings.LOCALE_PATHS
        for catalogue in sorted(Path(locale_dir).glob("*/LC_MESSAGES/django.mo"))
        if (problem := unreadable(catalogue))
    ]
    return broken + [
        checks.Error(
            f"The translation in {folder} is not offered: Django does not know the "
            f"language {folder.name!r}.",
            hint=(
                "Name the folder by the language's code (e.g. 'so' for Somali), or fill "
                "in the header of its django.po ('Language-Team: <name in English>' and "
                "'X-Language-Name: <its own name>', plus 'X-Language-Direction: rtl' for "
                "a right-to-left language) and run make messages; see docs/translations.md."
            ),
            id="config.E010",
        )
        for locale_dir in settings.LOCALE_PATHS
        for folder in unnamed_folders(Path(locale_dir))
    ]
