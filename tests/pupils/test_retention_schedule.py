"""The school's own retention schedule, the staff pages that edit it and
place holds, and the privacy notice generated from it."""

import pytest
from django.core.exceptions import ValidationError

from providers import notice
from pupils import models as pm
from pupils.retention.rules import Kind
from pupils.retention.schedule import schedule_for
from pupils.retention.services import set_retention_period


def _consent_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("- Consent answers"))


def test_the_notice_states_the_default_schedule(school):
    text = notice.generate(school)
    assert "- Consent answers: 1 year after the pupil leaves." in text
    assert (
        "- Educational record (last school): until the pupil's 25th birthday "
        "(25 years after the date of birth)." in text
    )
    assert "- Admission and attendance registers: 6 years after the pupil leaves." in text


def test_the_notice_follows_an_edited_schedule(school, dpo_user):
    set_retention_period(
        actor=dpo_user,
        school=school,
        kind=Kind.CONSENT,
        amount=18,
        unit="months",
        reason="Our governors chose 18 months.",
        source="Governing body, 3 March 2026",
    )

    assert (
        _consent_line(notice.generate(school))
        == "- Consent answers: 18 months after the pupil leaves."
    )
    entry = schedule_for(school).entry(Kind.CONSENT)
    assert (entry.reason, entry.is_default) == ("Our governors chose 18 months.", False)
    trail = pm.AuditEvent.objects.filter(object_type="pupils.retentionperiod").get()
    assert trail.fields == ["amount", "reason", "source", "unit"]


def test_another_schools_schedule_is_its_own(school, other_school, dpo_user):
    set_retention_period(
        actor=dpo_user, school=school, kind=Kind.CONSENT, amount=3, unit="years",
        reason="r", source="s",
    )  # fmt: skip
    assert "Consent answers: 1 year after" in notice.generate(other_school)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": None}, "amount"),
        ({"unit": "weeks"}, "unit"),
        ({"reason": " "}, None),
        ({"kind": Kind.AUDIT_TRAIL, "amount": 10}, "kind"),
    ],
)
def test_a_period_without_length_unit_or_reason_is_refused_and_nothing_changes(
    school, dpo_user, changes, field
):
    values = {"kind": Kind.CONSENT, "amount": 2, "unit": "years", "reason": "r", "source": "s"}
    with pytest.raises(ValidationError):
        set_retention_period(actor=dpo_user, school=school, **{**values, **changes})
    assert not pm.RetentionPeriod.objects.exists()
