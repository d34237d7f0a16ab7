"""The one trail of who changed, viewed, disclosed or erased personal data.

Every app's services call these functions; none writes AuditEvent directly.
Entries are chained by hash: each hash covers the entry and the previous
hash, so editing or removing a row breaks the chain at that row
(``verify_chain``). On PostgreSQL the database also refuses UPDATE and DELETE
on the table (migration pupils 0003).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditAction, AuditEvent, Pupil

#: Who did it: a member of staff (``request.user``), or a described non-user
#: (demo data, a command, "parent (contact 7)"); None is "system".
Actor = AbstractBaseUser | AnonymousUser | str | None

GENESIS = "0" * 64
# Any constant will do: it only keeps audit writers apart from each other.
_ADVISORY_LOCK_ID = 7_260_001


def _digest(prev_hash: str, event: AuditEvent) -> str:
    payload = json.dumps(
        {
            "prev": prev_hash,
            "at": event.at.isoformat(),
            "actor": event.actor_id,
            "actor_label": event.actor_label,
            "action": event.action,
            "school": event.school_id,
            "pupil": event.pupil_id,
            "type": event.object_type,
            "id": event.object_id,
            "summary": event.summary,
            "fields": event.fields,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def acting_user(actor: Actor) -> User | None:
    """The staff account behind ``actor``, for a foreign key to it: None for
    a described non-user, an anonymous or an unsaved user."""
    return actor if isinstance(actor, User) and actor.pk else None


def staff_user(actor: Actor) -> User:
    """The staff account behind ``actor`` where a record must name one."""
    user = acting_user(actor)
    if user is None:
        raise ValueError(f"This needs a saved staff account as the actor, not {actor!r}.")
    return user


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    if not getattr(actor, "pk", None):
        return str(actor)
    return actor.get_username()


def _object_type(obj: models.Model | None) -> str:
    return obj._meta.label_lower if obj is not None else ""


def _build(
    *,
    actor,
    action: AuditAction,
    summary: str,
    obj: models.Model | None = None,
    pupil: Pupil | None = None,
    school_id: int | None = None,
    fields: Iterable[str] = (),
) -> AuditEvent:
    if pupil is None and isinstance(obj, Pupil):
        pupil = obj
    if school_id is None and pupil is not None:
        school_id = pupil.school_id
    return AuditEvent(
        at=timezone.now(),
        actor=acting_user(actor),
        actor_label=_actor_label(actor)[:150],
        action=action,
        school_id=school_id,
        pupil=pupil,
        object_type=_object_type(obj),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        summary=summary[:300],
        fields=sorted(fields),
    )


def record(**entry) -> AuditEvent:
    """Append one entry to the trail, in the caller's transaction.

    Keyword arguments: actor, action, summary, and optionally obj, pupil,
    school_id and fields (names of the fields concerned, never values).
    """
    return record_many([entry])[0]


def record_many(entries: Iterable[dict]) -> list[AuditEvent]:
    """Append several entries (each the keyword arguments of ``record``)
    with one lock and one insert: for imports and returns of many pupils."""
    events = [_build(**entry) for entry in entries]
    if not events:
        return events
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_ID])
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        for event in events:
            event.prev_hash = prev
            event.hash = prev = _digest(prev, event)
        AuditEvent.objects.bulk_create(events, batch_size=500)
    return events


def change_entry(*, actor, obj: models.Model, created: bool, fields: Iterable[str] = ()):
    """The trail entry for a created or changed record (None: nothing changed)."""
    fields = list(fields)
    if not created and not fields:
        return None
    verb = AuditAction.CREATE if created else AuditAction.UPDATE
    return {
        "actor": actor,
        "action": verb,
        "obj": obj,
        "pupil": _pupil_of(obj),
        "school_id": _school_of(obj),
        "summary": f"{verb.label}: {obj._meta.verbose_name}",
        "fields": fields,
    }


def deletion_entry(*, actor, obj: models.Model) -> dict:
    return {
        "actor": actor,
        "action": AuditAction.DELETE,
        "obj": obj,
        "pupil": _pupil_of(obj),
        "school_id": _school_of(obj),
        "summary": f"{AuditAction.DELETE.label}: {obj._meta.verbose_name}",
    }


def record_change(*, actor, obj: models.Model, created: bool, fields: Iterable[str] = ()) -> None:
    entry = change_entry(actor=actor, obj=obj, created=created, fields=fields)
    if entry is not None:
        record(**entry)


def record_deletion(*, actor, obj: models.Model) -> None:
    record(**deletion_entry(actor=actor, obj=obj))


def record_for_pupils(
    *,
    actor: Actor,
    action: str,
    obj: models.Model,
    summary: str,
    fields: Iterable[str] = (),
) -> list[AuditEvent]:
    """One entry per pupil a record concerns (a request, a breach...: its
    ``pupils`` and ``school_id``), so it shows on each pupil's own trail;
    one school-level entry when it names none. One lock and one insert,
    like ``record_many``."""
    fields = list(fields)
    school_id = obj.school_id  # type: ignore[attr-defined]
    concerned: list[Pupil | None] = list(obj.pupils.all()) or [None]  # type: ignore[attr-defined]
    return record_many(
        {
            "actor": actor,
            "action": action,
            "obj": obj,
            "pupil": pupil,
            "school_id": school_id,
            "summary": summary,
            "fields": fields,
        }
        for pupil in concerned
    )


def record_special_category_view(*, actor, pupil: Pupil, what: str) -> None:
    record(
        actor=actor,
        action=AuditAction.VIEW_SPECIAL,
        obj=pupil,
        summary=f"{AuditAction.VIEW_SPECIAL.label}: {what}",
    )


def _pupil_of(obj: models.Model) -> Pupil | None:
    if isinstance(obj, Pupil):
        return obj if obj.pk else None
    pupil_id = getattr(obj, "pupil_id", None)
    return Pupil(pk=pupil_id) if pupil_id else None


def _school_of(obj: models.Model) -> int | None:
    school_id = getattr(obj, "school_id", None)
    pupil_id = getattr(obj, "pupil_id", None)
    if school_id is None and pupil_id:
        school_id = Pupil.objects.filter(pk=pupil_id).values_list("school_id", flat=True).first()
    return school_id


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    reason: str


def verify_chain(events: Iterator[AuditEvent] | None = None) -> BrokenLink | None:
    """The first entry whose hash or link does not hold, or None."""
    if events is None:
        events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    prev = GENESIS
    for event in events:
        if event.prev_hash != prev:
            return BrokenLink(event.id, "does not follow the entry before it (a row was removed)")
        if _digest(prev, event) != event.hash:
            return BrokenLink(event.id, "its content does not match its hash (it was edited)")
        prev = event.hash
    return None
