"""The public pages in the parent's language: which languages exist, how one
is chosen (switcher cookie, then Accept-Language), right to left for Urdu,
and the staff site held in English."""

import ast
import gettext
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from config.locales import languages_in
from providers import cache

from ..factories import InUseProviderFactory, PublishedNoticeFactory

pytestmark = pytest.mark.django_db
LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A view activates the page's language in this thread: put English back
    so that no later test inherits it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def public(school, client):
    school.is_default = True
    school.save()
    PublishedNoticeFactory(school=school)
    InUseProviderFactory(school=school, service="Maths Stars")
    cache.clear_local()
    return client


def _catalogue(tmp_path: Path, folder: str, *, compiled: bool = True) -> None:
    messages = tmp_path / folder / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "django.po").write_text("")
    if compiled:
        # A valid compiled catalogue with no messages (an empty file is not one,
        # and is not offered: config/locales.py).
        (messages / "django.mo").write_bytes(struct.pack("<7I", 0x950412DE, 0, 0, 28, 28, 0, 28))


def test_a_language_is_offered_by_adding_its_compiled_translation_file(tmp_path):
    _catalogue(tmp_path, "pl")
    _catalogue(tmp_path, "cy")
    _catalogue(tmp_path, "pt_BR")
    _catalogue(tmp_path, "ro", compiled=False)  # still being written
    _catalogue(tmp_path, "xx")  # not a language Django knows
    assert languages_in(tmp_path) == [
        ("en-gb", "English"),
        ("cy", "Cymraeg"),
        ("pl", "Polski"),
        ("pt-br", "Português Brasileiro"),
    ]


def test_the_site_offers_english_polish_romanian_and_urdu():
    assert [code for code, _ in settings.LANGUAGES] == ["en-gb", "pl", "ro", "ur"]


