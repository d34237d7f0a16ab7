"""The consent form and its e-mails in the family's language: the contact's
preferred language (set by staff), the children's first language as a hint,
the browser's language, and the parent's own choice with the switcher."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.core import mail
from django.test import RequestFactory
from django.utils import translation

from consent.services import send_consent_requests
from pupils.models import Contact

from .helpers import answers_post, link_from_outbox, path_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    """Views activate the page's language in this thread: put English back."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _prefer(contact: Contact, code: str) -> None:
    contact.preferred_language = code
    contact.save(update_fields=["preferred_language"])


def _send(family, office_user, capture) -> None:
    with capture(execute=True):
        send_consent_requests(actor=office_user, pupils=family.children)


def _mail_to(contact: Contact):
    return next(m for m in mail.outbox if m.to == [contact.email])


def _open_form(family, office_user, client, capture, **headers):
    _send(family, office_user, capture)
    mail.outbox.sort(key=lambda m: m.to[0] != family.mother.email)  # the mother's link
    client.get(path_of(link_from_outbox(0)))
    return client.get("/consent/form/", **headers)


def test_the_email_to_a_contact_who_prefers_polish_is_in_polish(
    family, office_user, django_capture_on_commit_callbacks
):
    _prefer(family.mother, "pl")
    _send(family, office_user, django_capture_on_commit_callbacks)
    polish, english = _mail_to(family.mother), _mail_to(family.father)
    assert polish.subject.endswith(": prosimy o Twoje decyzje dotyczące zgód")
    assert "pytamy o:" in polish.body
    assert "Otwórz swój osobisty formularz:" in polish.body
    assert "Ten link jest tylko dla Ciebie" in polish.body
    assert "Open your personal form" not in polish.body
    # Polish month names, in the genitive a date needs ("5 stycznia").
    assert any(
        month in polish.body
        for month in (
            "stycznia",
            "lutego",
            "marca",
            "kwietnia",
            "maja",
            "czerwca",
            "lipca",
            "sierpnia",
            "września",
            "października",
            "listopada",
            "grudnia",
        )
    )
    # The other parent, with no preference, still gets English.
    assert english.subject.endswith(": please give your consent choices")
    assert "Open your personal form:" in english.body


def test_the_childrens_first_language_is_a_hint_when_the_contact_has_no_preference(
    family, office_user, django_capture_on_commit_callbacks
):
    family.children[0].first_language = "Romanian"  # as a CTF records it
    family.children[0].save()
    _send(family, office_user, django_capture_on_commit_callbacks)
    assert "Deschideți formularul dumneavoastră personal:" in _mail_to(family.mother).body
    # A contact's own preference wins over the hint.
    mail.outbox.clear()
    _prefer(family.father, "en-gb")
    _send(family, office_user, django_capture_on_commit_callbacks)
    assert "Open your personal form:" in _mail_to(family.father).body


def test_a_preference_for_a_language_the_school_has_no_translation_for_is_ignored(
    family, office_user, django_capture_on_commit_callbacks
):
    _prefer(family.mother, "fr")
    _send(family, office_user, django_capture_on_commit_callbacks)
    assert "Open your personal form:" in _mail_to(family.mother).body


def test_a_reminder_is_in_the_contacts_language(
    family, office_user, django_capture_on_commit_callbacks
):
    _prefer(family.mother, "ur")
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=family.children, reason="reminder")
    body = _mail_to(family.mother).body
    assert "یہ یاد دہانی ہے" in body
    assert "اپنا ذاتی فارم کھولیں:" in body


def test_the_form_opens_in_the_contacts_language_whatever_the_browser_says(
    family, office_user, client, django_capture_on_commit_callbacks
):
    _prefer(family.mother, "pl")
    page = _open_form(
        family,
        office_user,
        client,
        django_capture_on_commit_callbacks,
        HTTP_ACCEPT_LANGUAGE="en-GB",
    )
    html = page.content.decode()
    assert '<html lang="pl" dir="ltr">' in html
    assert "<h1>Twoje zgody</h1>" in html
    assert "Czy Amy może korzystać z Maths Stars?" in html
    assert page["Content-Language"] == "pl"


def test_the_parents_own_choice_beats_the_contacts_preferred_language(
    family, office_user, client, django_capture_on_commit_callbacks
):
    _prefer(family.mother, "pl")
    client.cookies["language"] = "ro"
    html = _open_form(
        family, office_user, client, django_capture_on_commit_callbacks
    ).content.decode()
    assert '<html lang="ro" dir="ltr">' in html
    assert "Poate Amy să folosească Maths Stars?" in html


