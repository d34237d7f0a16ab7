from __future__ import annotations

import re

from django import forms
from django.utils.functional import Promise
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext_lazy as _

from providers.models import PurposeKind

from .queries import family_questions

YES, NO = "yes", "no"


def field_name(pupil_id: int, provider_id: int) -> str:
    return f"answer_{provider_id}_{pupil_id}"


_FIELD = re.compile(r"answer_(\d+)_(\d+)")


def saved_answers(saved: object) -> dict[tuple[int, int], bool] | None:
    """A valid form's answers as kept between pages (field name -> yes or
    no), read back as (pupil id, provider id) -> given; None when there are
    none or any is damaged. Whether they answer the family's questions is
    the service's to check (services.submit_family_answers)."""
    if not saved or not isinstance(saved, dict):
        return None
    answers = {}
    for name, value in saved.items():
        match = _FIELD.fullmatch(name)
        if match is None or value not in (YES, NO):
            return None
        provider_id, pupil_id = map(int, match.groups())
        answers[(pupil_id, provider_id)] = value == YES
    return answers


def _choices(provider) -> list[tuple[str, str | Promise]]:
    """A question's two answers, in the words of the purpose's kind."""
    if provider.kind == PurposeKind.BIOMETRIC:
        return [(YES, _("Yes, I consent")), (NO, _("No, I object"))]
    return [(YES, _("Yes")), (NO, _("No"))]


def isolated(text: str) -> str:
    """``text`` (a name the school typed, in English) as its own run in a
    right-to-left page: Unicode's first-strong isolate, so "Photos: school
    website" keeps its words and the sentence's question mark in place
    (what <bdi> does, also in an error message and a label)."""
    return f"\u2068{text}\u2069" if get_language_bidi() else text


def _names(provider, pupil) -> dict[str, str]:
    return {"child": isolated(pupil.forename), "service": isolated(provider.service)}


def _question(provider, pupil) -> tuple[str, list[tuple[str, str | Promise]]]:
    """The question and its two answers, in the words of the purpose's kind."""
    names = _names(provider, pupil)
    if provider.kind == PurposeKind.PHOTOGRAPHS:
        question = _("Can the school use photos and videos of %(child)s for this: %(service)s?")
    elif provider.kind == PurposeKind.BIOMETRIC:
        question = _("Do you consent to %(service)s for %(child)s?")
    else:
        question = _("Can %(child)s use %(service)s?")
    return question % names, _choices(provider)


def checked_answers(saved: object, pupils, providers) -> list[dict] | None:
    """The check page's rows, purpose by purpose: each child's answer in
    the words of the form, and the id of its question on the form. None
    when a question is unanswered (what ``FamilyConsentForm(saved).is_valid()``
    refuses), without building the form: the check page only shows them."""
    if not saved or not isinstance(saved, dict):
        return None
    groups = []
    for provider, children in family_questions(pupils, providers):
        choices = dict(_choices(provider))
        rows = []
        for pupil in children:
            name = field_name(pupil.pk, provider.pk)
            value = saved.get(name)
            if not isinstance(value, str) or value not in choices:
                return None
            rows.append({"pupil": pupil, "answer": choices[value], "question_id": f"id_{name}"})
        groups.append({"provider": provider, "rows": rows})
    return groups


class FamilyConsentForm(forms.Form):
    """A yes/no question per child and purpose that asks about the child
    (its year groups); nothing is chosen for the parent (a family's earlier
    answers are shown as they gave them)."""

    def __init__(self, *args, pupils, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.pupils, self.providers = pupils, providers
        self.questions = family_questions(pupils, providers)
        for provider, children in self.questions:
            for pupil in children:
                label, choices = _question(provider, pupil)
                message = _("Select yes or no for %(child)s and %(service)s") % _names(
                    provider, pupil
                )
                self.fields[field_name(pupil.pk, provider.pk)] = forms.ChoiceField(
                    choices=choices,
                    widget=forms.RadioSelect,
                    label=label,
                    error_messages={"required": message, "invalid_choice": message},
                )

    def answers(self) -> dict[tuple[int, int], bool]:
        return {
            (pupil.pk, provider.pk): self.cleaned_data[field_name(pupil.pk, provider.pk)] == YES
            for provider, children in self.questions
            for pupil in children
        }

    def groups(self) -> list[dict]:
        """Purpose by purpose, each question it asks (one per child) as the
        template shows it: ids, name, question, errors and the two answers,
        worked out here once rather than looked up on the bound field again
        and again by the template."""
        groups = []
        for provider, children in self.questions:
            choices = [(value, str(text)) for value, text in _choices(provider)]
            rows = []
            for pupil in children:
                bound = self[field_name(pupil.pk, provider.pk)]
                question_id, current = bound.auto_id, bound.value()
                rows.append(
                    {
                        "pupil": pupil,
                        "field": bound,
                        "id": question_id,
                        "name": bound.html_name,
                        "label": bound.label,
                        "errors": bound.errors,
                        "choices": [
                            {
                                "value": value,
                                "text": text,
                                "id": question_id if value == YES else f"{question_id}-no",
                                "checked": current == value,
                            }
                            for value, text in choices
                        ],
                    }
                )
            groups.append({"provider": provider, "rows": rows})
        return groups


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
