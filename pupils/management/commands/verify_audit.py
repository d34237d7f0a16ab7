"""Check the audit trail's hash chain; exit non-zero at the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from pupils.audit import verify_chain
from pupils.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Checks that no entry of the audit trail was edited or removed (the hash chain). "
        "Exits with status 1 and names the first broken entry if one was."
    )

    def handle(self, *args, **options):
        broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"The audit trail is broken at entry {broken.event_id}: {broken.reason}. "
                "Entries from there on cannot be trusted; see docs/operations.md "
                "(suspected breach)."
            )
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"The audit trail holds: {count} entries checked."))