def test_with_no_preference_the_browsers_language_is_used(
    family, office_user, client, django_capture_on_commit_callbacks
):
    html = _open_form(
        family,
        office_user,
        client,
        django_capture_on_commit_callbacks,
        HTTP_ACCEPT_LANGUAGE="ur,en;q=0.3",
    ).content.decode()
    assert '<html lang="ur" dir="rtl">' in html
    assert "<h1>آپ کی رضامندی کے انتخاب</h1>" in html


def test_the_error_summary_and_check_page_are_in_polish_and_the_receipt_too(
    family, office_user, client, django_capture_on_commit_callbacks
):
    _prefer(family.mother, "pl")
    _open_form(family, office_user, client, django_capture_on_commit_callbacks)
    errors = client.post("/consent/form/", {}).content.decode()
    assert "Wystąpił problem" in errors
    assert "Wybierz „Tak” lub „Nie” dla: Amy, Maths Stars" in errors
    assert "There is a problem" not in errors
    client.post("/consent/form/", answers_post(family, {(1, 1): "no"}))
    check = client.get("/consent/check/").content.decode()
    assert "Sprawdź odpowiedzi przed wysłaniem" in check
    assert "Wyślij moje odpowiedzi" in check
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consent/check/")
    done = client.get("/consent/done/").content.decode()
    assert "Twoje odpowiedzi zostały wysłane" in done
    receipt = mail.outbox[0]
    assert receipt.subject.endswith(": Twoje zgody (potwierdzenie)")
    assert "Photo Journal, Ben Khan: Nie" in receipt.body
    assert "Maths Stars, Amy Khan: Tak" in receipt.body


def test_a_link_problem_page_is_in_the_contacts_language(
    family, office_user, client, django_capture_on_commit_callbacks
):
    _prefer(family.mother, "pl")
    _send(family, office_user, django_capture_on_commit_callbacks)
    old = path_of(link_from_outbox(0))  # the mother's (contacts in creation order)
    _send(family, office_user, django_capture_on_commit_callbacks)  # replaces it
    html = client.get(old).content.decode()
    assert "Ten link został zastąpiony" in html


def test_a_new_link_asked_for_from_a_page_in_polish_comes_in_polish(
    family, client, django_capture_on_commit_callbacks
):
    client.cookies["language"] = "pl"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/consent/new-link/", {"email": family.mother.email})
    assert response.status_code == 302
    assert "Sprawdź pocztę e-mail" in client.get(response["Location"]).content.decode()
    assert "Otwórz swój osobisty formularz:" in _mail_to(family.mother).body


def test_staff_choose_a_contacts_language_from_the_languages_offered(family, dpo_user):
    model_admin = admin.site._registry[Contact]
    request = RequestFactory().get("/admin/pupils/contact/")
    request.user = dpo_user
    field = model_admin.get_form(request, family.mother).base_fields["preferred_language"]
    assert [code for code, _ in field.choices] == ["", "en-gb", "pl", "ro", "ur"]
    assert "Polish (Polski)" in dict(field.choices).values()
    assert field.clean("ur") == "ur"
    with pytest.raises(Exception, match="valid choice"):
        field.clean("fr")


def test_in_urdu_the_names_the_school_typed_are_isolated_runs_in_questions_and_errors(
    family, office_user, client, django_capture_on_commit_callbacks
):
    # English names in a right-to-left sentence keep their words and the
    # sentence's punctuation in place only as their own run (U+2068 ... U+2069).
    _prefer(family.mother, "ur")
    form = _open_form(family, office_user, client, django_capture_on_commit_callbacks)
    assert "\u2068Maths Stars\u2069" in form.content.decode()
    errors = client.post("/consent/form/", {}).content.decode()
    assert "\u2068Amy\u2069" in errors and "\u2068Maths Stars\u2069" in errors


def test_in_a_left_to_right_language_names_are_written_as_they_are(
    family, office_user, client, django_capture_on_commit_callbacks
):
    _prefer(family.mother, "pl")
    form = _open_form(family, office_user, client, django_capture_on_commit_callbacks)
    assert "Maths Stars" in form.content.decode()
    assert "\u2068" not in client.post("/consent/form/", {}).content.decode()
