"""Legal holds, the school's own retention periods, and erasure.

Erasure runs one transaction per pupil: a failure leaves that pupil whole
and every pupil before it erased. Each kind erased writes one trail entry
(which kind, how many rows, under which rule, by whom or by the schedule),
never the erased content.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, outbox
from ..audit import Actor
from ..models import (
    AssessmentResult,
    AttendanceSummary,
    AuditAction,
    AuditEvent,
    Contact,
    Ethnicity,
    Exclusion,
    HoldReason,
    LegalHold,
    MedicalCondition,
    Pupil,
    PupilContact,
    RecordKind,
    RetentionPeriod,
    School,
    SenNeed,
    SenProvision,
    SpecialCategoryRecord,
)
from . import registry
from .due import DuePupil, due_for_erasure, holds_on
from .rules import DEFAULTS_BY_KIND, Kind, Unit
from .schedule import Schedule, schedules_for

logger = logging.getLogger(__name__)

#: The trail's actor when the scheduled job erases.
SCHEDULE_ACTOR = "retention schedule"


# --- Legal holds ---------------------------------------------------------------


@transaction.atomic
def place_hold(*, actor: User, pupil: Pupil, reason: str, note: str = "") -> LegalHold:
    """Keep ``pupil``'s records past their period until the hold is released."""
    if reason not in HoldReason.values:
        raise ValidationError({"reason": _("Choose a reason for the hold.")})
    if reason == HoldReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Describe the reason for the hold.")})
    if LegalHold.objects.active().filter(pupil=pupil, reason=reason).exists():
        raise ValidationError(_("This pupil already has an active hold for that reason."))
    hold = LegalHold.objects.create(
        pupil=pupil, reason=reason, note=note.strip(), placed_by=audit.staff_user(actor)
    )
    audit.record_change(actor=actor, obj=hold, created=True, fields=["reason", "note"])
    return hold


@transaction.atomic
def release_hold(*, actor: User, hold: LegalHold) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if not hold.is_active:
        raise ValidationError(_("This hold has already been released."))
    hold.released_at = timezone.now()
    hold.released_by = audit.staff_user(actor)
    hold.save(update_fields=["released_at", "released_by"])
    audit.record_change(actor=actor, obj=hold, created=False, fields=["released_at"])
    return hold


# --- The schedule ----------------------------------------------------------------


def check_retention_period(
    *, kind: str, amount: int | None, unit: str, reason: str, source: str
) -> None:
    """The rule a school's own period must meet (the admin form calls it
    too, so that a refused change is never reported as saved)."""
    if kind not in RecordKind.values:
        raise ValidationError({"kind": _("Choose a kind of record.")})
    if kind == Kind.AUDIT_TRAIL:
        # Its entries are hash-chained and hold no content: nothing erases them.
        raise ValidationError({"kind": _("The audit trail is kept: it has no period to set.")})
    if unit not in Unit:
        raise ValidationError({"unit": _("Choose days, months or years.")})
    if not reason.strip() or not source.strip():
        raise ValidationError(_("Give the reason for the period and its source."))
    if amount is None and DEFAULTS_BY_KIND[Kind(kind)].period.amount is not None:
        raise ValidationError({"amount": _("Give a period: only the audit trail is kept.")})


@transaction.atomic
def set_retention_period(
    *,
    actor: User,
    school: School,
    kind: str,
    amount: int | None,
    unit: str,
    reason: str,
    source: str,
) -> RetentionPeriod:
    """Set the school's own period for one kind of record."""
    check_retention_period(kind=kind, amount=amount, unit=unit, reason=reason, source=source)
    row, created = RetentionPeriod.objects.update_or_create(
        school=school,
        kind=kind,
        defaults={
            "amount": amount,
            "unit": unit,
            "reason": reason.strip(),
            "source": source.strip(),
            "changed_at": timezone.now(),
        },
    )
    audit.record_change(
        actor=actor, obj=row, created=created, fields=["amount", "unit", "reason", "source"]
    )
    return row


