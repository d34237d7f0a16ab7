"""Forms of Common Transfer Files: an upload to import, a leaver to send."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pupils.models import Pupil, School
from sharing.dates import long_date
from sharing.disclosures.models import SendMethod
from sharing.forms import ScopedFormMixin

from .export import leavers_for_export
from .reader import MAX_CTF_BYTES


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


class LeaverChoiceField(forms.ModelChoiceField):
    """A leaver, shown with the day they left and the school they went to."""

    def label_from_instance(self, obj) -> str:
        return _("%(pupil)s, left %(day)s for %(school)s") % {
            "pupil": obj,
            "day": long_date(obj.leaving_date),
            "school": obj.destination.school_name,
        }


class CtfExportForm(forms.Form):
    pupil = LeaverChoiceField(label=_("Leaver"), queryset=Pupil.objects.none())
    method = forms.ChoiceField(
        label=_("How it will be sent"), choices=SendMethod.choices, initial=SendMethod.S2S
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            pupil_field = self.fields["pupil"]
            assert isinstance(pupil_field, forms.ModelChoiceField)
            pupil_field.queryset = leavers_for_export(user)
