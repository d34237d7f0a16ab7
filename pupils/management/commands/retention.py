"""What the retention schedule says is due for erasure; with --apply, erase it.

Runs daily from the scheduled entry point (``manage.py run_scheduled``, the
``retention`` step of ``pupils/scheduled.py``); by hand, ``manage.py retention
--apply``. Without --apply nothing changes. A pupil who cannot be erased is
reported and the run goes on; the command then exits with an error.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pupils.models import School
from pupils.retention.due import DuePupil, due_for_erasure, long_date
from pupils.retention.schedule import schedules_for
from pupils.retention.services import SCHEDULE_ACTOR, erase_due, purge_due


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of wants a date as YYYY-MM-DD, not {value!r}.") from exc


class Command(BaseCommand):
    help = (
        "Lists the records whose retention period has ended (pupil, UPN, kind of record, why, "
        "since when) and changes nothing. With --apply, erases everything listed that no "
        "legal hold keeps, one pupil at a time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="The day to judge on (YYYY-MM-DD; default today).")
        parser.add_argument("--apply", action="store_true", help="Erase what is due.")
        parser.add_argument("--school", help="Only the school with this URN.")

    def handle(self, *args, **options) -> None:
        as_of = _day(options["as_of"]) if options["as_of"] else timezone.localdate()
        schools = School.objects.all()
        if options["school"]:
            schools = schools.filter(urn=options["school"])
            if not schools.exists():
                raise CommandError(f"No school has the URN {options['school']}.")
        due = due_for_erasure(as_of=as_of, schools=schools)
        self._list(due, as_of)
        purges = purge_due(
            actor=SCHEDULE_ACTOR, as_of=as_of, schools=schools, apply=options["apply"]
        )
        self._list_purges(purges, schools)
        if not options["apply"]:
            self.stdout.write("Dry run: nothing was changed. Add --apply to erase.")
            return
        run = erase_due(actor=SCHEDULE_ACTOR, as_of=as_of, schools=schools)
        whole = sum(1 for r in run.erased if r.whole)
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased: {len(run.erased)} pupils' due records ({whole} pupils erased "
                f"completely); {sum(1 for d in due if d.held)} held."
            )
        )
        for failure in run.failed:
            self.stderr.write(
                f"NOT ERASED: {failure.upn}  {failure.name}: the erasure stopped "
                f"({failure.error}); nothing of this pupil was erased."
            )
        if run.failed:
            raise CommandError(
                f"{len(run.failed)} pupils could not be erased (listed above, and in the "
                "audit trail); the others were. The next run tries them again."
            )

    def _list(self, due: list[DuePupil], as_of: datetime.date) -> None:
        self.stdout.write(f"Due for erasure on {long_date(as_of)}: {len(due)} pupils.")
        for entry in due:
            scope = "erased completely" if entry.whole else "partly"
            self.stdout.write(f"{entry.upn}  {entry.name}  ({scope})")
            for item in entry.items:
                self.stdout.write(
                    f"    {item.label}: due since {long_date(item.since)}: {item.why}"
                )
            for reason in entry.holds:
                self.stdout.write(f"    HELD, not erased: {reason}")

    def _list_purges(self, purges, schools) -> None:
        schedules = schedules_for(schools)
        names = {school.pk: school.name for school in schools}
        for (school_id, kind), n in purges.items():
            label = schedules[school_id].entry(kind).label
            self.stdout.write(f"{names[school_id]}: {label}: {n} due.")
