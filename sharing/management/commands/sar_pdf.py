"""Produce the response to a subject access request for one pupil.

Producing is not sending: the file is written first, and only once it is
fully on disk is the production recorded (an EXPORT entry in the trail).
The disclosure is logged when the response is recorded as sent
(``--sent-method`` and ``--sent-to``, or the staff site), once.
"""

import datetime
import getpass
import os
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from pupils import upn as upn_rules
from pupils.models import Pupil
from sharing.access.models import AccessRequest
from sharing.access.pdf import PdfRenderError
from sharing.access.response import (
    record_response_produced,
    record_response_sent,
    render_response,
)
from sharing.disclosures.models import SendMethod


class Command(BaseCommand):
    help = "Writes the subject access response PDF of the pupil with this UPN."

    def add_arguments(self, parser):
        parser.add_argument("upn")
        parser.add_argument("-o", "--output", required=True, help="The PDF file to write.")
        parser.add_argument(
            "--request",
            type=int,
            help="The access request's number (default: the pupil's latest request).",
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help='A draft to read, marked "Draft - not for sending" on every page.',
        )
        parser.add_argument(
            "--sent-method",
            choices=SendMethod.values,
            help="Also record that the response was sent, this way (logs the disclosure).",
        )
        parser.add_argument("--sent-to", default="", help="Who it was sent to.")
        parser.add_argument(
            "--sent-on", type=datetime.date.fromisoformat, help="When (default: today)."
        )

    def handle(self, *args, upn: str, output: str, request: int | None, **options):
        draft, method = options["draft"], options["sent_method"]
        if draft and method:
            raise CommandError("A draft is never sent: leave out --sent-method.")
        if method and not options["sent_to"].strip():
            raise CommandError("Say who it was sent to (--sent-to).")
        pupil = Pupil.objects.filter(upn=upn_rules.compact(upn)).first()
        if pupil is None:
            raise CommandError(f"No pupil has the UPN {upn}.")
        access_request = self._request(pupil, request)
        actor = f"manage.py sar_pdf ({getpass.getuser()})"
        try:
            rendered = render_response(request=access_request, pupil=pupil, draft=draft)
        except (PdfRenderError, ValidationError) as exc:
            raise CommandError(" ".join(_messages(exc))) from exc
        write_fully(Path(output), rendered.pdf)
        try:
            with transaction.atomic():
                record_response_produced(
                    actor=actor, request=access_request, pupil=pupil, rendered=rendered
                )
                if method:
                    record_response_sent(
                        actor=actor,
                        request=access_request,
                        pupil=pupil,
                        sent_on=options["sent_on"] or timezone.localdate(),
                        method=method,
                        sent_to=options["sent_to"],
                        file_bytes=rendered.pdf,
                    )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        kind = "draft" if draft else "response"
        self.stdout.write(
            f"Wrote the {kind} {output} ({len(rendered.pdf):,} bytes) for request "
            f"{access_request.pk}." + (" Recorded as sent." if method else "")
        )

    def _request(self, pupil: Pupil, number: int | None) -> AccessRequest:
        requests = AccessRequest.objects.filter(pupils=pupil).order_by("-received_at", "-id")
        if number is not None:
            requests = requests.filter(pk=number)
        found = requests.first()
        if found is None:
            raise CommandError(
                "No access request for this pupil is logged: log it first (every response "
                "answers a logged request)."
            )
        return found


def write_fully(path: Path, data: bytes) -> None:
    """Write and flush to the disk, or raise CommandError (a partly written
    regular file is removed): nothing is recorded for a file not written."""
    try:
        with path.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        if path.is_file():
            path.unlink(missing_ok=True)
        raise CommandError(f"Could not write {path}: {exc.strerror or exc}") from exc


def _messages(exc: Exception) -> list[str]:
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]
