"""Consent's part in erasure (pupils.retention.registry): its rows for
pupils whose consent records are due, or who are erased whole.

Consent answers are append-only evidence while they are kept; when their
period ends they are deleted, not anonymised: an answer without its pupil
proves nothing, and the school's reports count current pupils only. The
append-only guard on PostgreSQL lets the deletion through only inside an
erasure transaction (migration consent 0005).
"""

from __future__ import annotations

from collections.abc import Collection

from pupils.retention.registry import Erasing, register_data_check, register_erasure_step
from pupils.retention.rules import Kind

from .models import AskedQuestion, ConsentRecord, ConsentRequest, OfflineArrangement


def erase_consent(erasing: Erasing) -> dict[str, int]:
    pupils = erasing.pupil_ids
    counts = {
        "consent.consentrecord": ConsentRecord.objects.filter(pupil_id__in=pupils).delete()[0],
        "consent.offlinearrangement": OfflineArrangement.objects.filter(
            pupil_id__in=pupils
        ).delete()[0],
        "consent.askedquestion": AskedQuestion.objects.filter(pupil_id__in=pupils).delete()[0],
    }
    if erasing.contact_ids:
        # Links sent to contacts who leave with the pupil. A link still named
        # by another pupil's answer stays (its contact is then anonymised).
        requests = ConsentRequest.objects.filter(contact_id__in=erasing.contact_ids).exclude(
            answers__isnull=False
        )
        counts["consent.consentrequest"] = requests.delete()[0]
    return counts


def pupils_with_consent(pupil_ids: Collection[int]) -> set[int]:
    return set(
        ConsentRecord.objects.filter(pupil_id__in=pupil_ids).values_list("pupil_id", flat=True)
    ) | set(
        OfflineArrangement.objects.filter(pupil_id__in=pupil_ids).values_list("pupil_id", flat=True)
    )


def register() -> None:
    """Called once, from ``ConsentConfig.ready``."""
    register_erasure_step(erase_consent, kind=Kind.CONSENT)
    register_data_check(pupils_with_consent, kind=Kind.CONSENT)
