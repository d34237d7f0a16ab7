import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from consent.models import ConsentMethod, ConsentRequest
from consent.services import record_consent

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("send_consent_requests", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_says_who_would_get_an_email_and_sends_nothing(family):
    output = run("--school", family.school.urn, "--dry-run")
    assert "would e-mail 2 contact(s) for 2 pupil(s)" in output
    assert ConsentRequest.objects.count() == 0 and mail.outbox == []


def test_missing_only_skips_families_who_have_answered(
    family, office_user, django_capture_on_commit_callbacks
):
    for provider in family.providers:
        for child in family.children:
            record_consent(
                actor=office_user,
                pupil=child,
                provider=provider,
                given=True,
                given_by_contact=family.mother,
                method=ConsentMethod.PAPER,
            )
    with django_capture_on_commit_callbacks(execute=True):
        assert "e-mailed 0 contact(s)" in run("--missing-only")
    assert mail.outbox == []


def test_the_command_emails_every_family(family, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = run("--school", family.school.urn)
    assert "e-mailed 2 contact(s)" in output
    assert len(mail.outbox) == 2


def test_an_unknown_school_is_a_clear_error(family):
    with pytest.raises(CommandError, match="No school has the URN 999999"):
        run("--school", "999999")
