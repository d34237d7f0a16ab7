"""Scheduled work of the sharing app (run by ``manage.py run_scheduled``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from pupils.models import School
from pupils.scheduled import register, remind_dpo_once_today

from .models import AccessRequest


@register("access_request_reminders")
def remind_overdue_access_requests(now: datetime.datetime) -> str:
    """Once a day, tell each school's DPO how many subject access requests
    are past their legal deadline (docs/law.md, "Subject access"). Nothing
    personal in the e-mail: the DPO signs in to see them."""
    today = timezone.localdate(now)
    due = AccessRequest.objects.overdue(today).order_by("due_on")
    by_school: dict[int, list[datetime.date]] = {}
    for school_id, due_on in due.values_list("school_id", "due_on"):
        by_school.setdefault(school_id, []).append(due_on)
    sent = 0
    url = settings.PUBLIC_BASE_URL + reverse("admin:sharing_accessrequest_changelist")
    for school in School.objects.filter(pk__in=by_school):
        dates = by_school[school.pk]
        sent += remind_dpo_once_today(
            school=school,
            subject=f"{len(dates)} subject access request(s) overdue",
            body=(
                f"{len(dates)} subject access request(s) are past their deadline; "
                f"the oldest was due on {dates[0]:%d %B %Y}.\n\n"
                f"Open them in the staff site: {url}\n"
            ),
            now=now,
        )
    return f"{sent} reminder(s) queued"


@register("rights_and_complaint_reminders")
def remind_rights_and_complaints(now: datetime.datetime) -> str:
    """Once a day, tell each school's DPO how many other rights requests and
    complaints are due within five working days or overdue (docs/law.md,
    "Other rights" and "Complaints"). Counts only: nothing personal."""
    from .rights.reminders import rights_needing_attention

    today = timezone.localdate(now)
    url = settings.PUBLIC_BASE_URL + reverse("admin:index")
    sent = 0
    for school in School.objects.all():
        found = rights_needing_attention(school, today)
        if not found:
            continue
        overdue = sum(1 for a in found if a.overdue)
        sent += remind_dpo_once_today(
            school=school,
            subject="Rights requests and complaints need your attention",
            body=(
                f"{len(found)} request(s) or complaint(s) are due within five working days "
                f"or overdue ({overdue} overdue); the first is due on "
                f"{found[0].due_on:%d %B %Y}.\n\nOpen the staff site: {url}\n"
            ),
            now=now,
        )
    return f"{sent} reminder(s) queued"
