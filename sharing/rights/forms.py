"""Staff forms of rights requests and complaints: logging one (any member
of staff), correcting its details, and the DPO's steps."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.models import Pupil
from sharing.clocked_forms import ClockStepsForm, blank_first, date_field, received_at_field

from .models import Complaint, RightsDecision, RightsRequest
from .services import RightsSteps


class LogRightsRequestForm(forms.ModelForm):
    received_at = received_at_field()

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


class RightsHandlingForm(ClockStepsForm):
    """One optional step of each kind (the clock's from ``ClockStepsForm``);
    blank fields are steps not taken."""

    decision = forms.ChoiceField(
        label=_("Decision"), required=False, choices=blank_first(RightsDecision.choices)
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
    decided_on = date_field(_("Decided on"))
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
