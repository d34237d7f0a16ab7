"""The one-month clock that subject access and the other rights share.

- The reads a list, a reminder or the requests page need
  (``ClockedRequestQuerySet``).
- The deadline from receipt, pauses and extension (``one_month_due_on``),
  the trail entries of a request (``trail``) and the open check
  (``require_open``).
- The pause: its reasons and its abstract model (``ClockPauseBase``: each
  kind of request keeps its own table, ``ClockPause`` and ``RightsPause``,
  with the same fields and constraints).
- The one clock service: ``record_identity_check``, ``pause``, ``resume``,
  ``extend``, ``withdraw`` and ``take_clock_steps`` (the clock's steps of a "Handle this
  request" page). Each kind calls them with its ``Clock``: its pause model,
  its status enum, its trail label and its deadline rule. A refusal is a
  ``ValidationError`` keyed by the handling form's field
  (``ClockStepsForm`` in ``sharing.clocked_forms``).

The law: docs/law.md, "Subject access" and "Other rights".
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, Self

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pupils import audit
from pupils.audit import Actor
from pupils.models import AuditAction, SchoolScopedQuerySet
from sharing import deadlines
from sharing.dates import long_date
from sharing.deadlines import due_soon_limit

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

# --- Reads ------------------------------------------------------------------------


class ClockedRequestQuerySet(SchoolScopedQuerySet):
    #: The statuses in which the clock runs or is paused (set by each model).
    open_statuses: tuple[str, ...] = ()

    def open(self) -> Self:
        return self.filter(status__in=self.open_statuses)

    def overdue(self, today: datetime.date) -> Self:
        return self.open().filter(due_on__lt=today)

    def due_soon(self, today: datetime.date) -> Self:
        """Open, not yet overdue, due within five working days."""
        return self.open().filter(due_on__gte=today, due_on__lte=due_soon_limit(today))


# --- A clocked request, its statuses and its pauses ----------------------------------


class ClockedRequest(Protocol):
    """What the clock reads and writes on a request (``AccessRequest``,
    ``RightsRequest``). Every clocked request is also a model with a
    ``school`` and ``pupils`` (its trail entries name them)."""

    pk: Any
    received_on: datetime.date
    status: str
    due_on: datetime.date | None
    identity_check: str
    identity_checked_on: datetime.date | None
    identity_note: str
    extended_on: datetime.date | None
    extension_reason: str

    @property
    def is_open(self) -> bool: ...

    @property
    def pauses(self) -> RelatedManager[Any]: ...

    def save(self, *, update_fields: Iterable[str] | None = None) -> None: ...


class IdentityCheck(models.TextChoices):
    NOT_YET = "", gettext_lazy("Not checked yet")
    DOCUMENT = "document", gettext_lazy("Identity document seen")
    KNOWN = "known", gettext_lazy("Known to the school (e.g. parent met in person)")
    REGISTERED_CONTACT = (
        "registered_contact",
        gettext_lazy("Sent from contact details the school holds"),
    )
    NOT_NEEDED = "not_needed", gettext_lazy("Not needed")


class PauseReason(models.TextChoices):
    IDENTITY = "identity", gettext_lazy("Waiting for proof of identity")
    CLARIFICATION = "clarification", gettext_lazy("Waiting for a clarification")
    FEE = "fee", gettext_lazy("Waiting for a fee")


class ClockPauseBase(models.Model):
    """The clock stands still from the day the school asked to the day the
    answer arrived (``ends_on``); an open pause has no end yet. Each kind
    adds its ``request`` and names its constraints (``pause_constraints``)."""

    reason = models.CharField(gettext_lazy("reason"), max_length=20, choices=PauseReason.choices)
    starts_on = models.DateField(gettext_lazy("asked on"))
    ends_on = models.DateField(gettext_lazy("answer received on"), null=True, blank=True)
    note = models.CharField(gettext_lazy("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["starts_on", "id"]
        verbose_name = gettext_lazy("clock pause")

    def __str__(self) -> str:
        return self.get_reason_display()


def pause_constraints(prefix: str) -> list[models.BaseConstraint]:
    """A pause ends after it starts; a request has one open pause at most."""
    return [
        models.CheckConstraint(
            condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
            name=f"{prefix}_pause_ends_after_start",
        ),
        models.UniqueConstraint(
            fields=["request"], condition=Q(ends_on__isnull=True), name=f"{prefix}_one_open_pause"
        ),
    ]


def one_month_due_on(request: ClockedRequest) -> datetime.date | None:
    """The deadline from receipt, pauses and extension (None while paused)."""
    pauses = request.pauses.values_list("starts_on", "ends_on") if request.pk else []
    return deadlines.sar_due_date_with_pauses(
        request.received_on, pauses, extended=request.extended_on is not None
    )


@dataclass(frozen=True)
class Clock[R: ClockedRequest, P: ClockPauseBase]:
    """One kind of request on the clock, as the clock service needs it."""

    #: The start of its trail summaries ("Access request", "Rights request").
    label: str
    pause_model: type[P]
    #: Its status enum, with the statuses the clock moves between: ``OPEN``,
    #: ``PAUSED`` and ``WITHDRAWN``.
    statuses: type[models.TextChoices]
    #: Its deadline once paused, restarted or extended.
    due_on: Callable[[R], datetime.date | None]
    #: Why a request's clock can neither stop nor be extended ("" when it can).
    fixed_because: Callable[[R], str] | None = None

    def __post_init__(self) -> None:
        if not {"OPEN", "PAUSED", "WITHDRAWN"} <= set(self.statuses.__members__):
            raise ImproperlyConfigured(
                f"{self.statuses.__name__} needs OPEN, PAUSED and WITHDRAWN."
            )

    @property
    def running(self) -> str:
        return self.statuses["OPEN"]

    @property
    def paused(self) -> str:
        return self.statuses["PAUSED"]

    @property
    def withdrawn(self) -> str:
        return self.statuses["WITHDRAWN"]

    def refuse_if_fixed(self, request: R, field: str) -> None:
        why = self.fixed_because(request) if self.fixed_because else ""
        if why:
            raise ValidationError({field: why})


# --- The trail and the open check -------------------------------------------------


def trail(
    actor: Actor, request: models.Model, action: str, summary: str, fields: Iterable[str] = ()
) -> None:
    """One entry per pupil of the request, so it shows on each pupil's own trail."""
    audit.record_for_pupils(actor=actor, action=action, obj=request, summary=summary, fields=fields)


