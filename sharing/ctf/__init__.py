"""Common Transfer Files: ``reader`` parses the XML (no database),
``importer`` is the import engine, ``services`` the staff's two steps
(stage and preview, then confirm or discard), ``export`` writes a leaver's
file. The CBDS code lists come from ``codes`` (the pupils' model choices)."""
