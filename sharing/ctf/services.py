"""The staff's two steps around the import engine: stage an upload with its
preview, then confirm it (the import, for real) or discard it. Each step is
one transaction and writes the trail."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pupils import audit
from pupils.models import AuditAction, School
from sharing.actor import Actor

from .importer import import_ctf
from .models import CtfImportBatch, CtfImportStatus
from .report import CtfImportError, ImportReport


def stage_ctf_import(
    *, actor: Actor, school: School, data: bytes, file_name: str
) -> CtfImportBatch:
    """Keep an uploaded CTF with its preview until staff confirm it.

    Raises CtfImportError (and keeps nothing) when the file is refused."""
    report = import_ctf(actor=actor, school=school, data=data, file_name=file_name, dry_run=True)
    with transaction.atomic():
        batch = CtfImportBatch.objects.create(
            school=school,
            uploaded_by=audit.staff_user(actor),
            file_name=file_name[:200],
            content=data,
            sha256=report.sha256,
            preview=report.as_dict(),
        )
        audit.record_change(actor=actor, obj=batch, created=True)
    return batch


def earlier_import_of(batch: CtfImportBatch) -> CtfImportBatch | None:
    return (
        CtfImportBatch.objects.filter(
            school=batch.school, sha256=batch.sha256, status=CtfImportStatus.IMPORTED
        )
        .exclude(pk=batch.pk)
        .first()
    )


@transaction.atomic
def confirm_ctf_import(*, actor: Actor, batch: CtfImportBatch) -> ImportReport:
    """Import a staged CTF for real. The file's bytes are dropped afterwards:
    the records now hold the data, and the batch keeps its fingerprint."""
    batch = CtfImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != CtfImportStatus.PREVIEWED:
        raise CtfImportError(_("This file has already been dealt with."))
    report = import_ctf(
        actor=actor, school=batch.school, data=bytes(batch.content), file_name=batch.file_name
    )
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
