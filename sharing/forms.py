from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from pupils.models import Pupil, School, TermName

from .census import academic_year_of
from .ctf import MAX_CTF_BYTES
from .ctf_export import leavers_for_export
from .disclosures import validate_disclosure
from .models import DataCategory, Disclosure, SendMethod

MAX_SENT_FILE_BYTES = 100 * 1024 * 1024


class ScopedFormMixin:
    """Offer only the schools (and pupils) this member of staff may see."""

    def scope(self, user) -> None:
        if "school" in self.fields:
            schools = School.objects.visible_to(user)
            self.fields["school"].queryset = schools
            if len(schools) == 1:
                self.fields["school"].initial = schools[0]


class DisclosureForm(ScopedFormMixin, forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("Categories of data"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    sent_file = forms.FileField(
        label=_("File sent"),
        required=False,
        help_text=_("Optional. Only its SHA-256 fingerprint is kept, never the file."),
    )

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
                self.fields["pupils"].queryset = Pupil.objects.visible_to(user)
            if "corrects" in self.fields:
                self.fields["corrects"].queryset = Disclosure.objects.visible_to(user)

    def validate_constraints(self):
        """The service's rules (``validate_disclosure``, run in ``clean``) cover
        every constraint with a message staff can act on."""

    def clean_sent_file(self):
        sent = self.cleaned_data.get("sent_file")
        if sent and sent.size > MAX_SENT_FILE_BYTES:
            raise forms.ValidationError(_("The file is too large to fingerprint here."))
        return sent

    def clean(self):
        data = super().clean()
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


class CensusReturnForm(ScopedFormMixin, forms.Form):
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
    sent_file = forms.FileField(
        label=_("File sent"),
        required=False,
        help_text=_("Optional. Only its SHA-256 fingerprint is kept, never the file."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].initial = academic_year_of(datetime.date.today())
        if user is not None:
            self.scope(user)

    def clean_sent_file(self):
        sent = self.cleaned_data.get("sent_file")
        if sent and sent.size > MAX_SENT_FILE_BYTES:
            raise forms.ValidationError(_("The file is too large to fingerprint here."))
        return sent


class CtfUploadForm(ScopedFormMixin, forms.Form):
    school = forms.ModelChoiceField(label=_("Importing school"), queryset=School.objects.none())
    file = forms.FileField(label=_("CTF file (XML)"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.scope(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The size is known before anything is read or parsed.
        if upload.size > MAX_CTF_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)d MB; a CTF may be at most %(limit)d MB.")
                % {"size": upload.size // 1_048_576, "limit": MAX_CTF_BYTES // 1_048_576}
            )
        return upload


class CtfExportForm(forms.Form):
    pupil = forms.ModelChoiceField(label=_("Leaver"), queryset=Pupil.objects.none())
    method = forms.ChoiceField(
        label=_("How it will be sent"), choices=SendMethod.choices, initial=SendMethod.S2S
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["pupil"].queryset = leavers_for_export(user)
        self.fields["pupil"].label_from_instance = lambda p: (
            _("%(pupil)s, left %(day)s for %(school)s")
            % {
                "pupil": p,
                "day": f"{p.leaving_date.day} {p.leaving_date:%B %Y}",
                "school": p.destination.school_name,
            }
        )
