"""The heavy steps of a CTF import, run by the worker as jobs
(``pupils.jobs``): checking an upload into its preview, and the confirmed
import. Staff follow them on the job's progress page, which leads on to
the preview when they are done."""

from __future__ import annotations

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _

from pupils.jobs import JobError, report_progress, run_job
from pupils.models import Job

from .models import CtfImportBatch, CtfImportStatus
from .report import CtfImportError
from .services import check_ctf_upload, confirm_ctf_import

IMPORT_CTF = "sharing.import_ctf"


@task()
def ctf_check_job(*, job_id: int) -> str:
    return run_job(job_id, _check)


@task()
def ctf_import_job(*, job_id: int) -> str:
    return run_job(job_id, _import)


def _batch(job: Job) -> CtfImportBatch:
    batch = (
        CtfImportBatch.objects.select_related("school", "uploaded_by")
        .filter(pk=job.arguments["batch_id"], school=job.school)
        .first()
    )
    if batch is None:
        raise JobError(_("The uploaded file is no longer here."))
    return batch


def _progress(job: Job):
    return lambda done, total: report_progress(job, done=done, total=total)


def _check(job: Job) -> str:
    batch = _batch(job)
    if batch.status == CtfImportStatus.REFUSED:
        raise JobError(_("This file was refused: upload a corrected file."))
    if batch.status != CtfImportStatus.CHECKING:  # checked by an earlier run
        return _("The file has been checked: see the preview, then confirm.")
    try:
        report = check_ctf_upload(batch=batch, progress=_progress(job))
    except CtfImportError as exc:
        raise JobError(_("Refused, nothing changed: %(why)s") % {"why": exc}) from None
    return _(
        "Checked: %(summary)s. Nothing has been changed yet: see the preview, then confirm."
    ) % {"summary": report.summary}


def _import(job: Job) -> str:
    batch = _batch(job)
    if batch.status == CtfImportStatus.IMPORTED:  # imported by an earlier run
        return _("Imported.")
    user = job.created_by
    try:
        if user is None or not user.is_active or not user.has_perm(IMPORT_CTF):
            raise CtfImportError(_("the member of staff who confirmed it may no longer import."))
        report = confirm_ctf_import(actor=user, batch=batch, progress=_progress(job))
    except CtfImportError as exc:
        _back_to_waiting(batch)
        raise JobError(_("Nothing was imported: %(why)s") % {"why": exc}) from None
    except Exception:
        _back_to_waiting(batch)
        raise
    return _("Imported: %(summary)s.") % {"summary": report.summary}


def _back_to_waiting(batch: CtfImportBatch) -> None:
    """The import rolled back: the file waits for confirmation (or a retry)
    again, so staff can also discard it."""
    with transaction.atomic():
        CtfImportBatch.objects.filter(pk=batch.pk, status=CtfImportStatus.IMPORTING).update(
            status=CtfImportStatus.PREVIEWED
        )
