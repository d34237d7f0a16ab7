"""The breach register: a breach from the report of a member of staff to
the DPO's assessment, the ICO notification and the letter to families; who
sees what; the list with the most urgent first; nothing is ever deleted."""

import datetime
import subprocess

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from pupils.models import AuditAction, AuditEvent
from sharing.breaches import services
from sharing.breaches.reminders import breaches_needing_attention
from sharing.disclosures.models import AppendOnlyError
from sharing.models import Breach, BreachNotification, Urgency

from ..factories import PupilFactory

LIST = reverse("admin:sharing_breach_changelist")
ADD = reverse("admin:sharing_breach_add")


def change_url(breach):
    return reverse("admin:sharing_breach_change", args=[breach.pk])


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def make_breach(school, actor, *, hours_ago, **kwargs):
    return services.report_breach(
        actor=actor,
        school=school,
        summary=kwargs.pop("summary", "Class list e-mailed to the wrong parent"),
        discovered_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        noticed_by="Class teacher",
        data_involved="Names and reading levels of Year 3",
        people_categories=["pupils"],
        people_affected=28,
        **kwargs,
    )


# --- The whole journey ---------------------------------------------------------------------


def test_a_breach_goes_from_report_to_assessment_ico_notification_and_family_letter(
    office_client,
    office_user,
    dpo_client,
    dpo_user,
    school,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    pupil = PupilFactory(school=school)
    discovered = timezone.now() - datetime.timedelta(hours=2)

    # 1. A member of the office reports it, in one short form.
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            ADD,
            {
                "school": school.pk,
                "summary": "The Year 3 reading list went to one parent by mistake.",
                "discovered_at": local(discovered),
                "noticed_by": "Mrs Jones, Year 3 teacher",
                "data_involved": "Names and reading levels",
                "categories": ["identity", "assessment"],
                "people_categories": ["pupils"],
                "pupils": [pupil.pk],
                "people_affected": "28",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    breach = Breach.objects.get()
    assert breach.reported_by == office_user
    assert list(breach.pupils.all()) == [pupil]
    assert breach.report_due_at == discovered.replace(second=0, microsecond=0) + datetime.timedelta(
        hours=72
    )
    assert mail.outbox[0].to == [school.dpo_email]
    assert "reading" not in mail.outbox[0].body  # nothing of what happened in the e-mail
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, pupil=pupil).exists()

    # 2. The DPO assesses it: a risk to people, so the ICO must be told.
    response = dpo_client.post(
        reverse("admin:sharing_breach_assess", args=[breach.pk]),
        {
            "became_aware_at": local(discovered),
            "likelihood": "possible",
            "severity": "significant",
            "likely_consequences": "Other parents may learn a child's reading level.",
            "containment": "The parent deleted the e-mail and confirmed it in writing.",
            "ico_decision": "report",
            "ico_reason": "Children's data seen by another family.",
            "tell_people": "tell",
            "tell_people_by": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "tell_people_reason": "Families should hear it from us.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    breach.refresh_from_db()
    assert (breach.risk, breach.ico_decision, breach.assessed_by) == ("risk", "report", dpo_user)

    # 3. The ICO is told: the clock stops.
    notified = timezone.now() - datetime.timedelta(minutes=30)
    response = dpo_client.post(
        reverse("admin:sharing_breach_notify", args=[breach.pk]),
        {
            "audience": "ico",
            "notified_at": local(notified),
            "method": "ico_form",
            "reference": "IC-123456-A1B2",
            "content": "Reported through the ICO's online form.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    breach.refresh_from_db()
    assert breach.ico_notified_at is not None
    assert breach.urgency_at(timezone.now()) == Urgency.SETTLED

    # 4. The families are told by letter: Art 34 content, the DPO's contact.
    response = dpo_client.post(
        reverse("admin:sharing_breach_notify", args=[breach.pk]),
        {
            "audience": "families",
            "notified_at": local(timezone.now()),
            "method": "letter",
            "content": "On Monday a list of reading levels was sent to one parent by mistake.",
            "likely_consequences": "One parent may have seen your child's reading level.",
            "measures_taken": "The parent deleted the e-mail. We now check recipients twice.",
            "what_they_can_do": "Nothing is needed, but please ask us if you are worried.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    letter = BreachNotification.objects.get(audience="families")

    response = dpo_client.get(reverse("admin:sharing_breach_letter", args=[breach.pk, letter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    for expected in (
        "What happened",
        "a list of reading levels was sent to one parent by mistake",
        "What this may mean for you",
        "may have seen your child's reading level",
        "What we have done",
        "We now check recipients twice",
        "What you can do",
        "please ask us if you are worried",
        school.dpo_name,
        school.dpo_email,
        breach.reference,
    ):
        assert expected in text, expected
    assert pupil.forename not in text  # one letter for all: it names nobody

    # Both notifications on the record, each on the trail.
    assert breach.notifications.count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.DISCLOSE, pupil=pupil).count() == 2


# --- The rules the services keep ---------------------------------------------------------


def test_a_breach_report_needs_a_time_zone_and_cannot_be_in_the_future(school, office_user):
    with pytest.raises(ValidationError):
        make_breach(school, office_user, hours_ago=-2)
    with pytest.raises(ValidationError):
        services.report_breach(
            actor=office_user,
            school=school,
            summary="x",
            discovered_at=datetime.datetime(2026, 1, 5, 9, 0),
            noticed_by="me",
            data_involved="names",
            people_categories=["pupils"],
            people_affected=1,
        )
    assert not Breach.objects.exists()


def test_a_pupil_of_another_school_cannot_be_named(school, other_school, office_user):
    with pytest.raises(ValidationError):
        make_breach(school, office_user, hours_ago=1, pupils=[PupilFactory(school=other_school)])
    assert not Breach.objects.exists()


def _assess(breach, dpo_user, **overrides):
    values = {
        "became_aware_at": breach.discovered_at,
        "likelihood": "possible",
        "severity": "significant",
        "likely_consequences": "Some distress.",
        "containment": "Recalled the e-mail.",
        "ico_decision": "report",
        "ico_reason": "A risk to people.",
        "tell_people": "not_tell",
        "tell_people_reason": "Not a high risk.",
        **overrides,
    }
    return services.assess_breach(actor=dpo_user, breach=breach, **values)


def test_a_breach_with_a_risk_to_people_cannot_be_decided_not_reportable(school, dpo_user):
    breach = make_breach(school, dpo_user, hours_ago=1)

    with pytest.raises(ValidationError) as refused:
        _assess(breach, dpo_user, ico_decision="not_report", ico_reason="Small.")

    assert "ico_decision" in refused.value.message_dict
    breach.refresh_from_db()
    assert breach.assessed_at is None


def test_an_unlikely_risk_may_stay_unreported_with_its_reasoning_kept(school, dpo_user):
    breach = make_breach(school, dpo_user, hours_ago=1)

    _assess(
        breach,
        dpo_user,
        likelihood="remote",
        severity="minimal",
        ico_decision="not_report",
        ico_reason="Sent to a colleague in the same school, deleted unread.",
    )

    breach.refresh_from_db()
    assert breach.risk == "unlikely"
    assert breach.ico_reason.startswith("Sent to a colleague")
    assert breach.urgency_at(timezone.now()) == Urgency.SETTLED


def test_correcting_when_the_school_became_aware_moves_the_deadline(school, dpo_user):
    breach = make_breach(school, dpo_user, hours_ago=1)
    earlier = breach.discovered_at - datetime.timedelta(hours=10)

    _assess(breach, dpo_user, became_aware_at=earlier)

    breach.refresh_from_db()
    assert breach.report_due_at == earlier + datetime.timedelta(hours=72)


def test_a_late_ico_report_must_give_the_reasons_for_the_delay(school, dpo_user):
    breach = make_breach(school, dpo_user, hours_ago=80)
    args = {
        "actor": dpo_user,
        "breach": breach,
        "audience": "ico",
        "notified_at": timezone.now(),
        "method": "ico_form",
        "content": "Reported online.",
    }

    with pytest.raises(ValidationError) as refused:
        services.record_breach_notification(**args)
    assert "delay_reason" in refused.value.message_dict

    services.record_breach_notification(**args, delay_reason="The DPO was on leave.")
    assert breach.notifications.get().delay_reason == "The DPO was on leave."


def test_a_letter_to_families_must_carry_the_art_34_content(school, dpo_user):
    breach = make_breach(school, dpo_user, hours_ago=1)

    with pytest.raises(ValidationError) as refused:
        services.record_breach_notification(
            actor=dpo_user,
            breach=breach,
            audience="families",
            notified_at=timezone.now(),
            method="letter",
            content="A list went to the wrong parent.",
        )

    assert set(refused.value.message_dict) == {
        "likely_consequences",
        "measures_taken",
        "what_they_can_do",
    }
    assert not BreachNotification.objects.exists()


def test_breaches_and_notifications_are_never_deleted_or_rewritten(school, dpo_user):
    breach = make_breach(school, dpo_user, hours_ago=1)
    notification = services.record_breach_notification(
        actor=dpo_user,
        breach=breach,
        audience="ico",
        notified_at=timezone.now(),
        method="phone",
        content="Told the ICO helpline.",
    )

    with pytest.raises(AppendOnlyError):
        breach.delete()
    with pytest.raises(AppendOnlyError):
        Breach.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        notification.save()
    with pytest.raises(AppendOnlyError):
        notification.delete()
    assert Breach.objects.count() == 1


# --- Who sees what ---------------------------------------------------------------------------


def test_office_staff_see_only_the_breaches_they_reported(
    office_client, office_user, dpo_user, school
):
    mine = make_breach(school, office_user, hours_ago=1, summary="Mine: lost memory stick")
    theirs = make_breach(school, dpo_user, hours_ago=1, summary="Theirs: wrong envelope")

    listing = office_client.get(LIST).content.decode()

    assert "Mine: lost memory stick" in listing
    assert "Theirs: wrong envelope" not in listing
    assert office_client.get(change_url(mine)).status_code == 200
    assert office_client.get(change_url(theirs)).status_code == 404


def test_office_staff_cannot_assess_or_record_notifications(office_client, office_user, school):
    breach = make_breach(school, office_user, hours_ago=1)

    for name in ("admin:sharing_breach_assess", "admin:sharing_breach_notify"):
        assert office_client.get(reverse(name, args=[breach.pk])).status_code == 403
    assert (
        office_client.post(reverse("admin:sharing_breach_assess", args=[breach.pk]), {}).status_code
        == 403
    )


def test_another_schools_dpo_gets_404(other_school_client, office_user, school):
    breach = make_breach(school, office_user, hours_ago=1)

    assert other_school_client.get(change_url(breach)).status_code == 404
    assert (
        other_school_client.get(
            reverse("admin:sharing_breach_assess", args=[breach.pk])
        ).status_code
        == 404
    )


def test_nobody_can_delete_a_breach_in_the_staff_site(dpo_client, dpo_user, school):
    breach = make_breach(school, dpo_user, hours_ago=1)

    response = dpo_client.post(
        reverse("admin:sharing_breach_delete", args=[breach.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Breach.objects.filter(pk=breach.pk).exists()


# --- Most urgent first ----------------------------------------------------------------------


def test_the_list_shows_overdue_then_due_within_24_hours_first(
    dpo_client, dpo_user, school, django_assert_max_num_queries
):
    settled = make_breach(school, dpo_user, hours_ago=100, summary="Settled one")
    _assess(
        settled,
        dpo_user,
        likelihood="remote",
        severity="minimal",
        ico_decision="not_report",
        ico_reason="No risk.",
    )
    later = make_breach(school, dpo_user, hours_ago=1, summary="Later one")
    soon = make_breach(school, dpo_user, hours_ago=60, summary="Soon one")
    overdue = make_breach(school, dpo_user, hours_ago=75, summary="Overdue one")
    for n in range(5):
        make_breach(school, dpo_user, hours_ago=2, summary=f"Padding {n}")

    with django_assert_max_num_queries(12):
        listing = dpo_client.get(LIST).content.decode()

    positions = [listing.index(s) for s in ("Overdue one", "Soon one", "Later one", "Settled one")]
    assert positions == sorted(positions)
    assert "(overdue)" in listing and "(due soon)" in listing

    urgent = dpo_client.get(LIST, {"deadline": "urgent"}).content.decode()
    assert "Overdue one" in urgent and "Soon one" in urgent
    assert "Later one" not in urgent and "Settled one" not in urgent
    assert {b.pk for b in Breach.objects.overdue(timezone.now())} == {overdue.pk}
    assert {b.pk for b in Breach.objects.due_soon(timezone.now())} == {soon.pk}
    assert later.pk not in {b.pk for b in Breach.objects.due_soon(timezone.now())}


def test_the_list_makes_the_same_number_of_queries_whatever_the_row_count(
    dpo_client, dpo_user, school
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_breach(school, dpo_user, hours_ago=1)
    with CaptureQueriesContext(connection) as one:
        dpo_client.get(LIST)
    for _ in range(6):
        make_breach(school, dpo_user, hours_ago=1)
    with CaptureQueriesContext(connection) as seven:
        dpo_client.get(LIST)

    assert len(seven) == len(one)


def test_the_dpo_reminder_lists_what_is_near_its_deadline_or_unassessed(school, dpo_user):
    now = timezone.now()
    overdue = make_breach(school, dpo_user, hours_ago=73)
    soon = make_breach(school, dpo_user, hours_ago=50)
    calm = make_breach(school, dpo_user, hours_ago=5)
    _assess(calm, dpo_user)
    unassessed = make_breach(school, dpo_user, hours_ago=3)

    due = list(breaches_needing_attention(school, now))

    assert due == [overdue, soon, unassessed]
    with pytest.raises(ValueError):
        breaches_needing_attention(school, datetime.datetime(2026, 1, 1))


def test_the_report_form_has_the_members_own_school_chosen_already(office_client, school):
    page = office_client.get(ADD).content.decode()

    assert f'<option value="{school.pk}" selected>' in page
