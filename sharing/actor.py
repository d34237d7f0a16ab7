"""Who a sharing service acts for: a member of staff, or the name of a
command-line run (e.g. "manage.py import_ctf (alice)"), as ``pupils.audit``
records either."""

from __future__ import annotations

from pupils.audit import Actor

__all__ = ["Actor"]