def require_open(request: ClockedRequest) -> None:
    if not request.is_open:
        raise ValidationError(_("This request is no longer open."))


def _trail(actor: Actor, request: ClockedRequest, summary: str, fields: Iterable[str] = ()) -> None:
    assert isinstance(request, models.Model)  # every clocked request is a model
    trail(actor, request, AuditAction.UPDATE, summary, fields)


# --- The clock service --------------------------------------------------------------
# Field-keyed refusals: the keys are the handling form's fields (ClockStepsForm).


@transaction.atomic
def record_identity_check[R: ClockedRequest](
    *,
    actor: Actor,
    clock: Clock[Any, Any],
    request: R,
    method: str,
    checked_on: datetime.date,
    note: str = "",
) -> R:
    require_open(request)
    if method not in IdentityCheck.values or method == IdentityCheck.NOT_YET:
        raise ValidationError({"identity_method": _("Choose how the identity was checked.")})
    if method == IdentityCheck.NOT_NEEDED and not note.strip():
        raise ValidationError({"identity_note": _("Say why no identity check was needed.")})
    if checked_on < request.received_on:
        raise ValidationError(
            {"identity_on": _("The check cannot come before the request was received.")}
        )
    request.identity_check, request.identity_checked_on = method, checked_on
    request.identity_note = note.strip()
    request.save(update_fields=["identity_check", "identity_checked_on", "identity_note"])
    _trail(actor, request, f"{clock.label}: identity check recorded")
    return request


@transaction.atomic
def pause[R: ClockedRequest, P: ClockPauseBase](
    *,
    actor: Actor,
    clock: Clock[R, P],
    request: R,
    reason: str,
    starts_on: datetime.date,
    note: str = "",
) -> P:
    """Stop the clock while the school waits for identity, a clarification or a fee."""
    require_open(request)
    if request.status == clock.paused:
        raise ValidationError({"pause_reason": _("The clock is already paused.")})
    clock.refuse_if_fixed(request, "pause_reason")
    if reason not in PauseReason.values:
        raise ValidationError({"pause_reason": _("Choose why the clock is paused.")})
    if starts_on < request.received_on:
        raise ValidationError(
            {"pause_starts_on": _("A pause cannot start before the request was received.")}
        )
    last = request.pauses.order_by("-ends_on").values_list("ends_on", flat=True).first()
    if last is not None and starts_on < last:
        raise ValidationError(
            {"pause_starts_on": _("A pause cannot start before the previous one ended.")}
        )
    created = clock.pause_model._default_manager.create(
        request=request,
        reason=reason,
        starts_on=starts_on,
        note=note.strip(),
        created_by=audit.acting_user(actor),
    )
    request.status, request.due_on = clock.paused, None
    request.save(update_fields=["status", "due_on", "updated_at"])
    _trail(actor, request, f"{clock.label}: clock paused", ["status"])
    return created


