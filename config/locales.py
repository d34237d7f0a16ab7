"""Which languages the parents' pages offer: English, plus one for every
translation file in ``locale/``. Adding a language is adding its folder
(``locale/<code>/LC_MESSAGES/django.po`` and the compiled ``django.mo``);
nothing else changes. Read by the settings, so this imports no app code."""

from __future__ import annotations

from pathlib import Path

from django.conf.locale import LANG_INFO
from django.utils.translation import to_language

DEFAULT_LANGUAGE = ("en-gb", "English")


def local_name(code: str) -> str:
    """The language's own name for itself, as a menu shows it ("Polski")."""
    name = LANG_INFO[code]["name_local"]
    return name[:1].upper() + name[1:]


def languages_in(locale_dir: Path) -> list[tuple[str, str]]:
    """English first, then every language with a compiled catalogue in
    ``locale_dir`` that Django knows (by its code, e.g. ``pl``, ``pt_BR``),
    named in its own language. A folder without ``django.mo`` is a
    translation still being written: it is not offered."""
    found = []
    for folder in sorted(locale_dir.glob("*/LC_MESSAGES/django.mo")):
        code = to_language(folder.parent.parent.name)
        if code in LANG_INFO and code != DEFAULT_LANGUAGE[0] and "fallback" not in LANG_INFO[code]:
            found.append((code, local_name(code)))
    return [DEFAULT_LANGUAGE, *found]
