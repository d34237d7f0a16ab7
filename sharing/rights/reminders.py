"""What the DPO must look at now among rights requests and complaints: for
the daily reminder.

There is no scheduler in the project yet (no ``pupils/scheduled.py``). When
one comes, it calls ``rights_needing_attention(school, today)`` once a day
per school and reminds the DPO of what it returns (docs/rights.md,
"Reminders").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models

from pupils.models import School
from sharing.deadlines import due_soon_limit

from .models import Complaint, RightsRequest


@dataclass(frozen=True)
class Attention:
    what: models.Model  # a RightsRequest or a Complaint
    due_on: datetime.date  # the request's deadline, or the last day to acknowledge
    overdue: bool


def rights_needing_attention(school: School, today: datetime.date) -> list[Attention]:
    """The school's open rights requests due within 5 working days or
    overdue, and its complaints not yet acknowledged whose 30 days end within
    5 working days or have ended: soonest first. Two queries."""
    limit = due_soon_limit(today)
    requests = RightsRequest.objects.for_school(school).open().filter(due_on__lte=limit)
    complaints = (
        Complaint.objects.for_school(school).unacknowledged().filter(acknowledge_by__lte=limit)
    )
    found = [Attention(r, r.due_on, r.due_on < today) for r in requests if r.due_on]
    found += [Attention(c, c.acknowledge_by, c.acknowledge_by < today) for c in complaints]
    return sorted(found, key=lambda a: (a.due_on, a.what._meta.model_name, a.what.pk))
