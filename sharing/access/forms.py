"""Forms of subject access requests: logging one (any member of staff),
correcting its details (the admin's change page), and handling it (the
DPO's steps, taken by ``services.handle_access_request``)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.models import Contact

from .models import AccessRequest, IdentityCheck, PauseReason, RedactionGround, RedactionOutcome
from .services import HandlingSteps


class LogRequestForm(forms.ModelForm):
    received_at = forms.DateTimeField(
        label=_("Received at"),
        initial=timezone.now,
        help_text=_("When it reached any member of staff."),
    )

    class Meta:
        model = AccessRequest
        fields = [
            "school",
            "pupils",
            "requester_name",
            "requester_relationship",
            "requester_contact",
            "requester_address",
            "channel",
            "received_at",
            "details",
            "educational_record",
        ]


class CorrectRequestForm(forms.ModelForm):
    """What the change page may correct: who asked, how, and who handles it."""

    class Meta:
        model = AccessRequest
        fields = [
            "requester_name",
            "requester_relationship",
            "requester_address",
            "channel",
            "details",
            "handler",
        ]


def _choices(choices) -> list[tuple[str, str]]:
    return [("", "---------"), *choices]


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class HandlingForm(forms.Form):
    """One optional step of each kind; blank fields are steps not taken."""

    identity_method = forms.ChoiceField(
        label=_("Record identity check"),
        choices=_choices(IdentityCheck.choices[1:]),
        required=False,
    )
    identity_on = _date_field(_("Identity checked on"))
    identity_note = forms.CharField(label=_("How, or why not needed"), required=False)
    pause_reason = forms.ChoiceField(
        label=_("Pause the clock"), choices=_choices(PauseReason.choices), required=False
    )
    pause_starts_on = _date_field(_("Asked on"))
    pause_note = forms.CharField(label=_("Pause note"), required=False)
    resume_on = _date_field(_("Restart the clock: answer received on"))
    extend_told_on = _date_field(_("Extend: requester told on"))
    extend_reason = forms.CharField(label=_("Why it needs more time"), required=False)
    redaction_contact = forms.ModelChoiceField(
        label=_("Decision about a contact"), queryset=Contact.objects.none(), required=False
    )
    redaction_item = forms.CharField(label=_("Or about this item"), required=False)
    redaction_outcome = forms.ChoiceField(
        label=_("Decision"), choices=_choices(RedactionOutcome.choices), required=False
    )
    redaction_ground = forms.ChoiceField(
        label=_("Ground"), choices=_choices(RedactionGround.choices), required=False
    )
    redaction_reason = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea)
    answered_on = _date_field(_("Answered on"))

    #: (heading, fields) for the page, in the order the service takes the steps.
    GROUPS = (
        (_("Identity"), ("identity_method", "identity_on", "identity_note")),
        (_("Clock"), ("resume_on", "pause_reason", "pause_starts_on", "pause_note")),
        (_("Extension"), ("extend_told_on", "extend_reason")),
        (
            _("What is disclosed, redacted or withheld"),
            (
                "redaction_contact",
                "redaction_item",
                "redaction_outcome",
                "redaction_ground",
                "redaction_reason",
            ),
        ),
        (_("Answer"), ("answered_on",)),
    )

    def __init__(self, *args, request: AccessRequest, **kwargs):
        super().__init__(*args, **kwargs)
        contact_field = self.fields["redaction_contact"]
        assert isinstance(contact_field, forms.ModelChoiceField)
        contact_field.queryset = Contact.objects.filter(
            pupil_links__pupil__in=request.pupils.all()
        ).distinct()

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def steps(self) -> HandlingSteps:
        data = self.cleaned_data
        return HandlingSteps(**{name: data[name] for name in self.fields})
