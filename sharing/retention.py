"""Sharing's part in erasure (pupils.retention.registry).

What must outlive a pupil stays without them:
- the disclosure log keeps each entry's date, recipient, gateway, dataset
  and how many pupils it concerned (``erased_pupils`` counts the erased
  ones, so counts per year stay right); the link to the pupil goes, and an
  entry left with no pupil loses its free text;
- an answered access request keeps its dates (the proof it was answered in
  time); the link goes and, once no pupil is left on it, so do the
  requester's details;
- uploaded CTFs that name the pupil lose their file, preview and report;
- response PDFs kept for staff to download go (whole, or when the
  educational record or SEN file is erased: they copy both), and all go
  when the schedule's period for generated PDFs ends.

An open access request about a pupil holds their records (Art 15: the
school must answer from what it holds).
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Collection

from django.db import models
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from pupils.models import Pupil
from pupils.retention.registry import (
    Erasing,
    register_erasure_step,
    register_hold_check,
    register_purge,
)
from pupils.retention.rules import Kind

from .access.files import ResponseFile
from .access.models import (
    OPEN_STATUSES,
    AccessRequest,
    ClockPause,
    IdentityCheck,
    RedactionDecision,
)
from .ctf.models import CtfImportBatch, CtfImportStatus
from .dates import long_date
from .disclosures.models import Disclosure

ERASED = "Erased under the retention schedule"


def _update(qs: models.QuerySet, **values) -> int:
    # The disclosure log refuses updates through its own queryset; erasure
    # is the one writer allowed to anonymise it (its PostgreSQL guard lets
    # this through only inside an erasure transaction, migration sharing 0006).
    return models.QuerySet.update(qs, **values)


def _erase_disclosure_links(pupil_ids: frozenset[int]) -> int:
    through = Disclosure.pupils.through
    links = through.objects.filter(pupil_id__in=pupil_ids)
    per_entry = Counter(links.values_list("disclosure_id", flat=True))
    for n in set(per_entry.values()):
        ids = [d for d, k in per_entry.items() if k == n]
        _update(Disclosure.objects.filter(pk__in=ids), erased_pupils=F("erased_pupils") + n)
    links.delete()
    emptied = list(
        Disclosure.objects.filter(pk__in=list(per_entry), pupils__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if emptied:
        entries = Disclosure.objects.filter(pk__in=emptied)
        _update(entries.exclude(basis_detail=""), basis_detail=ERASED)
        _update(entries.exclude(request_reason=""), request_reason=ERASED)
        _update(entries.exclude(notes=""), notes="")
    return sum(per_entry.values())


def _erase_access_links(pupil_ids: frozenset[int]) -> int:
    through = AccessRequest.pupils.through
    links = through.objects.filter(pupil_id__in=pupil_ids)
    request_ids = set(links.values_list("accessrequest_id", flat=True))
    if not request_ids:
        return 0
    links.delete()
    emptied = AccessRequest.objects.filter(pk__in=request_ids).annotate(n=Count("pupils"))
    emptied_ids = list(emptied.filter(n=0).values_list("pk", flat=True))
    requests = AccessRequest.objects.filter(pk__in=emptied_ids)
    requests.update(requester_name=ERASED, requester_address="", requester_contact=None, details="")
    requests.exclude(identity_check=IdentityCheck.NOT_NEEDED).update(identity_note="")
    requests.filter(identity_check=IdentityCheck.NOT_NEEDED).update(identity_note=ERASED)
    requests.exclude(extension_reason="").update(extension_reason=ERASED)
    ClockPause.objects.filter(request_id__in=emptied_ids).update(note="")
    RedactionDecision.objects.filter(request_id__in=emptied_ids).update(
        contact=None, item=ERASED, reason=ERASED
    )
    return len(request_ids)


def _erase_redaction_contacts(contact_ids: frozenset[int]) -> int:
    # A decision about a contact who is erased stays as the record of the
    # decision, naming nobody (deleting the contact would delete it).
    if not contact_ids:
        return 0
    return RedactionDecision.objects.filter(contact_id__in=contact_ids).update(
        contact=None, item=ERASED
    )


def _purge_batches(batches) -> int:
    return batches.update(content=b"", preview={}, result={})


def _erase_ctf_uploads(pupil_ids: frozenset[int]) -> int:
    schools = Pupil.objects.filter(pk__in=pupil_ids).values("school_id")
    kept = CtfImportBatch.objects.filter(school_id__in=schools).exclude(
        preview={}, result={}, content=b""
    )
    batches = list(kept.only("id", "preview", "result", "content"))
    if not batches:  # the usual case: uploads are purged after 30 days
        return 0
    upns = set(Pupil.objects.filter(pk__in=pupil_ids).values_list("upn", flat=True))
    naming = []
    for batch in batches:
        text = json.dumps([batch.preview, batch.result])
        text += bytes(batch.content).decode("utf-8", "replace")
        if any(upn in text for upn in upns):
            naming.append(batch.pk)
    return _purge_batches(CtfImportBatch.objects.filter(pk__in=naming))


def erase_sharing(erasing: Erasing) -> dict[str, int]:
    """Runs when pupils are erased whole."""
    pupils = erasing.pupil_ids
    return {
        "sharing.ctfimportbatch": _erase_ctf_uploads(pupils),
        "sharing.disclosure": _erase_disclosure_links(pupils),
        "sharing.accessrequest": _erase_access_links(pupils),
        "sharing.redactiondecision": _erase_redaction_contacts(erasing.contact_ids),
    }


def open_requests_hold(pupil_ids: Collection[int]) -> dict[int, list[str]]:
    through = AccessRequest.pupils.through
    links = through.objects.filter(
        pupil_id__in=pupil_ids, accessrequest__status__in=OPEN_STATUSES
    ).values_list("pupil_id", "accessrequest__received_on")
    held: dict[int, list[str]] = {}
    for pupil_id, received_on in links:
        held.setdefault(pupil_id, []).append(
            _("An access request is open (received %(date)s)") % {"date": long_date(received_on)}
        )
    return held


def purge_ctf_uploads(*, school_id: int, before: datetime.date, apply: bool) -> int:
    """Uploads older than ``before`` lose their file, preview and report;
    an upload still waiting for confirmation is discarded."""
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    old = CtfImportBatch.objects.filter(school_id=school_id, uploaded_at__lt=cutoff).exclude(
        preview={}, result={}, content=b""
    )
    if not apply:
        return old.count()
    old.filter(status__in=(CtfImportStatus.CHECKING, CtfImportStatus.PREVIEWED)).update(
        status=CtfImportStatus.DISCARDED
    )
    return _purge_batches(old)


def erase_response_files(erasing: Erasing) -> dict[str, int]:
    deleted, _per_model = ResponseFile.objects.filter(pupil_id__in=erasing.pupil_ids).delete()
    return {"sharing.responsefile": deleted}


def purge_response_files(*, school_id: int, before: datetime.date, apply: bool) -> int:
    """Response PDFs produced before ``before`` are deleted."""
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    old = ResponseFile.objects.filter(school_id=school_id, created_at__lt=cutoff)
    if not apply:
        return old.count()
    return old.delete()[0]


def register() -> None:
    """Called once, from ``SharingConfig.ready``."""
    register_erasure_step(erase_sharing)
    register_hold_check(open_requests_hold)
    register_purge(purge_ctf_uploads, kind=Kind.CTF_UPLOADS)
    register_purge(purge_response_files, kind=Kind.GENERATED_PDFS)
    register_erasure_step(erase_response_files)
    for kind in (Kind.EDUCATIONAL_RECORD, Kind.SEN):
        register_erasure_step(erase_response_files, kind=kind)
