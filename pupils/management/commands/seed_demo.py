"""Load realistic demo data (made-up people). Safe to run again."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from pupils import demo


class Command(BaseCommand):
    help = "Creates a demo school, its staff and about 200 made-up pupils (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (never on a real school's database).",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with published passwords: it only runs with "
                "DEBUG on. Use --force for a demo server."
            )
        with transaction.atomic():
            school, created = demo.seed_school()
            ctx = demo.DemoContext(school=school, created=created)
            # Each app seeds its own part, lower layers first.
            for app_config in apps.get_app_configs():
                if module_has_submodule(app_config.module, "demo"):
                    import_module(f"{app_config.name}.demo").seed(ctx)
        verb = "Created" if created else "Already there:"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {school.name} with {school.pupils.count()} pupils.")
        )
        self.stdout.write("Demo sign-ins (demo data only, never use these passwords for real):")
        for line in ctx.credentials:
            self.stdout.write(f"  {line}")
