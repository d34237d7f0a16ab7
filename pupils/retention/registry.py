"""What the apps above ``pupils`` add to retention, without ``pupils``
knowing them (like ``pupils.enrolment``): each registers, in its
``AppConfig.ready``,

- erasure steps: a function that erases or anonymises its own rows for a
  set of pupils (and the contacts leaving with them), inside the caller's
  transaction, and says how many rows of which kind it touched;
- hold checks: a function that says which of a set of pupils must not be
  erased now, and why (e.g. sharing: an access request is open);
- data checks: a function that says which pupils still hold data of a kind
  (so the due list does not name a kind already erased).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from .rules import Kind


@dataclass(frozen=True)
class Erasing:
    """What one erasure covers: ``pupil_ids`` lose ``kind``; when ``whole``
    the pupils themselves go, with ``contact_ids`` (their contacts linked to
    no other pupil)."""

    pupil_ids: frozenset[int]
    kind: Kind
    whole: bool
    contact_ids: frozenset[int] = frozenset()


#: Returns {record type label: rows erased or anonymised}, e.g. {"consent answers": 3}.
ErasureStep = Callable[[Erasing], dict[str, int]]
#: Returns {pupil id: [why it is held]} for the pupils that must be kept.
HoldCheck = Callable[[Collection[int]], dict[int, list[str]]]
#: Returns the ids of the pupils that still hold data of the kind.
DataCheck = Callable[[Collection[int]], set[int]]

_steps: list[tuple[Kind | None, ErasureStep]] = []
_hold_checks: list[HoldCheck] = []
_data_checks: list[tuple[Kind, DataCheck]] = []


def register_erasure_step(step: ErasureStep, *, kind: Kind | None = None) -> ErasureStep:
    """``step`` runs when ``kind`` is erased, and always when pupils are
    erased whole (``kind=None``: only then)."""
    if (kind, step) not in _steps:
        _steps.append((kind, step))
    return step


def register_hold_check(check: HoldCheck) -> HoldCheck:
    if check not in _hold_checks:
        _hold_checks.append(check)
    return check


def register_data_check(check: DataCheck, *, kind: Kind) -> DataCheck:
    if (kind, check) not in _data_checks:
        _data_checks.append((kind, check))
    return check


def steps_for(kind: Kind) -> list[ErasureStep]:
    """The steps that erase ``kind``."""
    return [step for step_kind, step in _steps if step_kind == kind]


def steps_for_whole(done: Collection[Kind]) -> list[ErasureStep]:
    """The steps still to run when pupils go whole, after the kinds ``done``."""
    return [step for kind, step in _steps if kind is None or kind not in done]


def registered_holds(pupil_ids: Collection[int]) -> dict[int, list[str]]:
    held: dict[int, list[str]] = {}
    for check in _hold_checks:
        for pupil_id, reasons in check(pupil_ids).items():
            held.setdefault(pupil_id, []).extend(reasons)
    return held


def registered_data(kind: Kind, pupil_ids: Collection[int]) -> set[int]:
    found: set[int] = set()
    for check_kind, check in _data_checks:
        if check_kind == kind:
            found |= check(pupil_ids)
    return found


#: Erases (``apply``) or counts the school's rows of a kind older than
#: ``before`` that concern no pupil in particular (e.g. uploaded files).
Purge = Callable[..., int]
_purges: list[tuple[Kind, Purge]] = []


def register_purge(purge: Purge, *, kind: Kind) -> Purge:
    """``purge(*, school_id: int, before: datetime.date, apply: bool) -> int``."""
    if (kind, purge) not in _purges:
        _purges.append((kind, purge))
    return purge


def purges() -> list[tuple[Kind, Purge]]:
    return list(_purges)
