"""Consent answers are append-only; the current answer is the latest one."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from consent.models import ConsentMethod, ConsentRecord
from consent.services import record_consent

pytestmark = pytest.mark.django_db


def answer(family, office_user, given, contact=None, method=ConsentMethod.PAPER):
    return record_consent(
        actor=office_user,
        pupil=family.children[0],
        provider=family.providers[0],
        given=given,
        given_by_contact=contact or family.mother,
        method=method,
    )


def test_the_current_answer_is_the_latest_and_the_history_is_kept(family, office_user):
    answer(family, office_user, True)
    answer(family, office_user, False, contact=family.father)
    answer(family, office_user, True, method=ConsentMethod.PHONE)
    amy = family.children[0]
    assert ConsentRecord.objects.for_pupil(amy).count() == 3
    current = ConsentRecord.objects.current().for_pupil(amy).get()
    assert (current.seq, current.given, current.method) == (3, True, ConsentMethod.PHONE)
    assert current.notice == family.notice  # the published version at the time


def test_an_answer_cannot_be_changed_or_deleted_through_the_orm(family, office_user):
    record, _ = answer(family, office_user, True)
    record.given = False
    with pytest.raises(ValidationError):
        record.save()
    with pytest.raises(ValidationError):
        record.delete()
    assert ConsentRecord.objects.get().given is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL-only")
def test_postgres_refuses_a_raw_update_or_delete_of_an_answer(family, office_user):
    record, _ = answer(family, office_user, True)
    for sql in (
        "UPDATE consent_consentrecord SET given = false WHERE id = %s",
        "DELETE FROM consent_consentrecord WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [record.pk])
    assert ConsentRecord.objects.get().given is True


def test_a_service_that_does_not_rely_on_consent_cannot_be_answered(family, office_user):
    provider = family.providers[0]
    provider.lawful_basis = "public_task"
    provider.save()
    with pytest.raises(ValidationError, match="does not rely on consent"):
        answer(family, office_user, True)
    assert ConsentRecord.objects.count() == 0
