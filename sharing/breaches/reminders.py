"""Which breaches the DPO must look at now: for the daily reminder.

``sharing.scheduled.remind_breaches_needing_attention`` (run by
``manage.py run_scheduled``) calls ``breaches_needing_attention(school, now)``
for each school with a breach on the clock or unassessed and e-mails the
DPO the counts, once a day (docs/breaches.md, "Reminders").
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from pupils.models import School

from .models import Breach, BreachQuerySet, Urgency


def breaches_needing_attention(school: School, now: datetime.datetime) -> BreachQuerySet:
    """The school's breaches still on the ICO clock that are overdue or due
    within 24 hours, plus any not yet assessed: most urgent first."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return (
        Breach.objects.for_school(school)
        .with_urgency(now)
        .filter(Q(urgency__in=[Urgency.OVERDUE, Urgency.DUE_SOON]) | Q(assessed_at__isnull=True))
        .order_by("urgency", "report_due_at", "id")
    )