# --- Erasure -----------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureResult:
    pupil_id: int
    whole: bool
    counts: dict[str, int]


def _allow_erasure_in_this_transaction() -> None:
    # The append-only guards of consent answers and the disclosure log
    # (PostgreSQL triggers) let an erasure through, in this transaction only.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pupildata.erasure', 'on', true)")


def _erase_record(pupil_id: int) -> dict[str, int]:
    counts = {
        "pupils.assessmentresult": AssessmentResult.objects.filter(pupil_id=pupil_id).delete()[0],
        "pupils.exclusion": Exclusion.objects.filter(pupil_id=pupil_id).delete()[0],
        "pupils.medicalcondition": MedicalCondition.objects.filter(pupil_id=pupil_id).delete()[0],
    }
    counts["pupils.specialcategoryrecord"] = (
        SpecialCategoryRecord.objects.filter(pupil_id=pupil_id)
        .exclude(ethnicity=Ethnicity.NOBT)
        .update(ethnicity=Ethnicity.NOBT)
    )
    return counts


def _erase_sen(pupil_id: int) -> dict[str, int]:
    return {
        "pupils.senneed": SenNeed.objects.filter(pupil_id=pupil_id).delete()[0],
        "pupils.specialcategoryrecord": SpecialCategoryRecord.objects.filter(pupil_id=pupil_id)
        .exclude(sen_provision=SenProvision.NONE)
        .update(sen_provision=SenProvision.NONE),
    }


def _erase_registers(pupil_id: int) -> dict[str, int]:
    return {
        "pupils.attendancesummary": AttendanceSummary.objects.filter(pupil_id=pupil_id).delete()[0]
    }


_OWN_STEPS: dict[Kind, Callable[[int], dict[str, int]]] = {
    Kind.EDUCATIONAL_RECORD: _erase_record,
    Kind.SEN: _erase_sen,
    Kind.REGISTERS: _erase_registers,
}


def _leaving_contacts(pupil_id: int) -> frozenset[int]:
    """The pupil's contacts linked to no other pupil: they go with the pupil."""
    others = PupilContact.objects.filter(contact_id=OuterRef("contact_id")).exclude(
        pupil_id=pupil_id
    )
    leaving = PupilContact.objects.filter(pupil_id=pupil_id).exclude(Exists(others))
    return frozenset(leaving.values_list("contact_id", flat=True))


def _erase_contacts(contact_ids: frozenset[int]) -> int:
    if not contact_ids:
        return 0
    try:
        with transaction.atomic():
            return Contact.objects.filter(pk__in=contact_ids).delete()[1].get("pupils.Contact", 0)
    except ProtectedError:
        pass  # one at a time, to keep the ones still needed
    erased = 0
    for contact in Contact.objects.filter(pk__in=contact_ids):
        try:
            with transaction.atomic():
                contact.delete()
        except ProtectedError:
            # Still named by a record that must stay (e.g. a consent answer
            # they gave for another pupil): keep the row, not the person.
            Contact.objects.filter(pk=contact.pk).update(
                title="", forename=_("Erased"), surname=_("contact"), email="",
                phone_mobile="", phone_home="", phone_work="", address_line1="",
                address_line2="", town="", postcode="", source_detail="",
            )  # fmt: skip
        erased += 1
    return erased


#: Which kind each table's rows count under when a pupil goes whole (the
#: rest count under the registers: the pupil's row is the register entry).
_KIND_OF_TABLE = {
    "pupils.assessmentresult": Kind.EDUCATIONAL_RECORD,
    "pupils.exclusion": Kind.EDUCATIONAL_RECORD,
    "pupils.medicalcondition": Kind.EDUCATIONAL_RECORD,
    "pupils.specialcategoryrecord": Kind.EDUCATIONAL_RECORD,
    "pupils.senneed": Kind.SEN,
}


