"""Produce the response to a subject access request for one pupil."""

import getpass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pupils import upn as upn_rules
from pupils.models import Pupil
from sharing.access.models import AccessRequest
from sharing.access.pdf import PdfRenderError
from sharing.access.response import produce_access_response


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

    def handle(self, *args, upn: str, output: str, request: int | None, **options):
        pupil = Pupil.objects.filter(upn=upn_rules.compact(upn)).first()
        if pupil is None:
            raise CommandError(f"No pupil has the UPN {upn}.")
        requests = AccessRequest.objects.filter(pupils=pupil).order_by("-received_at", "-id")
        if request is not None:
            requests = requests.filter(pk=request)
        access_request = requests.first()
        if access_request is None:
            raise CommandError(
                "No access request for this pupil is logged: log it first (every response "
                "answers a logged request)."
            )
        try:
            pdf = produce_access_response(
                actor=f"manage.py sar_pdf ({getpass.getuser()})",
                request=access_request,
                pupil=pupil,
            )
        except (PdfRenderError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        Path(output).write_bytes(pdf)
        self.stdout.write(f"Wrote {output} ({len(pdf):,} bytes) for request {access_request.pk}.")
