"""Create a new draft privacy notice generated from the school's records."""

from django.core.management.base import BaseCommand, CommandError

from providers import services
from pupils.models import School


class Command(BaseCommand):
    help = "Creates a draft privacy notice generated from what the application knows."

    def add_arguments(self, parser):
        parser.add_argument("--urn", help="The school's URN (default: the default school).")
        parser.add_argument(
            "--publish", action="store_true", help="Publish the draft straight away."
        )

    def handle(self, *args, urn=None, publish=False, **options):
        schools = School.objects.filter(urn=urn) if urn else School.objects.filter(is_default=True)
        school = schools.first()
        if school is None:
            raise CommandError(f"No school with URN {urn}." if urn else "No default school.")
        notice = services.draft_notice(school=school, actor="manage.py draft_privacy_notice")
        if publish:
            notice = services.publish_notice(notice=notice, actor="manage.py draft_privacy_notice")
        self.stdout.write(
            self.style.SUCCESS(
                f"{school.name}: privacy notice version {notice.version} "
                f"({notice.get_status_display().lower()})."
            )
        )
