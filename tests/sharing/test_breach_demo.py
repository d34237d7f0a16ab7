"""The demo's breaches (``sharing.breaches.demo``): through the real
services, one reported to the ICO within the 72 hours with a letter to the
families, one assessed as not reportable with the reason."""

import pytest

from pupils import demo as pupils_demo
from pupils.models import AuditEvent
from sharing.breaches import demo
from sharing.breaches.models import Breach, IcoDecision, NotificationAudience, TellPeopleDecision

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_ctx():
    school, created = pupils_demo.seed_school()
    ctx = pupils_demo.DemoContext(school=school, created=created)
    pupils_demo.seed(ctx)
    return ctx


def test_the_demo_has_a_reported_breach_with_a_letter_and_one_not_reported(demo_ctx):
    demo.seed(demo_ctx)
    reported, kept = Breach.objects.filter(school=demo_ctx.school).order_by("discovered_at")

    assert reported.ico_decision == IcoDecision.REPORT
    assert reported.ico_notified_at is not None
    assert reported.ico_notified_at <= reported.report_due_at  # within the 72 hours
    told = {n.audience: n for n in reported.notifications.all()}
    assert set(told) == {NotificationAudience.ICO, NotificationAudience.FAMILIES}
    assert told[NotificationAudience.ICO].reference
    letter = told[NotificationAudience.FAMILIES]
    assert letter.is_letter and letter.what_they_can_do and letter.measures_taken
    assert reported.tell_people == TellPeopleDecision.TELL
    assert reported.pupils.exists()

    assert kept.ico_decision == IcoDecision.NOT_REPORT and "Unlikely" in kept.ico_reason
    assert kept.tell_people == TellPeopleDecision.NOT_TELL and kept.tell_people_reason
    assert not kept.notifications.exists()
    # Through the services: each step is on the trail.
    summaries = set(AuditEvent.objects.values_list("summary", flat=True))
    assert {"Breach reported to the ICO", "People affected by a breach told"} <= summaries


def test_seeding_the_demo_twice_adds_no_breach(demo_ctx):
    demo.seed(demo_ctx)
    demo.seed(demo_ctx)
    assert Breach.objects.filter(school=demo_ctx.school).count() == 2
