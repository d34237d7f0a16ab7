"""Scheduled work of the sharing app (run by ``manage.py run_scheduled``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from pupils.models import School
from pupils.scheduled import register, remind_dpo_once_today

from .breaches.models import Breach, Urgency, ico_pending_q
from .breaches.reminders import breaches_needing_attention
from .models import AccessRequest

#: The breach reminder's subject: the same all day, so it goes once a day.
BREACH_SUBJECT = "Data breaches need your attention"


def _due_dates_by_school(requests) -> dict[int, list[datetime.date]]:
    """Each school's due dates among these requests, soonest first (one query)."""
    by_school: dict[int, list[datetime.date]] = {}
    for school_id, due_on in requests.order_by("due_on").values_list("school_id", "due_on"):
        if due_on is not None:
            by_school.setdefault(school_id, []).append(due_on)
    return by_school


@register("access_request_reminders")
def remind_overdue_access_requests(now: datetime.datetime) -> str:
    """Once a day, tell each school's DPO how many subject access requests
    are past their legal deadline (docs/law.md, "Subject access"). Nothing
    personal in the e-mail: the DPO signs in to see them."""
    today = timezone.localdate(now)
    by_school = _due_dates_by_school(AccessRequest.objects.overdue(today))
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


@register("access_request_due_soon_reminders")
def remind_access_requests_due_soon(now: datetime.datetime) -> str:
    """Once a day, before the deadline: tell each school's DPO how many
    subject access requests fall due within five working days (the overdue
    ones have their own reminder above). Counts and a link only."""
    today = timezone.localdate(now)
    by_school = _due_dates_by_school(AccessRequest.objects.due_soon(today))
    url = settings.PUBLIC_BASE_URL + reverse("admin:sharing_requests_due")
    sent = 0
    for school in School.objects.filter(pk__in=by_school):
        dates = by_school[school.pk]
        sent += remind_dpo_once_today(
            school=school,
            subject=f"{len(dates)} subject access request(s) due within five working days",
            body=(
                f"{len(dates)} subject access request(s) fall due within five working days; "
                f"the first on {dates[0]:%d %B %Y}.\n\n"
                f"See every request by due date in the staff site: {url}\n"
            ),
            now=now,
        )
    return f"{sent} reminder(s) queued"


@register("breach_reminders")
def remind_breaches_needing_attention(now: datetime.datetime) -> str:
    """Once a day, tell each school's DPO how many breaches are overdue for
    the ICO, due within 24 hours or not yet assessed (docs/breaches.md,
    "Reminders"). Nothing personal in the e-mail: counts, the earliest
    deadline and a link; the DPO signs in to see them."""
    school_ids = (
        Breach.objects.filter(ico_pending_q() | Q(assessed_at__isnull=True))
        .values("school_id")
        .distinct()
    )
    # The register lists the most urgent first, the unassessed included.
    url = settings.PUBLIC_BASE_URL + reverse("admin:sharing_breach_changelist")
    sent = 0
    for school in School.objects.filter(pk__in=school_ids).order_by("pk"):
        breaches = list(breaches_needing_attention(school, now))
        if not breaches:
            continue
        overdue = sum(1 for b in breaches if b.urgency == Urgency.OVERDUE)
        soon = sum(1 for b in breaches if b.urgency == Urgency.DUE_SOON)
        unassessed = sum(1 for b in breaches if b.assessed_at is None)
        deadlines = [
            b.report_due_at for b in breaches if b.urgency in (Urgency.OVERDUE, Urgency.DUE_SOON)
        ]
        first = ""
        if deadlines:
            when = timezone.localtime(min(deadlines))
            first = f"The earliest ICO deadline is {when:%d %B %Y at %H:%M}.\n"
        sent += remind_dpo_once_today(
            school=school,
            subject=BREACH_SUBJECT,
            body=(
                f"{len(breaches)} data breach(es) need your attention:\n\n"
                f"- past their 72-hour deadline to report to the ICO: {overdue}\n"
                f"- due within 24 hours: {soon}\n"
                f"- not yet assessed: {unassessed}\n\n"
                f"{first}"
                f"Open the breach register in the staff site: {url}\n"
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
    url = settings.PUBLIC_BASE_URL + reverse("admin:sharing_requests_due")
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
                f"{found[0].due_on:%d %B %Y}.\n\n"
                f"See every request by due date in the staff site: {url}\n"
            ),
            now=now,
        )
    return f"{sent} reminder(s) queued"
