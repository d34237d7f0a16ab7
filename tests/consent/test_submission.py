"""A family's Send: the answers and one receipt, once, in a fixed handful of
queries whatever the number of answers; parents' pages that only show
something write nothing (no session row, no cookie)."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from consent import family_session
from consent.links import issue_link
from consent.models import ConsentRecord, ConsentRequest
from consent.services import submit_family_answers
from providers import cache as page_cache
from pupils import audit
from pupils.models import AuditAction, AuditEvent, EmailKind, OutboxMessage, StaffSession
from tests.factories import (
    ContactFactory,
    InUseProviderFactory,
    PublishedNoticeFactory,
    PupilContactFactory,
    PupilFactory,
    SchoolFactory,
)

from .helpers import path_of

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def make_family(children: int, purposes: int, *, default_school: bool = False):
    """A parent with ``children`` children at a school of their own with
    ``purposes`` services needing consent; returns (contact, link path, keys)."""
    school = SchoolFactory(is_default=default_school)
    providers = InUseProviderFactory.create_batch(purposes, school=school)
    PublishedNoticeFactory(school=school)
    contact = ContactFactory(school=school)
    pupils = [
        PupilFactory(school=school, date_of_birth=datetime.date(2016, 1, 1 + n))
        for n in range(children)
    ]
    for pupil in pupils:
        PupilContactFactory(pupil=pupil, contact=contact)
    link = issue_link(contact=contact, actor=None, reason="staff", base_url="http://x")
    keys = [(p.pk, s.pk) for p in pupils for s in providers]
    return contact, path_of(link.url), keys


def fill_in(client: Client, path: str) -> None:
    """Open the link and send the form with 'yes' everywhere: the check page is next."""
    assert client.get(path).status_code == 302
    html = client.get("/consent/form/").content.decode()
    fields = set(re.findall(r'name="(answer_\d+_\d+)"', html))
    assert client.post("/consent/form/", dict.fromkeys(fields, "yes"))["Location"] == (
        "/consent/check/"
    )


def receipts() -> int:
    return OutboxMessage.objects.filter(kind=EmailKind.RECEIPT).count()


def test_send_makes_the_same_number_of_queries_for_one_answer_and_for_eight():
    counts = {}
    for children, purposes in ((1, 1), (2, 4)):
        contact, path, keys = make_family(children, purposes)
        client = Client()
        fill_in(client, path)
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/consent/check/")
        assert response["Location"] == "/consent/done/"
        assert ConsentRecord.objects.filter(given_by_contact=contact).count() == len(keys)
        counts[len(keys)] = len(captured)
    assert counts[1] == counts[8], counts
    assert counts[8] <= 17, counts  # PostgreSQL adds the trail's advisory lock


def test_each_parents_page_reads_the_same_few_queries_for_one_answer_and_for_eight():
    """Once a server has shown a school's form (consent.purposes keeps its
    purposes), each page is the link, the children and, where answers are
    shown, one read of them: the same whatever the size of the family."""
    counts: dict[int, dict[str, int]] = {}
    for children, purposes in ((1, 1), (2, 4)):
        page_cache.clear_local()
        _contact, path, keys = make_family(children, purposes)
        client = Client()
        fill_in(client, path)  # the form shown once: the school's purposes kept
        steps = counts[len(keys)] = {}
        for name, method, url in (
            ("form", "get", "/consent/form/"),
            ("check", "get", "/consent/check/"),
            ("Send", "post", "/consent/check/"),
            ("done", "get", "/consent/done/"),
        ):
            with CaptureQueriesContext(connection) as captured:
                response = getattr(client, method)(url)
            assert response.status_code in (200, 302), (name, response.status_code)
            steps[name] = len(captured)
    assert counts[1] == counts[8], counts
    assert counts[8]["form"] <= 3 and counts[8]["check"] <= 2 and counts[8]["done"] <= 3, counts


def test_the_services_writes_are_one_lock_one_read_one_insert_and_one_trail_batch():
    contact, _path, keys = make_family(2, 4)
    consent_request = ConsentRequest.objects.select_related("contact", "school").get(
        contact=contact
    )
    with CaptureQueriesContext(connection) as captured:
        created = submit_family_answers(
            consent_request=consent_request, answers=dict.fromkeys(keys, True)
        )
    sql = [q["sql"] for q in captured]
    assert len(created) == 8
    assert sum("FOR UPDATE" in s for s in sql) <= 1
    assert sum(s.startswith('INSERT INTO "consent_consentrecord"') for s in sql) == 1
    assert sum(s.startswith('INSERT INTO "pupils_auditevent"') for s in sql) == 1
    assert sum(s.startswith('SELECT "consent_consentrecord"') for s in sql) == 1
    # Each answer is on its pupil's trail, and the chain still holds.
    trail = AuditEvent.objects.filter(action=AuditAction.CONSENT, pupil__isnull=False)
    assert sorted(trail.values_list("object_id", flat=True)) == sorted(str(r.pk) for r in created)
    assert audit.verify_chain() is None


def test_answers_sent_again_add_only_what_changed_and_seq_follows_on():
    contact, _path, keys = make_family(2, 2)
    consent_request = ConsentRequest.objects.select_related("contact", "school").get(
        contact=contact
    )
    submit_family_answers(consent_request=consent_request, answers=dict.fromkeys(keys, True))
    changed = dict.fromkeys(keys, True) | {keys[0]: False}
    created = submit_family_answers(consent_request=consent_request, answers=changed)
    assert [(r.pupil_id, r.provider_id, r.seq, r.given) for r in created] == [(*keys[0], 2, False)]
    assert receipts() == 2  # each sending of a (new) form has its receipt


def test_the_same_form_sent_twice_by_key_records_once_and_sends_one_receipt():
    contact, _path, keys = make_family(2, 2)
    consent_request = ConsentRequest.objects.select_related("contact", "school").get(
        contact=contact
    )
    answers = dict.fromkeys(keys, True)
    first = submit_family_answers(
        consent_request=consent_request, answers=answers, submission_key="k1"
    )
    again = submit_family_answers(
        consent_request=consent_request, answers=answers, submission_key="k1"
    )
    assert len(first) == 4 and again == []
    assert receipts() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT, pupil__isnull=False).count() == 4


def test_five_quick_clicks_on_send_give_one_receipt():
    contact, path, keys = make_family(2, 2)
    client = Client()
    fill_in(client, path)
    cookies = client.cookies[family_session.COOKIE].value
    clicks = []
    for _ in range(5):
        # Each click leaves the browser with the check page's cookie.
        client.cookies[family_session.COOKIE] = cookies
        clicks.append(client.post("/consent/check/"))
    assert all(c["Location"] == "/consent/done/" for c in clicks)
    assert ConsentRecord.objects.filter(given_by_contact=contact).count() == len(keys)
    assert receipts() == 1


def test_a_parent_reading_pages_writes_nothing_and_makes_no_session():
    _contact, path, _keys = make_family(2, 2)
    client = Client()
    opened = client.get(path)
    assert family_session.COOKIE in opened.cookies
    for page in ("/consent/form/",):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page)
        assert response.status_code == 200
        assert not [q for q in captured if q["sql"].startswith(WRITES)]
        assert family_session.COOKIE not in response.cookies  # nothing changed
    fill_in(client, path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/consent/check/").status_code == 200
    assert not [q for q in captured if q["sql"].startswith(WRITES)]
    client.post("/consent/check/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/consent/done/")
    assert response.status_code == 200
    assert not [q for q in captured if q["sql"].startswith(WRITES)]
    assert StaffSession.objects.count() == 0
    assert "sessionid" not in client.cookies


def test_an_edited_or_old_form_cookie_opens_nothing(settings):
    _contact, path, _keys = make_family(1, 1, default_school=True)
    client = Client()
    client.get(path)
    value = client.cookies[family_session.COOKIE].value
    client.cookies[family_session.COOKIE] = value[:-2] + ("AA" if value[-2:] != "AA" else "BB")
    assert client.get("/consent/form/").status_code == 400  # "open the link again"
    client.get(path)
    settings.SESSION_IDLE_SECONDS = -1  # the cookie is older than the idle limit
    assert client.get("/consent/form/").status_code == 400


def test_the_form_cookie_is_http_only_same_site_and_for_the_consent_pages_only():
    _contact, path, _keys = make_family(1, 1)
    cookie = Client().get(path).cookies[family_session.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/consent/" and not cookie["max-age"]


def test_a_question_added_while_the_parent_checks_their_answers_sends_them_back_to_the_form():
    contact, path, keys = make_family(1, 1)
    client = Client()
    fill_in(client, path)
    InUseProviderFactory(school=contact.school)  # staff start using another service
    # What saving it through the admin also does (providers.services): the
    # school's purposes kept for its parents' pages (consent.purposes) go.
    page_cache.invalidate(contact.school_id)
    response = client.post("/consent/check/")
    assert response["Location"] == "/consent/form/"
    assert not ConsentRecord.objects.exists() and receipts() == 0
    form = client.get("/consent/form/").content.decode()
    assert form.count(" checked") == 1  # the answer given so far, and the new question
    assert len(set(re.findall(r'name="(answer_\d+_\d+)"', form))) == 2


def test_the_whole_form_must_answer_every_question():
    from django.core.exceptions import ValidationError

    contact, _path, keys = make_family(2, 1)
    consent_request = ConsentRequest.objects.select_related("contact", "school").get(
        contact=contact
    )
    with pytest.raises(ValidationError) as refused:
        submit_family_answers(
            consent_request=consent_request, answers={keys[0]: True}, whole_form=True
        )
    assert refused.value.code == "form_changed"
    assert not ConsentRecord.objects.exists()


def test_damaged_saved_answers_send_nothing():
    from consent.forms import saved_answers

    assert saved_answers({"answer_1_2": "yes", "answer_3_2": "no"}) == {(2, 1): True, (2, 3): False}
    assert saved_answers({"answer_1_2": "maybe"}) is None
    assert saved_answers({"something": "yes"}) is None
    assert saved_answers(None) is None
