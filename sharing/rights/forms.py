"""Staff forms of rights requests and complaints: logging one (any member
of staff), correcting its details, and the DPO's steps."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.models import Pupil
from sharing.access.models import IdentityCheck, PauseReason

from .models import Complaint, RightsDecision, RightsRequest
from .services import RightsSteps


class LogRightsRequestForm(forms.ModelForm):
    received_at = forms.DateTimeField(
        label=_("Received at"),
        initial=timezone.now,
        help_text=_("When it reached any member of staff."),
    )

    class Meta:
        model = RightsRequest
        fields = [
            "school",
            "kind",
            "pupils",
            "requester_name",
            "requester_relationship",
            "requester_contact",
            "requester_email",
            "requester_address",
            "channel",
            "received_at",
            "details",
        ]


class CorrectRightsRequestForm(forms.ModelForm):
    """What the change page may correct: who asked, for which pupils (an
    online request is matched to its pupils here), and what they asked."""

    class Meta:
        model = RightsRequest
        fields = [
            "pupils",
            "requester_contact",
            "requester_name",
            "requester_relationship",
            "requester_email",
            "requester_address",
            "details",
        ]


def _choices(choices) -> list[tuple[str, str]]:
    return [("", "---------"), *choices]


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}), **kwargs
    )


class RightsHandlingForm(forms.Form):
    """One optional step of each kind; blank fields are steps not taken."""

    identity_method = forms.ChoiceField(
        label=_("Identity checked by"),
        required=False,
        choices=_choices(IdentityCheck.choices[1:]),
    )
    identity_on = _date(_("Identity checked on"))
    identity_note = forms.CharField(label=_("Identity note"), required=False, max_length=300)
    resume_on = _date(_("Restart the clock: answer received on"))
    pause_reason = forms.ChoiceField(
        label=_("Pause the clock while waiting for"),
        required=False,
        choices=_choices(PauseReason.choices),
    )
    pause_starts_on = _date(_("Asked on"))
    pause_note = forms.CharField(label=_("Pause note"), required=False, max_length=300)
    extend_told_on = _date(_("Extend: requester told on"))
    extend_reason = forms.CharField(
        label=_("Why it needs more time"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(
        label=_("Decision"), required=False, choices=_choices(RightsDecision.choices)
    )
    decision_reason = forms.CharField(
        label=_("Why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "e.g. erasure refused: the law requires the school to keep the admission register."
        ),
    )
    changes_made = forms.CharField(
        label=_("What was changed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave blank for a refusal, or for a portable copy."),
    )
    decided_on = _date(_("Decided on"))
    withdraw = forms.BooleanField(label=_("The requester withdrew the request"), required=False)

    def steps(self) -> RightsSteps:
        return RightsSteps(**self.cleaned_data)


class PortableCopyForm(forms.Form):
    pupil = forms.ModelChoiceField(label=_("Pupil"), queryset=Pupil.objects.none())

    def __init__(self, *args, request: RightsRequest, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["pupil"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = request.pupils.all()


class LogComplaintForm(forms.ModelForm):
    received_at = forms.DateTimeField(
        label=_("Received at"),
        initial=timezone.now,
        help_text=_("When it reached any member of staff: the 30 days start that day."),
    )

    class Meta:
        model = Complaint
        fields = [
            "school",
            "complainant_name",
            "complainant_email",
            "complainant_address",
            "channel",
            "received_at",
            "summary",
        ]


class CorrectComplaintForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["complainant_name", "complainant_address", "summary"]


class AcknowledgeForm(forms.Form):
    acknowledged_on = forms.DateField(
        label=_("Acknowledged on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Saving e-mails the acknowledgement (with the right to complain to the ICO) "
            "when the complainant gave an e-mail address; otherwise send it by post."
        ),
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the school found and what it has done. Sent to the complainant."),
    )
    told_on = forms.DateField(
        label=_("Told on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
