"""The clock's steps on a "Handle this request" page (access and rights
requests alike): one field each, named as the clock service's refusals are
keyed (``sharing.clocked``), so a refusal shows on its field. Each kind's
handling form adds its own steps after them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharing.clocked import ClockSteps, IdentityCheck, PauseReason

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def blank_first(choices: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """A select's choices with a blank first: a step not taken."""
    return [("", "---------"), *choices]


def date_field(label: StrOrPromise, **kwargs: Any) -> forms.DateField:
    """An optional date with the browser's date picker."""
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}), **kwargs
    )


def received_at_field() -> forms.DateTimeField:
    """When a request was received: its clock starts that day."""
    return forms.DateTimeField(
        label=_("Received at"),
        initial=timezone.now,
        help_text=_("When it reached any member of staff."),
    )


class ClockStepsForm(forms.Form):
    """Identity, restart, pause, extension: one optional step of each."""

    identity_method = forms.ChoiceField(
        label=_("Identity checked by"),
        required=False,
        choices=blank_first(IdentityCheck.choices[1:]),
    )
    identity_on = date_field(_("Identity checked on"))
    identity_note = forms.CharField(
        label=_("How, or why not needed"), required=False, max_length=300
    )
    resume_on = date_field(_("Restart the clock: answer received on"))
    pause_reason = forms.ChoiceField(
        label=_("Pause the clock"), required=False, choices=blank_first(PauseReason.choices)
    )
    pause_starts_on = date_field(_("Asked on"))
    pause_note = forms.CharField(label=_("Pause note"), required=False, max_length=300)
    extend_told_on = date_field(_("Extend: requester told on"))
    extend_reason = forms.CharField(
        label=_("Why it needs more time"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def steps(self) -> ClockSteps:
        """The valid data as the handler's steps (each kind's own dataclass)."""
        raise NotImplementedError