def _erase_outbox(pupil: Pupil, contact_ids: frozenset[int]) -> dict[str, int]:
    """The outbox's messages to the contacts leaving with the pupil (an
    address someone staying still uses is kept: its messages may be theirs),
    and unsent messages naming the pupil. Run before the contacts go."""
    leaving = Contact.objects.filter(pk__in=contact_ids)
    addresses = {e.lower() for e in leaving.values_list("email", flat=True)}
    addresses.discard("")
    if addresses:
        same = Q(pk__in=[])
        for address in addresses:
            same |= Q(email__iexact=address)
        staying = Contact.objects.exclude(pk__in=contact_ids).filter(same)
        addresses -= {e.lower() for e in staying.values_list("email", flat=True)}
        addresses -= {e.lower() for e in User.objects.filter(same).values_list("email", flat=True)}
    names = {
        pupil.full_name,
        f"{pupil.legal_forename} {pupil.legal_surname}",
    }
    return {"pupils.outboxmessage": outbox.erase_messages(addresses=addresses, names=names)}


def _erase_whole(pupil: Pupil, contact_ids: frozenset[int]) -> dict[str, int]:
    """Delete the pupil with everything that cascades from it, then the
    contacts leaving with them: {table: rows}. The row locked at the start
    is deleted as it is (a queryset's delete would read it again)."""
    _total, per_model = pupil.delete()
    counts = {label.lower(): n for label, n in per_model.items() if n}
    counts["pupils.contact"] = _erase_contacts(contact_ids)
    return counts


def _trail_entry(
    *, actor, due: DuePupil, schedule: Schedule, kind: Kind, rule: Kind, counts: dict[str, int]
) -> dict:
    entry = schedule.entry(rule)
    rows = sum(counts.values())
    by = _("by the schedule") if actor == SCHEDULE_ACTOR else _("by staff")
    summary = _("%(action)s %(by)s: %(kind)s, %(n)d rows; rule: %(rule)s, %(period)s") % {
        "action": AuditAction.ERASE.label,
        "by": by,
        "kind": RecordKind(kind).label,
        "n": rows,
        "rule": entry.label,
        "period": entry.period_text,
    }
    return {
        "actor": actor,
        "action": AuditAction.ERASE,
        "pupil": Pupil(pk=due.pupil_id, school_id=due.school_id),
        "school_id": due.school_id,
        "summary": summary,
        "fields": [name for name, n in counts.items() if n],
    }


def _erase_pupil_whole(
    due: DuePupil, pupil: Pupil, pupil_ids: frozenset[int], contact_ids: frozenset[int]
) -> dict[Kind, dict[str, int]]:
    """Everything of the pupil goes: each kind's registered steps, the steps
    for whole pupils, then one cascading delete. Counts by kind, for the trail."""
    by_kind: dict[Kind, dict[str, int]] = {item.kind: {} for item in due.items}
    done = set()
    for item in due.items:
        erasing = registry.Erasing(pupil_ids, item.kind, True, contact_ids)
        for step in registry.steps_for(item.kind):
            by_kind[item.kind].update(step(erasing))
        done.add(item.kind)
    erasing = registry.Erasing(pupil_ids, Kind.REGISTERS, True, contact_ids)
    for step in registry.steps_for_whole(done):
        by_kind[Kind.REGISTERS].update(step(erasing))
    by_kind[Kind.REGISTERS].update(_erase_outbox(pupil, contact_ids))
    for table, n in _erase_whole(pupil, contact_ids).items():
        kind = _KIND_OF_TABLE.get(table, Kind.REGISTERS)
        by_kind.get(kind, by_kind[Kind.REGISTERS])[table] = n
    return by_kind


