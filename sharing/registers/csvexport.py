"""CSV exports of the registers. Every cell goes through the one
formula-safe rule (``pupils.csvexport.csv_safe``: a cell starting with
= + - @ tab or CR gets a leading apostrophe, so a spreadsheet never runs it)."""

from __future__ import annotations

from pupils.csvexport import to_csv

from .ropa import ProcessingRecord


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
