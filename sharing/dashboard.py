"""The staff home page's to-do lines ``config.dashboard`` does not count
itself: other rights requests and complaints, overdue or due within five
working days, each line a link to the requests page (every kind by due
date); and breaches past or within 24 hours of their 72-hour deadline to
tell the ICO, or not yet assessed, each line a link to the breach register
(most urgent first). Subject access requests have the home page's own line.

The home page finds this module by name (``config.dashboard.PLUGIN_MODULES``)
and sorts the lines with its own: each has the attributes of its ``ToDo``
(``urgency`` 0 overdue, 1 due soon). No app imports ``config``, so the line
is a small class of its own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sharing.breaches.models import Breach, Urgency
from sharing.rights.register import DUE_SOON, OVERDUE, open_requests

URGENCY = {OVERDUE: 0, DUE_SOON: 1}  # config.dashboard.Urgency's values


@dataclass(frozen=True)
class RequestsToDo:
    text: str
    count: int
    url: str
    urgency: int
    due_on: datetime.date | None
    tag_class: str
    tag_label: str


def todos(context) -> list[RequestsToDo]:
    """The requests' lines, then the breaches' lines."""
    return [*request_todos(context), *breach_todos(context)]


def breach_todos(context) -> list[RequestsToDo]:
    """For those who assess breaches (the DPO): three lines at most, one
    query. The ICO must be told within 72 hours of the school becoming
    aware (docs/law.md, "Breaches"); an unassessed breach may be one."""
    if not context.can("sharing.assess_breach"):
        return []
    now = timezone.now()
    counts = (
        Breach.objects.filter(school__in=context.schools)
        .with_urgency(now)
        .aggregate(
            overdue=Count("pk", filter=Q(urgency=Urgency.OVERDUE)),
            first_overdue=Min("report_due_at", filter=Q(urgency=Urgency.OVERDUE)),
            soon=Count("pk", filter=Q(urgency=Urgency.DUE_SOON)),
            first_soon=Min("report_due_at", filter=Q(urgency=Urgency.DUE_SOON)),
            unassessed=Count("pk", filter=Q(assessed_at__isnull=True)),
        )
    )
    url = reverse("admin:sharing_breach_changelist")
    lines = []

    def line(n: int, text: str, urgency: str, label: str, due) -> None:
        if n:
            lines.append(
                RequestsToDo(
                    text=text % {"n": n},
                    count=n,
                    url=url,
                    urgency=URGENCY[urgency],
                    due_on=timezone.localdate(due) if due else None,
                    tag_class=urgency,
                    tag_label=label,
                )
            )

    n = counts["overdue"]
    line(
        n,
        ngettext(
            "%(n)d breach is past its 72-hour deadline to tell the ICO",
            "%(n)d breaches are past their 72-hour deadline to tell the ICO",
            n,
        ),
        OVERDUE,
        _("Overdue"),
        counts["first_overdue"],
    )
    n = counts["soon"]
    line(
        n,
        ngettext(
            "%(n)d breach must be reported to the ICO or decided within 24 hours",
            "%(n)d breaches must be reported to the ICO or decided within 24 hours",
            n,
        ),
        DUE_SOON,
        _("Due soon"),
        counts["first_soon"],
    )
    n = counts["unassessed"]
    line(
        n,
        ngettext("%(n)d breach is not yet assessed", "%(n)d breaches are not yet assessed", n),
        DUE_SOON,
        _("Due soon"),
        None,
    )
    return lines


def request_todos(context) -> list[RequestsToDo]:
    """Two lines at most; three queries (requests, complaints, none else)."""
    rights = context.can("sharing.view_rightsrequest")
    complaints = context.can("sharing.view_complaint")
    if not (rights or complaints):
        return []
    rows = open_requests(
        context.schools, context.today, access=False, rights=rights, complaints=complaints
    )
    url = reverse("admin:sharing_requests_due")
    lines = []
    for urgency, label, text in (
        (
            OVERDUE,
            _("Overdue"),
            lambda n: ngettext(
                "%(n)d rights request or complaint is overdue",
                "%(n)d rights requests and complaints are overdue",
                n,
            ),
        ),
        (
            DUE_SOON,
            _("Due soon"),
            lambda n: ngettext(
                "%(n)d rights request or complaint is due within 5 working days",
                "%(n)d rights requests and complaints are due within 5 working days",
                n,
            ),
        ),
    ):
        due = [r.due_on for r in rows if r.urgency == urgency and r.due_on]
        if due:
            lines.append(
                RequestsToDo(
                    text=text(len(due)) % {"n": len(due)},
                    count=len(due),
                    url=url,
                    urgency=URGENCY[urgency],
                    due_on=min(due),
                    tag_class=urgency,
                    tag_label=label,
                )
            )
    return lines