@transaction.atomic
def erase_pupil(
    *, actor: Actor, due: DuePupil, schedule: Schedule | None = None
) -> ErasureResult | None:
    """Erase what is due for one pupil, all or nothing. None: the pupil is
    held (or gone) now, and nothing was erased."""
    pupil = Pupil.objects.select_for_update().filter(pk=due.pupil_id).first()
    if pupil is None or holds_on([due.pupil_id]):
        return None
    _allow_erasure_in_this_transaction()
    if schedule is None:
        schedule = schedules_for([School(pk=due.school_id)])[due.school_id]
    pupil_ids = frozenset([due.pupil_id])
    contact_ids = _leaving_contacts(due.pupil_id) if due.whole else frozenset()
    all_counts: dict[str, int] = {}
    entries = []

    def trail(kind: Kind, rule: Kind, counts: dict[str, int]) -> None:
        all_counts.update(counts)
        entries.append(
            _trail_entry(
                actor=actor, due=due, schedule=schedule, kind=kind, rule=rule, counts=counts
            )
        )

    if due.whole:
        by_kind = _erase_pupil_whole(due, pupil, pupil_ids, contact_ids)
        for item in due.items:
            trail(item.kind, item.rule, by_kind.get(item.kind, {}))
    else:
        for item in due.items:
            erasing = registry.Erasing(pupil_ids, item.kind, False)
            counts = _OWN_STEPS[item.kind](due.pupil_id) if item.kind in _OWN_STEPS else {}
            for step in registry.steps_for(item.kind):
                counts.update(step(erasing))
            trail(item.kind, item.rule, counts)
    audit.record_many(entries)
    return ErasureResult(due.pupil_id, due.whole, all_counts)


#: The trail's summary of an erasure that failed starts with this (the due
#: page finds them by it); it names the error's type, never data.
FAILED_PREFIX = "Not erased"


@dataclass(frozen=True)
class ErasureFailure:
    """A pupil whose erasure stopped with an error: nothing of theirs was
    erased (their transaction was rolled back); the next run tries again."""

    pupil_id: int
    school_id: int
    name: str
    upn: str
    error: str  # the error's type, e.g. "ProtectedError": never its message


@dataclass
class ErasureRun:
    """What one run erased, and the pupils it could not erase."""

    erased: list[ErasureResult] = field(default_factory=list)
    failed: list[ErasureFailure] = field(default_factory=list)


def _record_failure(actor: Actor, due: DuePupil, error: str) -> None:
    by = "by the schedule" if actor == SCHEDULE_ACTOR else "by staff"
    audit.record(
        actor=actor,
        action=AuditAction.ERASE,
        pupil=Pupil(pk=due.pupil_id, school_id=due.school_id),
        school_id=due.school_id,
        summary=f"{FAILED_PREFIX} {by}: the erasure stopped ({error}); nothing of this "
        "pupil was erased, the next run tries again",
        fields=[],
    )


#: Progress of a run: (pupils done, pupils to do).
Progress = Callable[[int, int], None]


def erase_due(
    *,
    actor: Actor,
    as_of: datetime.date,
    schools: Iterable[School] | None = None,
    only: Iterable[int] | None = None,
    progress: Progress | None = None,
) -> ErasureRun:
    """Erase everything due on ``as_of`` that no hold keeps, pupil by pupil
    (each in its own transaction). ``only``: limit to these pupil ids (what
    the DPO saw and confirmed). A pupil whose erasure fails is left whole,
    reported (in the trail, without content, and in the result) and the run
    goes on with the others."""
    wanted = set(only) if only is not None else None
    listed = [
        due
        for due in due_for_erasure(as_of=as_of, schools=schools)
        if not due.held and (wanted is None or due.pupil_id in wanted)
    ]
    schedules = schedules_for(School(pk=pk) for pk in {d.school_id for d in listed})
    run = ErasureRun()
    for done, due in enumerate(listed, start=1):
        try:
            result = erase_pupil(actor=actor, due=due, schedule=schedules[due.school_id])
        except Exception as exc:  # one pupil never stops the run
            error = type(exc).__name__
            # The message may quote the data (a constraint's values): not logged.
            logger.error("Erasure of pupil %s failed: %s", due.pupil_id, error)
            run.failed.append(ErasureFailure(due.pupil_id, due.school_id, due.name, due.upn, error))
            _record_failure(actor, due, error)
        else:
            if result is not None:
                run.erased.append(result)
        if progress is not None:
            progress(done, len(listed))
    return run


