"""``manage.py run_scheduled``: the one entry point for scheduled work.

Call it from cron or a systemd timer every five minutes (docs/operations.md).
It is safe to run twice, or on two machines at once: every registered step
is idempotent. Exits 1 if any step failed (the others still ran).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pupils import scheduled


class Command(BaseCommand):
    help = "Run scheduled work: re-queue stopped workers' tasks, retry e-mails, reminders."

    def handle(self, *args: Any, **options: Any) -> None:
        results = scheduled.run_all()
        for name, result in results.items():
            self.stdout.write(f"{name}: {result}")
        failed = [name for name, result in results.items() if result.startswith("failed")]
        if failed:
            raise CommandError(f"Scheduled work failed: {', '.join(failed)}")
