"""The public forms: a rights request and a complaint, for families with no
account. Both resist spam without third-party services: a field people
never see (bots fill it in) and a signed time stamp that refuses a form
sent back faster than a person can fill it in, or hours later. The rate
limits per client address are in the views."""

from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharing.access.models import RequesterRelationship

from .models import RightKind
from .online import ACCESS

MIN_SECONDS_TO_FILL = 3
MAX_SECONDS_TO_FILL = 4 * 60 * 60
_SALT = "sharing.rights.public-form-started"

KIND_CHOICES = [
    # A subject access request (sharing.access), the others rights requests.
    (ACCESS, _("Get a copy of the information the school holds (a subject access request)")),
    (RightKind.RECTIFICATION, _("Correct information that is wrong")),
    (RightKind.ERASURE, _("Delete information")),
    (RightKind.RESTRICTION, _("Stop using information for now, while something is checked")),
    (RightKind.OBJECTION, _("Stop a particular use of information")),
    (RightKind.PORTABILITY, _("Get a copy of the information you gave us, to take elsewhere")),
]
RELATIONSHIP_CHOICES = [
    (RequesterRelationship.PARENT, _("I am their parent")),
    (RequesterRelationship.CARER, _("I am their carer or have parental responsibility")),
    (RequesterRelationship.PUPIL, _("I am the pupil")),
    (RequesterRelationship.OTHER, _("Other")),
]


def started_stamp() -> str:
    return signing.dumps(int(time.time()), salt=_SALT)


class SpamGuardForm(forms.Form):
    # Hidden from people (and from assistive technology) by the template.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["started"] = started_stamp()

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_started(self) -> str:
        too_fast_or_stale = forms.ValidationError(
            _("Please check your answers, then send the form again."), code="timing"
        )
        try:
            started = signing.loads(
                self.cleaned_data["started"], salt=_SALT, max_age=MAX_SECONDS_TO_FILL
            )
        except signing.BadSignature:
            raise too_fast_or_stale from None
        if not isinstance(started, int) or time.time() - started < MIN_SECONDS_TO_FILL:
            raise too_fast_or_stale
        return self.cleaned_data["started"]

    def renew_stamp(self) -> None:
        """A fresh stamp for the next attempt (the field is hidden: its error
        shows at the top)."""
        data = dict(self.data.items())
        data["started"] = started_stamp()
        self.data = data


class RightsRequestForm(SpamGuardForm):
    kind = forms.ChoiceField(
        label=_("What would you like the school to do?"),
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what you would like the school to do")},
    )
    requester_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        error_messages={"required": _("Enter your full name")},
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We will reply to this address."),
        max_length=254,
        error_messages={
            "required": _("Enter your e-mail address"),
            "invalid": _("Enter an e-mail address in the right format, like name@example.com"),
        },
    )
    relationship = forms.ChoiceField(
        label=_("Who are you to the pupil?"),
        choices=RELATIONSHIP_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select who you are to the pupil")},
    )
    pupil_name = forms.CharField(
        label=_("The pupil's full name"),
        max_length=200,
        error_messages={"required": _("Enter the pupil's full name")},
    )
    pupil_born_on = forms.DateField(
        label=_("The pupil's date of birth"),
        help_text=_("For example, 14 May 2017."),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the pupil's date of birth"),
            "invalid": _("Enter the pupil's date of birth as a real date"),
        },
    )
    details = forms.CharField(
        label=_("Tell us what you would like"),
        help_text=_(
            "Say which information it is about and, if something is wrong, what it should say. "
            "For a copy, say if you want all of it or only some (for example, this school "
            "year's reports)."
        ),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Tell us what you would like")},
    )

    def clean_pupil_born_on(self):
        born = self.cleaned_data["pupil_born_on"]
        if born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth must be in the past"))
        return born


class ComplaintForm(SpamGuardForm):
    name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        error_messages={"required": _("Enter your full name")},
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We will send our acknowledgement and our answer to this address."),
        max_length=254,
        error_messages={
            "required": _("Enter your e-mail address"),
            "invalid": _("Enter an e-mail address in the right format, like name@example.com"),
        },
    )
    summary = forms.CharField(
        label=_("Your complaint"),
        help_text=_(
            "Tell us what happened, when, and which pupil it is about if it is about one. "
            "Please do not include medical or other sensitive details unless you need to."
        ),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Tell us what your complaint is about")},
    )
