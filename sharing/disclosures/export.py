"""The disclosure log as a CSV the DPO can hand over (an auditor, the ICO):
every entry the list shows with its filters, one row each, formula-safe.

A recipient who is a person (a parent answered under subject access) is
counted, never named, as in the audit pack's summary
(``sharing.registers.pack.disclosure_summary_csv``); pupils are counted,
never named. The download is written to the trail as an export.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from pupils import audit
from pupils.csvexport import to_csv
from pupils.models import AuditAction

from .models import Disclosure, RecipientType

HEADER = [
    "Entry",
    "Sent on",
    "Dataset",
    "Census term",
    "Recipient type",
    "Recipient",
    "Legal gateway",
    "Basis",
    "Pupils",
    "Categories of data",
    "How it was sent",
    "Sent by",
    "File fingerprint (SHA-256)",
    "Requested by",
    "Reason given",
    "Approved by",
    "Corrects entry",
]


def _row(d: Disclosure) -> list:
    person = d.recipient_type == RecipientType.REQUESTER
    sent_by = d.sent_by.get_full_name() or d.sent_by.get_username() if d.sent_by else ""
    return [
        d.pk,
        timezone.localtime(d.disclosed_at).strftime("%Y-%m-%d %H:%M"),
        d.get_dataset_display(),
        d.get_census_term_display() if d.census_term else "",
        d.get_recipient_type_display(),
        "(a person: not named)" if person else d.recipient_name,
        d.get_gateway_display(),
        d.basis_detail,
        getattr(d, "pupil_count"),  # noqa: B009  (annotated by the list)
        d.get_categories_display(),
        d.get_method_display(),
        sent_by,
        d.file_sha256,
        "" if person else d.requested_by,
        d.request_reason,
        d.approved_by,
        d.corrects_id or "",
    ]


def disclosure_log_csv(disclosures: QuerySet[Disclosure]) -> tuple[str, int]:
    rows = [_row(d) for d in disclosures.select_related("sent_by")]
    return to_csv(HEADER, rows), len(rows)


def export_disclosure_log(
    *,
    actor,
    disclosures: QuerySet[Disclosure],
    school_id: int | None,
    narrowed_by: Sequence[str] = (),
) -> str:
    with transaction.atomic():
        text, count = disclosure_log_csv(disclosures)
        how = f" (narrowed by {', '.join(narrowed_by)})" if narrowed_by else ""
        entries = f"{count} entry" if count == 1 else f"{count} entries"
        audit.record(
            actor=actor,
            action=AuditAction.EXPORT,
            school_id=school_id,
            summary=f"Exported the disclosure log as CSV: {entries}{how}",
            fields=["disclosure log"],
        )
    return text
