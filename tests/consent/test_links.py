"""Links: forged, expired, wrong-purpose and replaced links change nothing;
asking for a new link never tells whether an address is known."""

import datetime

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client

from consent import tokens
from consent.models import ConsentRecord, ConsentRequest
from consent.services import send_consent_requests

from .helpers import answers_post, link_from_outbox, path_of, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_link(family, office_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=family.children)
    mail.outbox.sort(key=lambda m: m.to[0] != family.mother.email)
    return path_of(link_from_outbox(0))


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def test_only_the_digest_of_a_256_bit_token_is_stored(sent_link):
    raw = signing.loads(token_of(sent_link), salt="consent.tokens.consent-form")
    assert len(raw) >= 43  # token_urlsafe(32): 256 bits
    stored = ConsentRequest.objects.get(contact__email=mail.outbox[0].to[0])
    assert stored.token_digest == tokens.digest(raw)
    assert raw not in str(ConsentRequest.objects.values_list())


def test_a_forged_link_is_refused_with_a_clear_page_and_nothing_changes(sent_link, client):
    before = row_counts()
    token = token_of(sent_link)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.get(f"/consent/link/{forged}/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "This link does not work" in html and "/consent/new-link/" in html
    assert client.get("/consent/form/").status_code == 400  # no session was opened
    assert row_counts() == before


def test_a_token_signed_for_another_purpose_is_refused(sent_link, client):
    raw = signing.loads(token_of(sent_link), salt="consent.tokens.consent-form")
    other = signing.dumps(raw, salt="consent.tokens.password-reset")
    before = row_counts()
    assert client.get(f"/consent/link/{other}/").status_code == 400
    with pytest.raises(tokens.InvalidToken):
        tokens.read(token_of(sent_link), purpose="password-reset")
    assert row_counts() == before


def test_a_link_past_its_signed_lifetime_is_refused_with_410(
    family, office_user, client, monkeypatch, django_capture_on_commit_callbacks
):
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 31 * 86400)
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=family.children)
    monkeypatch.setattr(signing.time, "time", real_time)
    before = row_counts()
    response = client.get(path_of(link_from_outbox(0)))
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert row_counts() == before


def test_a_link_past_its_recorded_expiry_stops_working_even_mid_form(sent_link, family, client):
    client.get(sent_link)
    client.post("/consent/form/", answers_post(family))
    past = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(minutes=1)
    ConsentRequest.objects.update(created_at=past - datetime.timedelta(days=1), expires_at=past)
    response = client.post("/consent/check/")
    assert response.status_code == 410
    assert ConsentRecord.objects.count() == 0


def test_a_replaced_link_is_refused_and_the_new_one_works(
    sent_link, family, office_user, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=family.children[:1])
    newest = path_of(link_from_outbox(-1))
    old_response = client.get(sent_link)
    assert old_response.status_code == 410
    assert "This link has been replaced" in old_response.content.decode()
    assert Client().get(newest).status_code == 302


def test_a_link_can_be_used_again_until_it_expires(sent_link, family, client):
    client.get(sent_link)
    client.post("/consent/form/", answers_post(family))
    client.post("/consent/check/")
    second = Client()
    assert second.get(sent_link).status_code == 302
    assert second.get("/consent/form/").status_code == 200


def test_the_form_without_an_opened_link_says_to_open_the_link_again(family, client):
    response = client.get("/consent/form/")
    assert response.status_code == 400
    assert "open the link from your e-mail again" in response.content.decode()


def test_get_requests_on_every_page_write_nothing(sent_link, family, client):
    before = row_counts()
    client.get(sent_link)
    for url in ("/consent/form/", "/consent/check/", "/consent/done/", "/consent/new-link/"):
        assert client.get(url).status_code in (200, 302)
    assert row_counts() == before


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_new_link_request_answers_the_same_for_known_and_unknown_addresses(
    family, client, fresh_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/consent/new-link/", {"email": family.mother.email.upper()})
        unknown = client.post("/consent/new-link/", {"email": "stranger@nowhere.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/consent/new-link/sent/"
    assert [m.to for m in mail.outbox] == [[family.mother.email]]
    page = client.get(known["Location"]).content.decode()
    assert "If the school has this e-mail address" in page
    assert Client().get(path_of(link_from_outbox())).status_code == 302


def test_a_new_link_replaces_the_parents_older_links(
    sent_link, family, client, fresh_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consent/new-link/", {"email": family.mother.email})
    assert Client().get(sent_link).status_code == 410
    usable = ConsentRequest.objects.usable().filter(contact=family.mother)
    assert usable.count() == 1


def test_new_link_requests_are_rate_limited_per_address_without_saying_so(
    family, client, fresh_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            client.post("/consent/new-link/", {"email": family.mother.email}) for _ in range(5)
        ]
    assert {r["Location"] for r in responses} == {"/consent/new-link/sent/"}
    assert len(mail.outbox) == 3


def test_a_badly_written_address_gets_an_error_message(family, client, fresh_cache):
    response = client.post("/consent/new-link/", {"email": "not-an-address"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Enter an e-mail address in the right format" in html
    assert len(mail.outbox) == 0


def test_refused_links_leave_no_token_in_the_logs(sent_link, client, caplog):
    token = token_of(sent_link)
    with caplog.at_level("DEBUG"):
        client.get(f"/consent/link/{token[:-3]}xyz/")
        client.get(sent_link)
    assert token[:20] not in caplog.text


def test_a_client_over_the_link_limit_is_told_so_in_words_that_fit_a_link(
    family, client, fresh_cache
):
    """Opening links is not sending a form: the page says what happened,
    that nothing changed, and how to get a link that works."""
    from pupils import ratelimit

    limit = ratelimit.POLICIES["consent-link:address"].limit
    for n in range(limit):
        assert client.get(f"/consent/link/made-up-token-{n}/").status_code == 400
    refused = client.get("/consent/link/made-up-token-again/")
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "Too many attempts" in html
    assert "Too many links that do not work have been opened from your connection" in html
    assert "Nothing has been changed." in html
    assert "This form has been sent" not in html
    assert 'href="/consent/new-link/"' in html
