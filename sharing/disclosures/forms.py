"""Forms of the disclosure log: an entry added by hand, and a census return."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.models import Pupil, School, TermName
from pupils.schoolyear import academic_year_of
from sharing.forms import ScopedFormMixin, SentFileMixin, sent_file_field

from .models import DataCategory, Disclosure, SendMethod
from .services import validate_disclosure


class DisclosureForm(ScopedFormMixin, SentFileMixin, forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("Categories of data"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    sent_file = sent_file_field()

    class Meta:
        model = Disclosure
        fields = [
            "school", "recipient_type", "recipient_name", "gateway", "basis_detail", "dataset",
            "census_term", "census_date", "pupils", "categories", "disclosed_at", "method",
            "requested_by", "request_reason", "approved_by", "notes", "corrects",
        ]  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.scope(user)
            if "pupils" in self.fields:
                pupils_field = self.fields["pupils"]
                assert isinstance(pupils_field, forms.ModelMultipleChoiceField)
                pupils_field.queryset = Pupil.objects.visible_to(user)
            if "corrects" in self.fields:
                corrects_field = self.fields["corrects"]
                assert isinstance(corrects_field, forms.ModelChoiceField)
                corrects_field.queryset = Disclosure.objects.visible_to(user)

    def validate_constraints(self):
        """The service's rules (``validate_disclosure``, run in ``clean``) cover
        every constraint with a message staff can act on."""

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        columns = {f.name for f in Disclosure._meta.concrete_fields}
        draft = Disclosure(
            **{name: value for name, value in data.items() if name in columns and value is not None}
        )
        try:
            validate_disclosure(draft, list(data.get("pupils") or []))
        except forms.ValidationError as exc:
            for name, errors in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        return data


class CensusReturnForm(ScopedFormMixin, SentFileMixin, forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none())
    academic_year = forms.IntegerField(
        label=_("Academic year"),
        min_value=2000,
        max_value=2100,
        help_text=_("The year it starts in: 2025 for 2025/26."),
    )
    term = forms.ChoiceField(label=_("Census"), choices=TermName.choices)
    census_date = forms.DateField(
        label=_("Census day"),
        required=False,
        help_text=_("Leave blank for the school's census day for that term."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    method = forms.ChoiceField(
        label=_("How it was sent"), choices=SendMethod.choices, initial=SendMethod.COLLECT
    )
    sent_file = sent_file_field()
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].initial = academic_year_of(timezone.localdate())
        if user is not None:
            self.scope(user)
