"""Forms of the breach register: reporting one (any member of staff, in a
minute), correcting its details (the change page), the DPO's assessment and
recording a notification (each taken by one service)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharing.disclosures.models import DataCategory

from .models import (
    Breach,
    IcoDecision,
    Likelihood,
    NotificationAudience,
    NotificationMethod,
    PeopleCategory,
    Severity,
    TellPeopleDecision,
)


class ReportBreachForm(forms.ModelForm):
    discovered_at = forms.DateTimeField(
        label=_("When it was discovered"),
        initial=timezone.now,
        help_text=_("When anyone at the school first knew, e.g. 2026-10-24 09:00."),
    )
    occurred_at = forms.DateTimeField(
        label=_("When it happened"), required=False, help_text=_("If known.")
    )
    people_categories = forms.MultipleChoiceField(
        label=_("Whose data"), choices=PeopleCategory.choices, widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        label=_("Kinds of data"),
        choices=DataCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick what you know; the DPO will complete it."),
    )

    class Meta:
        model = Breach
        fields = [
            "school",
            "summary",
            "discovered_at",
            "occurred_at",
            "noticed_by",
            "data_involved",
            "categories",
            "people_categories",
            "pupils",
            "people_affected",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "data_involved": forms.Textarea(attrs={"rows": 2}),
        }


class CorrectBreachForm(forms.ModelForm):
    """What the DPO may correct on the change page; the clock and the
    assessment change only through ``assess_breach``."""

    class Meta:
        model = Breach
        fields = ["summary", "noticed_by", "data_involved", "people_affected"]


def _choices(choices) -> list[tuple[str, str]]:
    return [("", "---------"), *choices]


class AssessBreachForm(forms.Form):
    became_aware_at = forms.DateTimeField(
        label=_("The school became aware at"),
        help_text=_("Correct it if the school knew earlier: the 72 hours start here."),
    )
    likelihood = forms.ChoiceField(
        label=_("Likelihood of harm"), choices=_choices(Likelihood.choices)
    )
    severity = forms.ChoiceField(label=_("Severity of harm"), choices=_choices(Severity.choices))
    likely_consequences = forms.CharField(
        label=_("Likely consequences for people"), widget=forms.Textarea(attrs={"rows": 3})
    )
    containment = forms.CharField(
        label=_("What was done to contain it"), widget=forms.Textarea(attrs={"rows": 3})
    )
    ico_decision = forms.ChoiceField(
        label=_("Report to the ICO?"), choices=_choices(IcoDecision.choices)
    )
    ico_reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))
    tell_people = forms.ChoiceField(
        label=_("Tell the people affected?"), choices=_choices(TellPeopleDecision.choices)
    )
    tell_people_by = forms.DateField(
        label=_("Tell them by"), required=False, help_text=_("Needed if they are to be told.")
    )
    tell_people_reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def for_breach(cls, breach: Breach, data=None) -> AssessBreachForm:
        initial = {
            "became_aware_at": timezone.localtime(breach.discovered_at),
            **{
                name: getattr(breach, name)
                for name in (
                    "likelihood",
                    "severity",
                    "likely_consequences",
                    "containment",
                    "ico_decision",
                    "ico_reason",
                    "tell_people",
                    "tell_people_by",
                    "tell_people_reason",
                )
            },
        }
        return cls(data, initial=initial)


class NotificationForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Who was told"), choices=_choices(NotificationAudience.choices)
    )
    notified_at = forms.DateTimeField(label=_("When"), initial=timezone.now)
    method = forms.ChoiceField(label=_("How"), choices=_choices(NotificationMethod.choices))
    reference = forms.CharField(
        label=_("Reference"), required=False, help_text=_("e.g. the ICO's case reference.")
    )
    content = forms.CharField(
        label=_("What was said"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "To the ICO: what you reported. To families: what happened, in words they "
            "will understand (the first part of the letter)."
        ),
    )
    likely_consequences = forms.CharField(
        label=_("Likely consequences"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Letters only."),
    )
    measures_taken = forms.CharField(
        label=_("What the school has done"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Letters only."),
    )
    what_they_can_do = forms.CharField(
        label=_("What they can do"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Letters only."),
    )
    delay_reason = forms.CharField(
        label=_("Reason for the delay"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the ICO is told after the 72 hours."),
    )

    @classmethod
    def for_breach(cls, breach: Breach, data=None) -> NotificationForm:
        # The assessment already says most of what a letter must.
        initial = {
            "likely_consequences": breach.likely_consequences,
            "measures_taken": breach.containment,
        }
        return cls(data, initial=initial)
