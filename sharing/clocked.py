"""What every request on the one-month clock shares (subject access and the
other rights): the reads a list, a reminder or the requests page need, the
deadline from receipt, pauses and extension, and the trail entries of a
request. The models keep their own status choices; each queryset names
which of them are open. No schema here."""

from __future__ import annotations

import datetime
from typing import Self

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pupils import audit
from pupils.audit import Actor
from pupils.models import SchoolScopedQuerySet
from sharing import deadlines
from sharing.deadlines import due_soon_limit


class ClockedRequestQuerySet(SchoolScopedQuerySet):
    #: The statuses in which the clock runs or is paused (set by each model).
    open_statuses: tuple[str, ...] = ()

    def open(self) -> Self:
        return self.filter(status__in=self.open_statuses)

    def overdue(self, today: datetime.date) -> Self:
        return self.open().filter(due_on__lt=today)

    def due_soon(self, today: datetime.date) -> Self:
        """Open, not yet overdue, due within five working days."""
        return self.open().filter(due_on__gte=today, due_on__lte=due_soon_limit(today))


def one_month_due_on(request) -> datetime.date | None:
    """The deadline from receipt, pauses and extension (None while paused)."""
    pauses = request.pauses.values_list("starts_on", "ends_on") if request.pk else []
    return deadlines.sar_due_date_with_pauses(
        request.received_on, pauses, extended=request.extended_on is not None
    )


def trail(actor: Actor, request, action: str, summary: str, fields=()) -> None:
    """One entry per pupil of the request, so it shows on each pupil's own trail."""
    audit.record_for_pupils(actor=actor, action=action, obj=request, summary=summary, fields=fields)


def require_open(request) -> None:
    if not request.is_open:
        raise ValidationError(_("This request is no longer open."))
