"""A CTF's heavy steps run in the worker as jobs: the upload is kept and
checked into a preview by one job, the confirmed import is another. Staff
follow each on the job's progress page, which leads on to the preview; a
job that fails says why in plain words and can be tried again."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from pupils.jobs import retry_job
from pupils.models import AuditAction, AuditEvent, Job, JobStatus, Pupil
from sharing.ctf import services, tasks
from sharing.ctf.importer import import_ctf
from sharing.models import CtfImportBatch, CtfImportStatus
from sharing.retention import purge_ctf_uploads

from .conftest import fixture_bytes
from .test_ctf_import_queries import ctf_of

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:sharing_ctf_upload")


def progress_page(job):
    return reverse("admin:pupils_job_progress", args=[job.pk])


def preview_page(batch):
    return reverse("admin:sharing_ctf_preview", args=[batch.pk])


def upload(client, school, data, capture):
    with capture(execute=True):
        return client.post(
            UPLOAD,
            {"school": school.pk, "file": SimpleUploadedFile("in.xml", data, "application/xml")},
        )


@pytest.fixture
def recorded_progress(monkeypatch):
    """Every (done, total) a CTF job reports, through ``report_progress``."""
    seen: list[tuple[int, int]] = []
    real = tasks.report_progress

    def record(job, *, done, total=None):
        real(job, done=done, total=total)
        seen.append((job.done, job.total))

    monkeypatch.setattr(tasks, "report_progress", record)
    return seen


def test_an_upload_is_checked_by_a_job_whose_page_leads_on_to_the_preview(
    dpo_client, ctf_school, django_capture_on_commit_callbacks
):
    response = upload(
        dpo_client, ctf_school, fixture_bytes("ctf_full.xml"), django_capture_on_commit_callbacks
    )

    job = Job.objects.get()
    batch = CtfImportBatch.objects.get()
    assert response["Location"] == progress_page(job)
    assert job.kind == services.CHECK_JOB and job.status == JobStatus.DONE
    assert (job.done, job.total) == (4, 4)
    assert batch.status == CtfImportStatus.PREVIEWED and batch.preview["pupils"]
    assert not Pupil.objects.exists()  # a check changes nothing
    html = dpo_client.get(progress_page(job)).content.decode()
    assert "4 to create" in html and "Nothing has been changed yet" in html
    assert f'href="{preview_page(batch)}"' in html and "See the result" in html
    assert "4 to create" in dpo_client.get(preview_page(batch)).content.decode()


def test_the_preview_of_a_file_still_being_checked_is_its_progress_page(
    dpo_user, dpo_client, ctf_school
):
    job = services.start_ctf_check(
        actor=dpo_user, school=ctf_school, data=fixture_bytes("ctf_full.xml"), file_name="a.xml"
    )  # queued, not run: no commit in a test's transaction
    batch = CtfImportBatch.objects.get()

    assert batch.status == CtfImportStatus.CHECKING
    assert dpo_client.get(preview_page(batch))["Location"] == progress_page(job)


def test_confirming_queues_the_import_and_its_page_leads_on_to_what_was_imported(
    dpo_client, ctf_school, django_capture_on_commit_callbacks
):
    upload(
        dpo_client, ctf_school, fixture_bytes("ctf_full.xml"), django_capture_on_commit_callbacks
    )
    batch = CtfImportBatch.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = dpo_client.post(preview_page(batch))

    job = Job.objects.get(kind=services.IMPORT_JOB)
    batch.refresh_from_db()
    assert response["Location"] == progress_page(job)
    assert job.status == JobStatus.DONE and job.created_by.username == "dpo"
    assert batch.status == CtfImportStatus.IMPORTED and bytes(batch.content) == b""
    assert Pupil.objects.filter(school=ctf_school).count() == 4
    html = dpo_client.get(progress_page(job)).content.decode()
    assert "Imported: 4 created" in html and f'href="{preview_page(batch)}"' in html
    # A second confirmation queues nothing.
    dpo_client.post(preview_page(batch))
    assert Job.objects.filter(kind=services.IMPORT_JOB).count() == 1


def test_progress_is_reported_in_steps_while_a_1000_pupil_ctf_imports(
    dpo_user, ctf_school, recorded_progress, django_capture_on_commit_callbacks
):
    data = ctf_of(1000, serial_from=0)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_ctf_check(actor=dpo_user, school=ctf_school, data=data, file_name="big.xml")
    checked = list(recorded_progress)
    recorded_progress.clear()
    batch = CtfImportBatch.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_ctf_import(actor=dpo_user, batch=batch)

    job.refresh_from_db()
    for seen in (checked, recorded_progress):
        dones = [done for done, _total in seen]
        assert {total for _done, total in seen} == {1000}
        assert dones == sorted(dones) and dones[0] == 0 and dones[-1] == 1000
        assert {50, 500, 950} <= set(dones) and len(set(dones)) >= 20  # every 50 pupils
    assert job.status == JobStatus.DONE and (job.done, job.total) == (1000, 1000)
    assert Pupil.objects.filter(school=ctf_school).count() == 1000


def test_a_broken_file_fails_its_check_in_plain_words_and_changes_nothing(
    dpo_user, dpo_client, ctf_school, django_capture_on_commit_callbacks
):
    # Cut short after the quick checks of the upload passed (a truncated copy).
    batch = CtfImportBatch.objects.create(
        school=ctf_school, uploaded_by=dpo_user, file_name="cut.xml", sha256="0" * 64,
        content=fixture_bytes("ctf_full.xml")[:3000], status=CtfImportStatus.CHECKING,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        job = services._start_job(dpo_user, batch, services.CHECK_JOB, "Check the file")

    job.refresh_from_db()
    batch.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("Refused, nothing changed: The file is not well-formed XML")
    assert batch.status == CtfImportStatus.REFUSED and bytes(batch.content) == b""
    assert not Pupil.objects.exists()
    html = dpo_client.get(progress_page(job)).content.decode()
    assert "Refused, nothing changed" in html and "Try again" in html
    # Trying again cannot mend the file: it says what to do instead.
    with django_capture_on_commit_callbacks(execute=True):
        retry_job(actor=dpo_user, job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "upload a corrected file" in job.error


def test_an_import_stopped_by_a_failure_changes_nothing_and_a_retry_imports_once(
    dpo_user, ctf_school, monkeypatch, django_capture_on_commit_callbacks
):
    batch = services.stage_ctf_import(
        actor=dpo_user, school=ctf_school, data=fixture_bytes("ctf_full.xml"), file_name="a.xml"
    )
    real = services.import_ctf

    def database_gone(**kwargs):
        real(**kwargs)  # everything written, then the failure: all of it rolls back
        raise ConnectionError("the database went away")

    monkeypatch.setattr(services, "import_ctf", database_gone)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_ctf_import(actor=dpo_user, batch=batch)
    job.refresh_from_db()
    batch.refresh_from_db()

    assert job.status == JobStatus.FAILED and job.error.startswith("Something unexpected")
    assert batch.status == CtfImportStatus.PREVIEWED  # waits again: retry, confirm or discard
    assert not Pupil.objects.exists()

    monkeypatch.setattr(services, "import_ctf", real)
    with django_capture_on_commit_callbacks(execute=True):
        retry_job(actor=dpo_user, job=job)
    job.refresh_from_db()
    batch.refresh_from_db()

    assert job.status == JobStatus.DONE and batch.status == CtfImportStatus.IMPORTED
    assert Pupil.objects.count() == 4
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 4


def test_the_job_imports_exactly_what_the_command_would(
    dpo_user, ctf_school, django_capture_on_commit_callbacks
):
    data = fixture_bytes("ctf_full.xml")
    with transaction.atomic():
        direct = import_ctf(actor=dpo_user, school=ctf_school, data=data, file_name="a.xml")
        transaction.set_rollback(True)
    batch = services.stage_ctf_import(
        actor=dpo_user, school=ctf_school, data=data, file_name="a.xml"
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.start_ctf_import(actor=dpo_user, batch=batch)

    batch.refresh_from_db()
    assert batch.result == direct.as_dict()


def test_another_schools_dpo_cannot_confirm_or_follow_the_import(
    dpo_user, ctf_school, other_school_client
):
    batch = services.stage_ctf_import(
        actor=dpo_user, school=ctf_school, data=fixture_bytes("ctf_full.xml"), file_name="a.xml"
    )
    job = services.start_ctf_import(actor=dpo_user, batch=batch)

    assert other_school_client.post(preview_page(batch)).status_code == 404
    assert other_school_client.get(progress_page(job)).status_code == 404
    assert Job.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_progress_is_seen_by_others_while_the_import_is_still_open(
    dpo_user, ctf_school, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Only PostgreSQL lets a second connection write while the import holds its own."
        )
    batch = services.stage_ctf_import(
        actor=dpo_user, school=ctf_school, data=ctf_of(200, serial_from=0), file_name="b.xml"
    )
    observer = connections.create_connection(DEFAULT_DB_ALIAS)  # the progress page's view
    seen, real = [], tasks.report_progress

    def watch(job, *, done, total=None):
        real(job, done=done, total=total)
        with observer.cursor() as cursor:
            cursor.execute("SELECT done, total FROM pupils_job WHERE id = %s", [job.pk])
            figures = cursor.fetchone()
            cursor.execute(
                "SELECT count(*) FROM pupils_pupil WHERE school_id = %s", [ctf_school.pk]
            )
            seen.append((*figures, cursor.fetchone()[0]))

    monkeypatch.setattr(tasks, "report_progress", watch)
    try:
        services.start_ctf_import(actor=dpo_user, batch=batch)  # runs at once: autocommit
    finally:
        observer.close()

    # Half-way, others saw the progress, and none of the import's uncommitted pupils.
    assert (100, 200, 0) in seen
    assert Pupil.objects.filter(school=ctf_school).count() == 200
    assert Job.objects.get().status == JobStatus.DONE


def test_an_upload_left_unchecked_for_30_days_is_discarded_and_erased(dpo_user, ctf_school):
    services.start_ctf_check(
        actor=dpo_user, school=ctf_school, data=fixture_bytes("ctf_full.xml"), file_name="a.xml"
    )  # never checked: no worker ran it
    CtfImportBatch.objects.update(uploaded_at=timezone.now() - datetime.timedelta(days=31))

    purge_ctf_uploads(school_id=ctf_school.pk, before=timezone.localdate(), apply=True)

    batch = CtfImportBatch.objects.get()
    assert batch.status == CtfImportStatus.DISCARDED and bytes(batch.content) == b""
