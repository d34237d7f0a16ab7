from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

YES, NO = "yes", "no"
ANSWER_CHOICES = [(YES, _("Yes")), (NO, _("No"))]


def field_name(pupil_id: int, provider_id: int) -> str:
    return f"answer_{provider_id}_{pupil_id}"


class FamilyConsentForm(forms.Form):
    """A yes/no question per child and provider; nothing is chosen for the
    parent (a family's earlier answers are shown as they gave them)."""

    def __init__(self, *args, pupils, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.pupils, self.providers = pupils, providers
        for provider in providers:
            for pupil in pupils:
                self.fields[field_name(pupil.pk, provider.pk)] = forms.ChoiceField(
                    choices=ANSWER_CHOICES,
                    widget=forms.RadioSelect,
                    label=_("Can %(child)s use %(service)s?")
                    % {"child": pupil.forename, "service": provider.service},
                    error_messages={
                        "required": _("Select yes or no for %(child)s and %(service)s")
                        % {"child": pupil.forename, "service": provider.service},
                        "invalid_choice": _("Select yes or no for %(child)s and %(service)s")
                        % {"child": pupil.forename, "service": provider.service},
                    },
                )

    def answers(self) -> dict[tuple[int, int], bool]:
        return {
            (pupil.pk, provider.pk): self.cleaned_data[field_name(pupil.pk, provider.pk)] == YES
            for provider in self.providers
            for pupil in self.pupils
        }

    def groups(self) -> list[dict]:
        """Provider by provider, the bound field for each child (for the template)."""
        return [
            {
                "provider": provider,
                "rows": [
                    {"pupil": pupil, "field": self[field_name(pupil.pk, provider.pk)]}
                    for pupil in self.pupils
                ],
            }
            for provider in self.providers
        ]


class NewLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The address the school has for you."),
        max_length=254,
        error_messages={
            "required": _("Enter your e-mail address"),
            "invalid": _("Enter an e-mail address in the right format, like name@example.com"),
        },
    )
