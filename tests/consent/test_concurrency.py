"""Two parents (or one double-clicking parent) answering at the same moment
leave one consistent current answer per pupil and provider and lose nothing.

Real concurrency needs real row locks: PostgreSQL only. SQLite serialises
every write transaction anyway (transaction_mode IMMEDIATE), so there is no
race there to test."""

import threading

import pytest
from django.db import connection, connections

from consent.links import issue_link
from consent.models import ConsentRecord, ConsentRequest
from consent.services import submit_family_answers

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks; SQLite serialises all writes, so nothing races",
    ),
]

THREADS = 20


def run_concurrently(family, answers_for, contacts) -> tuple[list, list]:
    request_ids = [
        issue_link(
            contact=contact, actor=None, reason="staff", base_url="http://x"
        ).consent_request.pk
        for contact in contacts
    ]
    barrier = threading.Barrier(THREADS)
    created, errors = [], []

    def submit(i: int) -> None:
        try:
            consent_request = ConsentRequest.objects.select_related("contact", "school").get(
                pk=request_ids[i % len(request_ids)]
            )
            barrier.wait(timeout=30)
            created.extend(
                submit_family_answers(consent_request=consent_request, answers=answers_for(i))
            )
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return created, errors


def every_question(family, given: bool) -> dict:
    return {(c.pk, p.pk): given for c in family.children for p in family.providers}


def test_twenty_identical_submissions_leave_one_answer_per_pupil_and_provider(family):
    created, errors = run_concurrently(
        family, lambda i: every_question(family, True), contacts=[family.mother]
    )
    assert errors == []
    # The first submission records the answers; the other 19 add nothing.
    assert ConsentRecord.objects.count() == len(created) == 4
    current = ConsentRecord.objects.current()
    assert current.count() == 4
    assert all(r.given for r in current)


def test_twenty_conflicting_submissions_keep_every_change_and_one_current_answer(family):
    # Mother and father each submit ten times, alternating yes and no.
    created, errors = run_concurrently(
        family, lambda i: every_question(family, i % 4 < 2), contacts=[family.mother, family.father]
    )
    assert errors == []
    assert ConsentRecord.objects.count() == len(created)  # nothing lost, nothing invented
    for child in family.children:
        for provider in family.providers:
            seqs = list(
                ConsentRecord.objects.filter(pupil=child, provider=provider)
                .order_by("seq")
                .values_list("seq", flat=True)
            )
            assert seqs == list(range(1, len(seqs) + 1))
            current = ConsentRecord.objects.current().filter(pupil=child, provider=provider)
            assert current.count() == 1
            assert current.get().seq == seqs[-1]


def test_five_clicks_on_send_at_the_same_moment_store_once_and_queue_one_receipt(family):
    """Five POSTs of the same check page (the same form cookie) race through
    gunicorn's threads: one sending of the form, one receipt."""
    from django.test import Client

    from consent import family_session
    from pupils.models import EmailKind, OutboxMessage

    from .helpers import answers_post

    link = issue_link(contact=family.mother, actor=None, reason="staff", base_url="http://x")
    parent = Client()
    parent.get("/" + link.url.split("/", 3)[3])
    parent.post("/consent/form/", answers_post(family))
    cookie = parent.cookies[family_session.COOKIE].value
    clicks = 5
    barrier = threading.Barrier(clicks)
    statuses, errors = [], []

    def click() -> None:
        try:
            browser = Client()
            browser.cookies[family_session.COOKIE] = cookie
            barrier.wait(timeout=30)
            statuses.append(browser.post("/consent/check/")["Location"])
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(clicks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert statuses == ["/consent/done/"] * clicks
    assert ConsentRecord.objects.count() == 4
    assert OutboxMessage.objects.filter(kind=EmailKind.RECEIPT).count() == 1


def test_the_same_submission_key_from_twenty_threads_records_once_with_one_receipt(family):
    from pupils.models import EmailKind, OutboxMessage

    request_id = issue_link(
        contact=family.mother, actor=None, reason="staff", base_url="http://x"
    ).consent_request.pk
    barrier = threading.Barrier(THREADS)
    created, errors = [], []

    def submit() -> None:
        try:
            consent_request = ConsentRequest.objects.select_related("contact", "school").get(
                pk=request_id
            )
            barrier.wait(timeout=30)
            created.extend(
                submit_family_answers(
                    consent_request=consent_request,
                    answers=every_question(family, True),
                    submission_key="one-form",
                )
            )
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(created) == ConsentRecord.objects.count() == 4
    assert OutboxMessage.objects.filter(kind=EmailKind.RECEIPT).count() == 1
