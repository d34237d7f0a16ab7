"""The staff's steps around the import engine, each one transaction that
writes the trail: receive an upload, check it into a preview, then confirm
it (the import, for real) or discard it.

Checking and importing are the heavy steps: staff pages queue them as jobs
(``start_ctf_check``, ``start_ctf_import``; the tasks are in
``sharing.ctf.tasks``) and follow them on the job's progress page.
``stage_ctf_import`` does the first two at once, for callers without a worker.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pupils import audit
from pupils.jobs import start_job
from pupils.models import AuditAction, Job, School
from sharing.actor import Actor
from sharing.disclosures.services import fingerprint

from .importer import Progress, check_destination, import_ctf
from .models import CtfImportBatch, CtfImportStatus
from .reader import read_ctf_header
from .records import CtfError
from .report import CtfImportError, ImportReport

CHECK_JOB, IMPORT_JOB = "ctf_check", "ctf_import"


def receive_ctf_upload(
    *, actor: Actor, school: School, data: bytes, file_name: str
) -> CtfImportBatch:
    """Keep an uploaded CTF until it is checked. Only the checks that refuse
    a file as a whole and cost little are made here (safe, well-formed XML,
    a CTF with pupils, addressed to this school); reading every pupil is
    ``check_ctf_upload``'s. Raises CtfImportError (and keeps nothing)."""
    try:
        header = read_ctf_header(data)
    except CtfError as exc:
        raise CtfImportError(str(exc)) from None
    check_destination(header, school)
    with transaction.atomic():
        batch = CtfImportBatch.objects.create(
            school=school,
            uploaded_by=audit.staff_user(actor),
            file_name=file_name[:200],
            content=data,
            sha256=fingerprint(data),
            status=CtfImportStatus.CHECKING,
        )
        audit.record_change(actor=actor, obj=batch, created=True)
    return batch


def check_ctf_upload(*, batch: CtfImportBatch, progress: Progress | None = None) -> ImportReport:
    """Work out what a received CTF would do (a dry run) and keep that as its
    preview. A file refused as a whole is erased, marked refused and the
    CtfImportError raised again; nothing else changes."""
    actor = batch.uploaded_by
    try:
        report = import_ctf(
            actor=actor, school=batch.school, data=bytes(batch.content),
            file_name=batch.file_name, dry_run=True, progress=progress,
        )  # fmt: skip
    except CtfImportError:
        _refuse(actor=actor, batch=batch)
        raise
    with transaction.atomic():
        locked = CtfImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == CtfImportStatus.CHECKING:
            locked.status = CtfImportStatus.PREVIEWED
            locked.preview = report.as_dict()
            locked.save(update_fields=["status", "preview"])
    return report


def _refuse(*, actor: Actor, batch: CtfImportBatch) -> None:
    with transaction.atomic():
        updated = CtfImportBatch.objects.filter(
            pk=batch.pk, status=CtfImportStatus.CHECKING
        ).update(status=CtfImportStatus.REFUSED, content=b"", preview={})
        if updated:
            audit.record(
                actor=actor,
                action=AuditAction.ERASE,
                obj=batch,
                school_id=batch.school_id,
                summary="CTF upload refused: file erased",
                fields=["content"],
            )


def stage_ctf_import(
    *, actor: Actor, school: School, data: bytes, file_name: str
) -> CtfImportBatch:
    """Receive and check a CTF in one go (no worker): the batch waits for
    confirmation. Raises CtfImportError (and keeps nothing) when refused."""
    with transaction.atomic():
        batch = receive_ctf_upload(actor=actor, school=school, data=data, file_name=file_name)
        check_ctf_upload(batch=batch)
    batch.refresh_from_db()
    return batch


def start_ctf_check(*, actor: Actor, school: School, data: bytes, file_name: str) -> Job:
    """Receive an upload and queue its check (the preview) in the worker."""
    with transaction.atomic():
        batch = receive_ctf_upload(actor=actor, school=school, data=data, file_name=file_name)
        return _start_job(actor, batch, CHECK_JOB, _("Check the Common Transfer File"))


def start_ctf_import(*, actor: Actor, batch: CtfImportBatch) -> Job:
    """Queue the import of a previewed CTF in the worker."""
    with transaction.atomic():
        batch = CtfImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != CtfImportStatus.PREVIEWED:
            raise CtfImportError(_("This file has already been dealt with."))
        batch.status = CtfImportStatus.IMPORTING
        batch.save(update_fields=["status"])
        return _start_job(actor, batch, IMPORT_JOB, _("Import the Common Transfer File"))


def _start_job(actor: Actor, batch: CtfImportBatch, kind: str, title: str) -> Job:
    return start_job(
        actor=actor,
        school=batch.school,
        kind=kind,
        title=title,
        task_path=f"sharing.ctf.tasks.{kind}_job",
        # Ids only; the preview's address is where the progress page leads on.
        arguments={
            "batch_id": batch.pk,
            "result_url": reverse("admin:sharing_ctf_preview", args=[batch.pk]),
        },
    )


def job_of(batch: CtfImportBatch) -> Job | None:
    """The latest job that checked or imported this upload."""
    return (
        Job.objects.filter(kind__in=(CHECK_JOB, IMPORT_JOB), arguments__batch_id=batch.pk)
        .order_by("-created_at", "-pk")
        .first()
    )


def earlier_import_of(batch: CtfImportBatch) -> CtfImportBatch | None:
    return (
        CtfImportBatch.objects.filter(
            school=batch.school, sha256=batch.sha256, status=CtfImportStatus.IMPORTED
        )
        .exclude(pk=batch.pk)
        .first()
    )


@transaction.atomic
def confirm_ctf_import(
    *, actor: Actor, batch: CtfImportBatch, progress: Progress | None = None
) -> ImportReport:
    """Import a staged CTF for real (waiting for confirmation, or queued by
    ``start_ctf_import``). The file's bytes are dropped afterwards: the
    records now hold the data, and the batch keeps its fingerprint."""
    batch = CtfImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (CtfImportStatus.PREVIEWED, CtfImportStatus.IMPORTING):
        raise CtfImportError(_("This file has already been dealt with."))
    report = import_ctf(
        actor=actor, school=batch.school, data=bytes(batch.content), file_name=batch.file_name,
        progress=progress,
    )  # fmt: skip
    batch.status = CtfImportStatus.IMPORTED
    batch.result = report.as_dict()
    batch.imported_at = timezone.now()
    batch.content = b""
    batch.save(update_fields=["status", "result", "imported_at", "content"])
    return report


@transaction.atomic
def discard_ctf_import(*, actor: Actor, batch: CtfImportBatch) -> None:
    """Drop a staged CTF that will not be imported: its bytes and its preview
    (which name pupils) go; the fingerprint stays as a record of the upload."""
    batch = CtfImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != CtfImportStatus.PREVIEWED:
        raise CtfImportError(_("This file has already been dealt with."))
    batch.status = CtfImportStatus.DISCARDED
    batch.content = b""
    batch.preview = {}
    batch.save(update_fields=["status", "content", "preview"])
    # The erasure is on record; what was erased is not.
    audit.record(
        actor=actor,
        action=AuditAction.ERASE,
        obj=batch,
        school_id=batch.school_id,
        summary="CTF upload discarded: file and preview erased",
        fields=["content", "preview"],
    )
