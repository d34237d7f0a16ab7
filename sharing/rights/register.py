"""Every request a family makes, of every kind, in one list: subject access
(and educational-record) requests, the other rights requests, and
complaints. ``open_requests`` is the DPO's "requests by due date" page;
``all_requests`` is the requests register handed over (as CSV by
``sharing.registers.pack``). Three queries whatever the number of rows.

A complaint's legal clock is its acknowledgement (30 days, DPA 2018
s164A); once acknowledged, its outcome is due "without undue delay": it
stays on the list, with no date, until the outcome is told.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from pupils.models import School
from sharing.access.models import AccessRequest
from sharing.deadlines import due_soon_limit

from .models import Complaint, ComplaintStatus, RightsRequest

OVERDUE, DUE_SOON = "overdue", "due-soon"


@dataclass(frozen=True)
class RequestRow:
    kind: str  # "Subject access", "Erasure", "Complaint"...
    number: int
    school: str
    received_on: datetime.date
    requester: str
    relationship: str
    channel: str
    pupils: int
    status: str
    due_on: datetime.date | None  # None: paused, or a complaint's outcome (no fixed date)
    due_what: str  # what is due by then: "Answer", "Acknowledge"...
    extended_on: datetime.date | None
    closed_on: datetime.date | None
    is_open: bool
    url: str
    urgency: str = ""  # OVERDUE, DUE_SOON or ""

    @property
    def urgency_label(self) -> str:
        return {OVERDUE: _("Overdue"), DUE_SOON: _("Due soon")}.get(self.urgency, "")


def _urgency(due_on: datetime.date | None, today: datetime.date, limit: datetime.date) -> str:
    if due_on is None:
        return ""
    if due_on < today:
        return OVERDUE
    return DUE_SOON if due_on <= limit else ""


def _clocked_row(
    r: AccessRequest | RightsRequest, *, kind: str, closed_on, url_name: str
) -> RequestRow:
    """A request on the one-month clock (access or another right) as a row."""
    return RequestRow(
        kind=kind,
        number=r.pk,
        school=r.school.name,
        received_on=r.received_on,
        requester=r.requester_name,
        relationship=r.get_requester_relationship_display(),
        channel=r.get_channel_display(),
        pupils=getattr(r, "n_pupils"),  # noqa: B009  (annotated by the caller)
        status=r.get_status_display(),
        due_on=r.due_on if r.is_open else None,
        due_what=_("Answer"),
        extended_on=r.extended_on,
        closed_on=closed_on,
        is_open=r.is_open,
        url=reverse(url_name, args=[r.pk]),
    )


def _access_rows(requests: QuerySet[AccessRequest]) -> Iterable[RequestRow]:
    for r in requests.annotate(n_pupils=Count("pupils")).select_related("school"):
        yield _clocked_row(
            r,
            kind=_("Educational record") if r.educational_record else _("Subject access"),
            closed_on=r.answered_on,
            url_name="admin:sharing_accessrequest_change",
        )


def _rights_rows(requests: QuerySet[RightsRequest]) -> Iterable[RequestRow]:
    for r in requests.annotate(n_pupils=Count("pupils")).select_related("school"):
        yield _clocked_row(
            r,
            kind=r.get_kind_display().split(" (")[0],
            closed_on=r.decided_on,
            url_name="admin:sharing_rightsrequest_change",
        )


def _complaint_rows(complaints: QuerySet[Complaint]) -> Iterable[RequestRow]:
    for c in complaints.select_related("school"):
        received = c.status == ComplaintStatus.RECEIVED
        yield RequestRow(
            kind=_("Complaint"),
            number=c.pk,
            school=c.school.name,
            received_on=c.received_on,
            requester=c.complainant_name,
            relationship="",
            channel=c.get_channel_display(),
            pupils=0,
            status=c.get_status_display(),
            due_on=c.acknowledge_by if received else None,
            due_what=_("Acknowledge") if received else _("Tell the outcome"),
            extended_on=None,
            closed_on=c.outcome_told_on,
            is_open=c.status != ComplaintStatus.CLOSED,
            url=reverse("admin:sharing_complaint_change", args=[c.pk]),
        )


def _sorted(rows: Iterable[RequestRow], today: datetime.date) -> list[RequestRow]:
    limit = due_soon_limit(today)
    marked = [replace(row, urgency=_urgency(row.due_on, today, limit)) for row in rows]
    return sorted(
        marked,
        key=lambda r: (r.due_on is None, r.due_on or r.received_on, r.received_on, r.number),
    )


def open_requests(
    schools: Iterable[School],
    today: datetime.date,
    *,
    access: bool = True,
    rights: bool = True,
    complaints: bool = True,
) -> list[RequestRow]:
    """The open requests and complaints of these schools, soonest due first
    (those with no date last), each marked overdue or due soon. The flags
    leave out a kind the reader may not see."""
    rows: list[RequestRow] = []
    if access:
        rows += _access_rows(AccessRequest.objects.filter(school__in=schools).open())
    if rights:
        rows += _rights_rows(RightsRequest.objects.filter(school__in=schools).open())
    if complaints:
        open_complaints = Complaint.objects.filter(school__in=schools).exclude(
            status=ComplaintStatus.CLOSED
        )
        rows += _complaint_rows(open_complaints)
    return _sorted(rows, today)


def all_requests(school: School, today: datetime.date) -> list[RequestRow]:
    """Every request and complaint of the school, open or closed: the register."""
    rows = [
        *_access_rows(AccessRequest.objects.for_school(school)),
        *_rights_rows(RightsRequest.objects.for_school(school)),
        *_complaint_rows(Complaint.objects.for_school(school)),
    ]
    return sorted(rows, key=lambda r: (r.received_on, r.kind, r.number))
