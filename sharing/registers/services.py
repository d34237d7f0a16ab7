"""Services of the registers: publishing a version of the record of
processing (a dated snapshot, never changed), with a trace on the trail."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from pupils import audit
from pupils.models import AuditAction, School
from sharing.actor import Actor

from .models import ProcessingRecordVersion
from .ropa import build_record


@transaction.atomic
def publish_processing_record(*, actor: Actor, school: School) -> ProcessingRecordVersion:
    """Keep the record as it stands now as the next numbered version."""
    # Lock the school's row: two DPOs publishing at once get 1 and 2, not 1 twice.
    School.objects.select_for_update().filter(pk=school.pk).first()
    last = ProcessingRecordVersion.objects.filter(school=school).aggregate(n=Max("version"))["n"]
    record = build_record(school)
    version = ProcessingRecordVersion.objects.create(
        school=school,
        version=(last or 0) + 1,
        published_at=record.generated_at,
        published_by=audit.acting_user(actor),
        rows=record.as_json(),
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=version,
        school_id=school.pk,
        summary=f"Record of processing published (version {version.version})",
    )
    return version