def purge_due(
    *, actor: Actor, as_of: datetime.date, schools: Iterable[School], apply: bool
) -> dict[tuple[int, Kind], int]:
    """Records of a school that concern no pupil in particular (uploaded
    files) whose period has ended: counted, or (``apply``) erased, with one
    trail entry per school and kind."""
    schools = list(schools)
    schedules = schedules_for(schools)
    found: dict[tuple[int, Kind], int] = {}
    for school in schools:
        for kind, purge in registry.purges():
            entry = schedules[school.pk].entry(kind)
            before = entry.period.before(as_of)
            if before is None:
                continue
            with transaction.atomic():
                n = purge(school_id=school.pk, before=before, apply=apply)
                if n and apply:
                    audit.record(
                        actor=actor,
                        action=AuditAction.ERASE,
                        school_id=school.pk,
                        summary=_("%(action)s: %(kind)s, %(n)d rows; rule: %(period)s")
                        % {
                            "action": AuditAction.ERASE.label,
                            "kind": entry.label,
                            "n": n,
                            "period": entry.period_text,
                        },
                        fields=["content", "preview", "result"],
                    )
            if n:
                found[(school.pk, kind)] = n
    return found


# --- The nightly run -----------------------------------------------------------------

#: The trail's summary of a scheduled run starts with this: the run is
#: provable, and a second ``run_scheduled`` the same day finds it and skips.
RUN_PREFIX = "Retention schedule run"


def claim_todays_run(now: datetime.datetime) -> bool:
    """Start today's scheduled run: False when one already started today
    (``run_scheduled`` runs every few minutes, and a long run may still be
    going). The first school's row, locked, keeps two runs from both
    claiming; the claim is a trail entry, so the run is provable."""
    start = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(now), datetime.time.min)
    )
    with transaction.atomic():
        School.objects.select_for_update().order_by("pk").first()
        runs = AuditEvent.objects.filter(
            action=AuditAction.ERASE, actor_label=SCHEDULE_ACTOR, at__gte=start
        )
        if runs.filter(summary__startswith=RUN_PREFIX).exists():
            return False
        audit.record(
            actor=SCHEDULE_ACTOR,
            action=AuditAction.ERASE,
            summary=f"{RUN_PREFIX} for {timezone.localdate(now).isoformat()} started",
            fields=[],
        )
        return True


@dataclass(frozen=True)
class ScheduledRun:
    erased: int
    failed: list[ErasureFailure]
    purged: int


def run_schedule(*, as_of: datetime.date) -> ScheduledRun:
    """What ``manage.py retention --apply`` does, for every school: purge
    the files whose period ended, erase what is due, and write one trail
    entry for the run (counts only)."""
    schools = list(School.objects.all())
    purged = purge_due(actor=SCHEDULE_ACTOR, as_of=as_of, schools=schools, apply=True)
    run = erase_due(actor=SCHEDULE_ACTOR, as_of=as_of, schools=schools)
    summary = ScheduledRun(len(run.erased), run.failed, sum(purged.values()))
    audit.record(
        actor=SCHEDULE_ACTOR,
        action=AuditAction.ERASE,
        summary=f"{RUN_PREFIX} for {as_of.isoformat()}: {summary.erased} pupils erased, "
        f"{len(summary.failed)} not erased (errors), {summary.purged} files purged",
        fields=[],
    )
    return summary
