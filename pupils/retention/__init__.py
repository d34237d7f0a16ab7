"""Retention and erasure (docs/law.md, "Retention"; docs/retention.md).

- ``rules``: the periods as plain date arithmetic, and their defaults;
- ``schedule``: each school's schedule (its own periods, or the defaults);
- ``registry``: what the apps above ``pupils`` add: their erasure steps and
  their reasons to hold a pupil's records;
- ``due``: what is due for erasure on a day, and what holds it back;
- ``services``: legal holds, editing the schedule, and the erasure itself;
- ``tasks``: the erasure the DPO confirms on the staff site, as a job.

``place_hold`` and ``release_hold`` are the public way to keep a pupil's
records past their period: ``from pupils.retention import place_hold``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["place_hold", "release_hold"]


def __getattr__(name: str) -> Any:
    # Imported when first asked for: ``pupils.models`` imports ``rules`` from
    # this package, and ``services`` imports ``pupils.models``.
    if name in __all__:
        from . import services

        return getattr(services, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
