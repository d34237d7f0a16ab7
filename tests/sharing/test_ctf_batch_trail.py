"""Keeping an uploaded CTF, and erasing it unimported, both leave a trace."""

from pupils.models import AuditAction, AuditEvent
from sharing.ctf.services import discard_ctf_import, stage_ctf_import
from sharing.models import CtfImportBatch

from .conftest import fixture_bytes


def test_staging_and_discarding_a_ctf_are_on_the_trail(ctf_school, dpo_user):
    batch = stage_ctf_import(
        actor=dpo_user, school=ctf_school, data=fixture_bytes("ctf_full.xml"), file_name="in.xml"
    )
    staged = AuditEvent.objects.get(object_type="sharing.ctfimportbatch", action=AuditAction.CREATE)
    assert staged.school_id == ctf_school.pk and staged.actor == dpo_user

    discard_ctf_import(actor=dpo_user, batch=batch)

    erased = AuditEvent.objects.get(object_type="sharing.ctfimportbatch", action=AuditAction.ERASE)
    assert erased.object_id == str(batch.pk)
    assert erased.fields == ["content", "preview"]
    assert CtfImportBatch.objects.get(pk=batch.pk).preview == {}
