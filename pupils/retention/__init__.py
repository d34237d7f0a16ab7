"""Retention and erasure (docs/law.md, "Retention"; docs/retention.md).

- ``rules``: the periods as plain date arithmetic, and their defaults;
- ``schedule``: each school's schedule (its own periods, or the defaults);
- ``registry``: what the apps above ``pupils`` add: their erasure steps and
  their reasons to hold a pupil's records;
- ``due``: what is due for erasure on a day, and what holds it back;
- ``services``: legal holds, editing the schedule, and the erasure itself.
"""
