"""Import Common Transfer Files from the command line (same service as the admin)."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pupils.models import School
from sharing.ctf.importer import import_ctf, read_ctf
from sharing.ctf.reader import MAX_CTF_BYTES
from sharing.ctf.report import SKIPPED, CtfImportError


class Command(BaseCommand):
    help = "Imports one or more CTF XML files. Use --dry-run to see what would change."
    # A data job: the configuration is checked when the server starts and
    # by `manage.py check --deploy`; checking it again costs every import
    # the loading of every URL and admin module.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")
        parser.add_argument(
            "--school",
            metavar="URN",
            help="The importing school's URN (default: the school the file is addressed to).",
        )

    def handle(self, *args, files, dry_run=False, school=None, **options):
        actor = f"manage.py import_ctf ({getpass.getuser()})"
        failed = False
        for name in files:
            try:
                data = self._read(Path(name))
                target = self._school(school, data)
                report = import_ctf(
                    actor=actor, school=target, data=data, file_name=Path(name).name,
                    dry_run=dry_run,
                )  # fmt: skip
            except CtfImportError as exc:
                self.stderr.write(self.style.ERROR(f"{name}: refused, nothing changed. {exc}"))
                failed = True
                continue
            self._print(name, report)
        if failed:
            raise CommandError("Some files were refused.")

    def _read(self, path: Path) -> bytes:
        if not path.is_file():
            raise CtfImportError(f"There is no file {path}.")
        if path.stat().st_size > MAX_CTF_BYTES:
            raise CtfImportError(
                f"The file is larger than {MAX_CTF_BYTES // 1_048_576} MB: not a CTF."
            )
        return path.read_bytes()

    def _school(self, urn: str | None, data: bytes) -> School:
        if urn:
            try:
                return School.objects.get(urn=urn)
            except School.DoesNotExist:
                raise CtfImportError(f"No school has the URN {urn}.") from None
        dest = read_ctf(data).header.dest
        match = School.objects.filter(
            la_code=dest.lea if dest else None, estab_number=dest.estab if dest else None
        ).first()
        if match is None:
            raise CtfImportError("The file is not addressed to a school here: use --school URN.")
        return match

    def _print(self, name: str, report) -> None:
        verb = "Would import" if report.dry_run else "Imported"
        self.stdout.write(f"{name}: {verb} from {report.source_school}: {report.summary}.")
        for outcome in report.pupils:
            self.stdout.write(f"  {outcome.action:9} {outcome.name}")
            for line in outcome.conflicts:
                self.stdout.write(f"      conflict: {line}")
            for line in outcome.problems:
                style = self.style.ERROR if outcome.action == SKIPPED else self.style.WARNING
                self.stdout.write(style(f"      problem: {line}"))
        if report.ignored_elements:
            self.stdout.write(f"  Elements not read: {', '.join(report.ignored_elements)}")