@pytest.mark.parametrize("code", ["pl", "ro", "ur"])
def test_every_message_is_translated_and_the_compiled_file_matches_it(code):
    """No empty or fuzzy entry, and the .mo holds what the .po says (a
    translator who forgets `make messages` fails here)."""
    po = (LOCALE / code / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    entries = [e for e in po.split("\n\n") if "\nmsgid " in "\n" + e][1:]
    assert len(entries) > 100
    for entry in entries:
        keys = ["msgstr[0]", "msgstr[1]"] if "msgid_plural" in entry else ["msgstr"]
        assert all(_po_string(entry, key) for key in keys), entry
    with (LOCALE / code / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for entry in entries:
        if "msgid_plural" in entry or "msgctxt" in entry:
            continue
        msgid = _po_string(entry, "msgid")
        assert compiled.gettext(msgid) == _po_string(entry, "msgstr"), msgid


def _po_string(entry: str, key: str) -> str:
    """The (possibly multi-line) string after ``key`` in a .po entry."""
    lines = entry.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith(f"{key} "))
    parts = [lines[i][len(key) + 1 :]]
    for line in lines[i + 1 :]:
        if not line.startswith('"'):
            break
        parts.append(line)
    return "".join(ast.literal_eval(part) for part in parts)


def test_the_browser_language_chooses_the_page_language(public):
    html = public.get("/privacy", HTTP_ACCEPT_LANGUAGE="pl,en;q=0.5").content.decode()
    assert '<html lang="pl" dir="ltr">' in html
    assert "Usługi w chmurze, z których korzystamy" in html
    assert "Cloud services we use" not in html


def test_each_language_has_its_own_cached_copy_of_the_privacy_page(public):
    english = public.get("/privacy").content.decode()
    polish = public.get("/privacy", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    again = public.get("/privacy").content.decode()
    assert "Cloud services we use" in english and "Cloud services we use" in again
    assert "Usługi w chmurze, z których korzystamy" in polish


def test_the_page_varies_on_accept_language_and_stays_shareable(public):
    response = public.get("/privacy", HTTP_ACCEPT_LANGUAGE="ro")
    vary = {v.strip() for v in response["Vary"].split(",")}
    assert "Accept-Language" in vary and "Cookie" not in vary
    assert "public" in response["Cache-Control"]
    assert response["Content-Language"] == "ro"


def test_a_page_in_the_language_chosen_by_cookie_is_private_to_that_browser(public):
    public.cookies[settings.LANGUAGE_COOKIE_NAME] = "pl"
    for _ in range(2):  # never answered from, or kept as, the shared copy
        response = public.get("/privacy", HTTP_ACCEPT_LANGUAGE="en-GB")
        assert "Usługi w chmurze, z których korzystamy" in response.content.decode()
        assert "Cookie" in response["Vary"]
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
    del public.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert "Cloud services we use" in public.get("/privacy").content.decode()


def test_urdu_pages_are_right_to_left(public):
    html = public.get("/privacy", HTTP_ACCEPT_LANGUAGE="ur").content.decode()
    assert '<html lang="ur" dir="rtl">' in html
    assert "کلاؤڈ سروسز جو ہم استعمال کرتے ہیں" in html


def test_the_switcher_names_each_language_in_itself_and_marks_the_current_one(public):
    html = public.get("/privacy", HTTP_ACCEPT_LANGUAGE="ro").content.decode()
    assert 'aria-current="true" lang="ro">Română</span>' in html
    assert 'lang="pl" hreflang="pl">Polski</a>' in html
    assert 'lang="ur" hreflang="ur">اردو</a>' in html
    assert 'lang="en-gb" hreflang="en-gb">English</a>' in html


def test_the_switcher_sets_a_cookie_and_goes_back_without_a_session(public):
    response = public.get("/language/ur/?next=/privacy", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 302 and response["Location"] == "/privacy"
    assert response.cookies["language"].value == "ur"
    assert response.cookies["language"]["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    # The choice beats the browser's Accept-Language from now on.
    html = public.get("/privacy", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert '<html lang="ur" dir="rtl">' in html


def test_on_the_cached_privacy_pages_the_switcher_goes_back_to_the_page_it_was_on(public):
    # Those pages are rendered without the request, so their links carry no
    # "next": the way back is the Referer (sent on the same site).
    html = public.get("/privacy/print").content.decode()
    assert 'href="/language/pl/"' in html
    response = public.get("/language/pl/", HTTP_REFERER="http://testserver/privacy/print")
    assert response["Location"] == "http://testserver/privacy/print"
    assert response.cookies["language"].value == "pl"


def test_the_switcher_goes_back_only_to_this_site(public):
    response = public.get("/language/pl/?next=https://evil.example/")
    assert response["Location"] == "/privacy"
    response = public.get("/language/pl/", HTTP_REFERER="https://evil.example/")
    assert response["Location"] == "/privacy"


def test_the_switcher_ignores_a_language_the_site_does_not_offer(public):
    response = public.get("/language/fr/?next=/privacy")
    assert response.status_code == 302
    assert "language" not in response.cookies


def test_the_staff_site_stays_in_english_whatever_the_browser_asks(dpo_client):
    dpo_client.cookies["language"] = "pl"
    response = dpo_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    assert response["Content-Language"] == "en-gb"
    html = response.content.decode()
    assert "Log out" in html and "Wyloguj" not in html


def test_the_policy_document_stays_english_and_left_to_right_on_an_urdu_page(public, school):
    from providers import services

    services.publish_policy_document(
        document=services.draft_policy_document(school=school, actor="test"), actor="test"
    )
    cache.clear_local()
    html = public.get("/privacy/policy", HTTP_ACCEPT_LANGUAGE="ur").content.decode()
    assert '<html lang="ur" dir="rtl">' in html
    assert '<div class="notice" lang="en-GB" dir="ltr">' in html


@pytest.mark.parametrize(
    ("code", "direction", "request_heading", "complaint_button"),
    [
        ("pl", "ltr", "Poproś o kopię informacji", "Wyślij skargę"),
        ("ro", "ltr", "Cereți o copie a informațiilor", "Trimite plângerea"),
        ("ur", "rtl", "معلومات کی نقل مانگیں", "میری شکایت بھیجیں"),
    ],
)
def test_the_request_and_complaint_forms_are_in_the_parents_language(
    public, code, direction, request_heading, complaint_button
):
    form = public.get("/privacy/request", HTTP_ACCEPT_LANGUAGE=code).content.decode()
    assert f'<html lang="{code}" dir="{direction}">' in form
    assert request_heading in form and "Send my request" not in form
    complaint = public.get("/privacy/complaint", HTTP_ACCEPT_LANGUAGE=code).content.decode()
    assert complaint_button in complaint and "Send my complaint" not in complaint


@pytest.mark.parametrize(
    ("kind", "dpo_subject"),
    [("access", "New subject access request"), ("erasure", "New rights request")],
)
def test_a_family_writing_in_polish_gets_polish_mail_and_the_dpo_english(
    client, family, django_capture_on_commit_callbacks, kind, dpo_subject
):
    from django.core import mail
    from django.core.cache import cache as django_cache

    from tests.sharing.test_public_requests import request_data

    django_cache.clear()
    family.school.is_default = True
    family.school.save()
    data = request_data(family, family.mother.email, kind=kind)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/privacy/request", data, HTTP_ACCEPT_LANGUAGE="pl")
    to_family = next(m for m in mail.outbox if m.to == [family.mother.email])
    to_dpo = next(m for m in mail.outbox if m.to == [family.school.dpo_email])
    assert to_family.subject.startswith("Potwierdź swój wniosek")
    assert to_dpo.subject.startswith(dpo_subject) and "was logged on" in to_dpo.body