@transaction.atomic
def resume[R: ClockedRequest](
    *, actor: Actor, clock: Clock[R, Any], request: R, ends_on: datetime.date
) -> R:
    """The awaited answer arrived on ``ends_on``: the clock runs again."""
    open_pause = request.pauses.filter(ends_on__isnull=True).first()
    if request.status != clock.paused or open_pause is None:
        raise ValidationError({"resume_on": _("The clock is not paused.")})
    if ends_on < open_pause.starts_on:
        raise ValidationError(
            {"resume_on": _("The answer cannot arrive before the school asked for it.")}
        )
    open_pause.ends_on = ends_on
    open_pause.save(update_fields=["ends_on"])
    request.status = clock.running
    request.due_on = clock.due_on(request)
    request.save(update_fields=["status", "due_on", "updated_at"])
    _trail(actor, request, f"{clock.label}: clock restarted", ["due_on"])
    return request


@transaction.atomic
def extend[R: ClockedRequest](
    *, actor: Actor, clock: Clock[R, Any], request: R, told_on: datetime.date, reason: str
) -> R:
    """Two further months for a complex or numerous request; the requester
    must be told, with reasons, within the first month (Art 12(3))."""
    require_open(request)
    clock.refuse_if_fixed(request, "extend_told_on")
    if request.extended_on is not None:
        raise ValidationError({"extend_told_on": _("This request has already been extended.")})
    if not reason.strip():
        raise ValidationError({"extend_reason": _("Say why the request needs more time.")})
    if request.status == clock.paused:
        raise ValidationError(
            {"extend_told_on": _("Restart the clock before extending the request.")}
        )
    first_month_ends = request.due_on
    if told_on < request.received_on or (first_month_ends and told_on > first_month_ends):
        raise ValidationError(
            {
                "extend_told_on": _(
                    "The requester must be told within the first month (by %(due)s)."
                )
                % {"due": long_date(first_month_ends) if first_month_ends else "-"}
            }
        )
    request.extended_on, request.extension_reason = told_on, reason.strip()
    request.due_on = clock.due_on(request)
    request.save(update_fields=["extended_on", "extension_reason", "due_on", "updated_at"])
    _trail(actor, request, f"{clock.label} extended", ["due_on"])
    return request


@transaction.atomic
def withdraw[R: ClockedRequest](*, actor: Actor, clock: Clock[R, Any], request: R) -> R:
    """The requester withdrew it: the clock stops, an open pause ends today."""
    require_open(request)
    request.status, request.due_on = clock.withdrawn, None
    request.pauses.filter(ends_on__isnull=True).update(ends_on=timezone.localdate())
    request.save(update_fields=["status", "due_on", "updated_at"])
    _trail(actor, request, f"{clock.label} withdrawn", ["status"])
    return request


# --- The clock's steps of a "Handle this request" page -------------------------------


@dataclass(frozen=True)
class ClockSteps:
    """The clock's steps the DPO asks for in one go (a blank field is a step
    not taken); each kind's steps add its own after them."""

    identity_method: str = ""
    identity_on: datetime.date | None = None
    identity_note: str = ""
    resume_on: datetime.date | None = None
    pause_reason: str = ""
    pause_starts_on: datetime.date | None = None
    pause_note: str = ""
    extend_told_on: datetime.date | None = None
    extend_reason: str = ""


def take_clock_steps[R: ClockedRequest](
    *, actor: Actor, clock: Clock[R, Any], request: R, steps: ClockSteps
) -> list[str]:
    """Identity, restart, pause, extension, in that order, inside the
    caller's transaction (its handler's: all or nothing). Returns what was
    done, in plain words."""
    today = timezone.localdate()
    done: list[str] = []
    if steps.identity_method:
        record_identity_check(
            actor=actor,
            clock=clock,
            request=request,
            method=steps.identity_method,
            checked_on=steps.identity_on or today,
            note=steps.identity_note,
        )
        done.append(_("identity check recorded"))
    if steps.resume_on:
        resume(actor=actor, clock=clock, request=request, ends_on=steps.resume_on)
        done.append(_("clock restarted"))
    if steps.pause_reason:
        pause(
            actor=actor,
            clock=clock,
            request=request,
            reason=steps.pause_reason,
            starts_on=steps.pause_starts_on or today,
            note=steps.pause_note,
        )
        done.append(_("clock paused"))
    if steps.extend_told_on or steps.extend_reason:
        if not steps.extend_told_on:
            raise ValidationError(
                {"extend_told_on": _("Say when the requester was told of the extension.")}
            )
        extend(
            actor=actor,
            clock=clock,
            request=request,
            told_on=steps.extend_told_on,
            reason=steps.extend_reason,
        )
        done.append(_("extended"))
    return done
