"""Adding a language is adding its translation file (config/locales.py),
also for a language Django's own list lacks; a file whose language nothing
names fails ``manage.py check``. A CTF's first language, as a CBDS code or
sub-code, hints the language of a parent's e-mail (pupils/language.py)."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core import checks
from django.test import override_settings
from django.utils import translation

from config.locales import check_locale_folders, languages_in
from providers import cache
from pupils.language import from_first_language, iso_language
from tests.factories import InUseProviderFactory, PublishedNoticeFactory

LOCALE = Path(settings.BASE_DIR) / "locale"


def _translation(root: Path, folder: str, header: str = "", entries: str = "") -> Path:
    """A translator's file, compiled as `make messages` does."""
    messages = root / folder / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po = messages / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n' + header + "\n" + entries,
        encoding="utf-8",
    )
    subprocess.run(["msgfmt", "-o", str(messages / "django.mo"), str(po)], check=True)  # noqa: S603, S607
    return root / folder


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_somali_pashto_gujarati_and_tigrinya_are_offered_by_their_file_alone(tmp_path):
    for code in ("so", "ps", "gu", "ti"):
        _translation(tmp_path, code)
    assert languages_in(tmp_path) == [
        ("en-gb", "English"),
        ("gu", "ગુજરાતી"),
        ("ps", "پښتو"),
        ("so", "Soomaali"),
        ("ti", "ትግርኛ"),
    ]
    assert translation.get_language_info("ps")["bidi"] is True


def test_a_language_nobody_listed_is_named_by_its_file_header(tmp_path):
    _translation(
        tmp_path,
        "sn",
        '"Language-Team: Shona <shona@example.org>\\n"\n"X-Language-Name: chiShona\\n"\n',
    )
    assert languages_in(tmp_path) == [("en-gb", "English"), ("sn", "ChiShona")]
    assert translation.get_language_info("sn")["name"] == "Shona"


def test_a_file_whose_language_nothing_names_fails_the_system_check(tmp_path):
    folder = _translation(tmp_path, "zz")
    assert languages_in(tmp_path) == [("en-gb", "English")]
    with override_settings(LOCALE_PATHS=[tmp_path, LOCALE]):
        errors = check_locale_folders()
    assert [e.id for e in errors] == ["config.E010"]
    assert str(folder) in errors[0].msg
    assert check_locale_folders() == []  # the project's own folders are all named
    assert not [e for e in checks.run_checks(tags=[checks.Tags.translation]) if e.is_serious()]


@pytest.mark.django_db
def test_a_pashto_file_alone_gives_right_to_left_pages_in_pashto(tmp_path, school, client):
    _translation(
        tmp_path,
        "ps",
        entries='msgid "Cloud services we use"\nmsgstr "هغه کلاوډ خدمتونه چې موږ یې کاروو"\n',
    )
    school.is_default = True
    school.save()
    PublishedNoticeFactory(school=school)
    InUseProviderFactory(school=school, service="Maths Stars")
    cache.clear_local()
    languages = [*settings.LANGUAGES, *languages_in(tmp_path)[1:]]
    with override_settings(LOCALE_PATHS=[tmp_path, LOCALE], LANGUAGES=languages):
        html = client.get("/privacy", HTTP_ACCEPT_LANGUAGE="ps").content.decode()
    cache.clear_local()
    assert '<html lang="ps" dir="rtl">' in html
    assert "هغه کلاوډ خدمتونه چې موږ یې کاروو" in html
    assert 'lang="ps">پښتو</span>' in html


@pytest.mark.parametrize(
    ("recorded", "iso"),
    [
        ("POL", "pl"),
        ("BNGA", "bn"),  # Bengali (any other): a regional sub-code
        ("BNGS", "bn"),  # Sylheti
        ("PNJM", "pa"),  # Mirpuri Panjabi
        ("Panjabi", "pa"),  # the CBDS name, where Django says "Punjabi"
        ("SOM", "so"),
        ("PHT", "ps"),
        ("TGY", "ti"),
        ("Polish", "pl"),
        ("Persian", "fa"),
        ("XYZ", None),
        ("Klingon", None),
    ],
)
def test_a_cbds_code_or_sub_code_names_its_language(recorded, iso):
    assert iso_language(recorded) == iso


def test_a_ctf_sub_code_hints_an_offered_translation():
    assert from_first_language("URDA") == "ur"  # a sub-code, stored as given by a CTF
    assert from_first_language("RMN") == "ro"
    assert from_first_language("Polish") == "pl"
    assert from_first_language("polski") == "pl"
    assert from_first_language("ENG") is None  # English is the default
    assert from_first_language("PNJM") is None  # no Panjabi translation yet
    languages = [*settings.LANGUAGES, ("pa", "ਪੰਜਾਬੀ")]
    with override_settings(LANGUAGES=languages):
        assert from_first_language("PNJM") == "pa"


def test_a_file_with_makemessages_placeholder_header_is_not_offered_and_fails_the_check(
    tmp_path,
):
    """`make messages LOCALE=so` leaves plural=EXPRESSION in the header: the
    compiled file would break every page in the language."""
    messages = tmp_path / "so" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po = messages / "django.po"
    po.write_text(
        '#, fuzzy\nmsgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"\n',
        encoding="utf-8",
    )
    subprocess.run(["msgfmt", "-o", str(messages / "django.mo"), str(po)], check=True)  # noqa: S603, S607
    assert languages_in(tmp_path) == [("en-gb", "English")]
    with override_settings(LOCALE_PATHS=[tmp_path]):
        errors = check_locale_folders()
    assert [e.id for e in errors] == ["config.E011"]
    assert str(tmp_path / "so") in errors[0].msg
