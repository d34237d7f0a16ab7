"""The staff home page's to-do lines for the requests ``config.dashboard``
does not count itself: other rights requests and complaints, overdue or due
within five working days, each line a link to the requests page (every
kind by due date). Subject access requests have the home page's own line.

The home page finds this module by name (``config.dashboard.PLUGIN_MODULES``)
and sorts the lines with its own: each has the attributes of its ``ToDo``
(``urgency`` 0 overdue, 1 due soon). No app imports ``config``, so the line
is a small class of its own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
