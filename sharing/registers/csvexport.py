"""CSV exports of the registers. Every cell goes through the one
formula-safe rule (``consent.reports.csv_safe``: a cell starting with
= + - @ tab or CR gets a leading apostrophe, so a spreadsheet never runs it)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from consent.reports import csv_safe

from .ropa import ProcessingRecord


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    return out.getvalue()


def record_csv(record: ProcessingRecord) -> str:
    """The record of processing, one row per line, sections in Art 30's order."""
    return to_csv(
        ["Section", "Item", "Detail", "Source"],
        (
            (title, row.item, row.detail, row.source)
            for title, rows in record.sections()
            for row in rows
        ),
    )
