"""E-mail consent-form links to families (for cron or a one-off run)."""

from django.core.management.base import BaseCommand, CommandError

from consent import queries, reports, services
from consent.models import ConsentRequestReason
from pupils.models import School


class Command(BaseCommand):
    help = (
        "Sends each parent or carer with parental responsibility one e-mail with a personal "
        "link to their family's consent form."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", metavar="URN", help="Only this school (its URN).")
        parser.add_argument(
            "--missing-only",
            action="store_true",
            help="Only families with a child still missing an answer (sent as a reminder).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say who would get an e-mail; send nothing."
        )

    def handle(self, *args, school=None, missing_only=False, dry_run=False, **options):
        schools = School.objects.all()
        if school:
            schools = schools.filter(urn=school)
            if not schools.exists():
                raise CommandError(f"No school has the URN {school}.")
        total = 0
        for each in schools:
            if not queries.providers_needing_consent(each).exists():
                self.stdout.write(f"{each.name}: no cloud service needs consent; nothing to send.")
                continue
            pupils = (
                reports.pupils_missing_at([each])
                if missing_only
                else list(reports.active_pupils(each))
            )
            if dry_run:
                contacts = queries.contacts_to_email(pupils).count()
                self.stdout.write(
                    f"{each.name}: would e-mail {contacts} contact(s) for {len(pupils)} pupil(s)."
                )
                continue
            reason = (
                ConsentRequestReason.REMINDER
                if missing_only
                else ConsentRequestReason.SENT_BY_STAFF
            )
            sent = services.send_consent_requests(
                actor="manage.py send_consent_requests", pupils=pupils, reason=reason
            )
            total += len(sent)
            self.stdout.write(f"{each.name}: e-mailed {len(sent)} contact(s).")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} e-mail(s) sent."))
