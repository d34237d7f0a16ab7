"""The DPO's registers: the record of processing activities (Art 30),
generated from the application's data (``ropa``), with the DPO's own rows
and dated published versions (``models``, ``services``); CSV exports
(``csvexport``); PDFs through the isolated worker of ``sharing.access.pdf``
(``documents``); and the audit pack for an ICO visit (``pack``).
Staff guide: docs/registers.md."""
