"""The requests page: every open request of every kind (access, other
rights, complaints) by due date, overdue and due soon marked, each row a
link to its record, a fixed number of queries; its line on the home page;
and the DPO reminded before each kind's deadline."""

from __future__ import annotations

import datetime
import re

from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pupils.models import OutboxMessage
from sharing.access.services import open_access_request
from sharing.rights.complaints import acknowledge_complaint, log_complaint
from sharing.rights.register import open_requests
from tests.factories import PupilFactory
from tests.sharing.test_rights import at, open_request

PAGE = "/admin/sharing/rightsrequest/due/"


def access(school, days_ago: int, name="Access Asker"):
    return open_access_request(
        actor="test",
        school=school,
        pupils=[PupilFactory(school=school)],
        requester_name=name,
        requester_relationship="parent",
        channel="email",
        received_at=at(timezone.localdate() - datetime.timedelta(days=days_ago)),
    )


def complaint(school, days_ago: int, name="Complaining Parent"):
    return log_complaint(
        actor="test",
        school=school,
        complainant_name=name,
        complainant_email="c@example.org",
        channel="email",
        received_at=at(timezone.localdate() - datetime.timedelta(days=days_ago)),
        summary="Photo on the website.",
    )


def rights(school, days_ago: int):
    return open_request(
        school, received=at(timezone.localdate() - datetime.timedelta(days=days_ago))
    )


def rows_of(page: str) -> list[str]:
    return re.findall(r'<tr class="request-row[^"]*">(.*?)</tr>', page, re.S)


def test_every_kind_is_listed_by_due_date_with_overdue_and_due_soon_marked(school, dpo_client):
    late_access = access(school, 40)
    soon_complaint = complaint(school, 27)  # acknowledge within 30 days: 2 days left
    later_rights = rights(school, 3)
    answered = access(school, 5)
    answered.status, answered.answered_on = "answered", answered.received_on
    answered.save()
    page = dpo_client.get(PAGE).content.decode()
    rows = rows_of(page)
    assert len(rows) == 3  # the answered one is not open
    assert f"/admin/sharing/accessrequest/{late_access.pk}/change/" in rows[0]
    assert "tag--overdue" in rows[0] and "Overdue" in rows[0]
    assert f"/admin/sharing/complaint/{soon_complaint.pk}/change/" in rows[1]
    assert "tag--due-soon" in rows[1] and "Acknowledge" in rows[1]
    assert f"/admin/sharing/rightsrequest/{later_rights.pk}/change/" in rows[2]
    assert "tag--" not in rows[2]
    assert 'class="breadcrumbs"' in page and "Requests by due date" in page


def test_an_acknowledged_complaint_stays_until_its_outcome_with_no_date(school, dpo_client):
    c = complaint(school, 3)
    acknowledge_complaint(actor="test", complaint=c, acknowledged_on=c.received_on)
    rights(school, 3)
    rows = rows_of(dpo_client.get(PAGE).content.decode())
    assert "Tell the outcome" in rows[-1] and f"/complaint/{c.pk}/" in rows[-1]


def test_the_page_makes_the_same_queries_for_3_rows_as_for_30(school, dpo_client):
    def queries() -> int:
        dpo_client.get(PAGE)  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert dpo_client.get(PAGE).status_code == 200
        return len(ctx)

    access(school, 40), complaint(school, 2), rights(school, 1)
    few = queries()
    for days in range(1, 10):
        access(school, days), complaint(school, days), rights(school, days)
    assert len(rows_of(dpo_client.get(PAGE).content.decode())) == 30
    assert queries() == few


def test_office_staff_see_the_page_and_another_schools_requests_are_not_listed(
    school, other_school, office_client
):
    mine, theirs = access(school, 3, name="Mine Asker"), access(other_school, 3, "Their Asker")
    page = office_client.get(PAGE).content.decode()
    assert f"/accessrequest/{mine.pk}/" in page and f"/accessrequest/{theirs.pk}/" not in page
    assert "Download the requests register" not in page  # the DPO's


def test_staff_who_may_read_no_kind_of_request_are_refused(school):
    from tests.conftest import staff_client
    from tests.factories import UserFactory

    nobody = UserFactory(school=school, is_staff=True)
    assert staff_client(nobody).get(PAGE).status_code == 403


def test_the_home_page_lists_rights_requests_and_complaints_due(school, dpo_client):
    rights(school, 40)
    complaint(school, 27)
    page = dpo_client.get("/admin/").content.decode()
    assert "1 rights request or complaint is overdue" in page
    assert "1 rights request or complaint is due within 5 working days" in page
    assert f'href="{PAGE}"' in page


def test_open_requests_reads_three_queries_whatever_the_rows(school, django_assert_num_queries):
    for days in range(1, 6):
        access(school, days), complaint(school, days), rights(school, days)
    from pupils.models import School

    with django_assert_num_queries(3):
        rows = open_requests(School.objects.filter(pk=school.pk), timezone.localdate())
    assert len(rows) == 15


def test_the_dpo_is_reminded_before_an_access_request_is_due_once_a_day(
    school, django_capture_on_commit_callbacks
):
    access(school, 28, name="Private Person")  # due in a few days, not yet overdue
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("run_scheduled", stdout=open("/dev/null", "w"))  # noqa: SIM115
    reminders = OutboxMessage.objects.filter(subject__contains="due within five working days")
    assert reminders.count() == 1
    [sent] = [m for m in mail.outbox if "five working days" in m.subject]
    assert sent.to == [school.dpo_email]
    assert "Private Person" not in sent.body and PAGE in sent.body


def test_no_reminder_for_an_access_request_far_from_its_deadline(school):
    access(school, 2)
    call_command("run_scheduled", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not OutboxMessage.objects.filter(kind="reminder").exists()


def test_each_request_list_links_to_the_page_of_every_request(school, office_client):
    for model in ("accessrequest", "rightsrequest", "complaint"):
        page = office_client.get(f"/admin/sharing/{model}/").content.decode()
        assert f'href="{PAGE}"' in page, model
