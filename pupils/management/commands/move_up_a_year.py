"""Move every pupil on roll at a school up a year group (the September
roll-over), as the staff page "Move everyone up a year" does:
``manage.py move_up_a_year --school URN [--academic-year YYYY]``.

The academic year defaults to the current one (2026 for 2026/27) and must
be it; a second run for the same year is refused and changes nothing. Year 6
pupils stay and are listed: record their leaving on their records.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pupils.models import School
from pupils.schoolyear import academic_year_of
from pupils.yeargroups import move_up_a_year, school_year_label

ACTOR = "manage.py move_up_a_year"


class Command(BaseCommand):
    help = (
        "Moves every pupil on roll at the school up a year group (N1 to N2 ... Year 5 to "
        "Year 6), once per school year. Year 6 pupils stay and are listed: record their leaving."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", required=True, help="The school's URN.")
        parser.add_argument(
            "--academic-year",
            type=int,
            help="The school year by its start year (2026 for 2026/27; default: the current one).",
        )

    def handle(self, *args, **options) -> None:
        school = School.objects.filter(urn=options["school"]).first()
        if school is None:
            raise CommandError(f"No school has the URN {options['school']}.")
        academic_year = options["academic_year"] or academic_year_of(timezone.localdate())
        try:
            result = move_up_a_year(actor=ACTOR, school=school, academic_year=academic_year)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{school.name}, {school_year_label(academic_year)}: {result.moved} pupils moved "
                f"up a year; {len(result.staying)} Year 6 pupils are still on roll: record "
                "their leaving."
            )
        )
        for pupil in result.staying:
            self.stdout.write(f"Year 6: {pupil.upn}  {pupil.full_name}")
