"""What every request on the one-month clock shares (subject access and the
other rights): the reads a list, a reminder or the requests page need. The
models keep their own status choices; each queryset names which of them
are open. No schema here: a queryset only."""

from __future__ import annotations

import datetime
from typing import Self

from pupils.models import SchoolScopedQuerySet
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
