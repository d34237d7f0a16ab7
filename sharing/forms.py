"""Form pieces every sub-domain of sharing uses: offering only the schools
this member of staff may see, and the optional "file sent" of a disclosure
(fingerprinted, never kept)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from pupils.models import School

MAX_SENT_FILE_BYTES = 100 * 1024 * 1024

if TYPE_CHECKING:
    # The mixins below are only ever mixed into forms.
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class ScopedFormMixin(_FormBase):
    """Offer only the schools (and pupils) this member of staff may see."""

    def scope(self, user) -> None:
        if "school" in self.fields:
            schools = School.objects.visible_to(user)
            field = self.fields["school"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = schools
            if len(schools) == 1:
                field.initial = schools[0]


def sent_file_field() -> forms.FileField:
    return forms.FileField(
        label=_("File sent"),
        required=False,
        help_text=_("Optional. Only its SHA-256 fingerprint is kept, never the file."),
    )


class SentFileMixin(_FormBase):
    """A form with a ``sent_file`` field: refuse a file too large to fingerprint."""

    def clean_sent_file(self):
        sent = self.cleaned_data.get("sent_file")
        if sent and sent.size > MAX_SENT_FILE_BYTES:
            raise forms.ValidationError(_("The file is too large to fingerprint here."))
        return sent


def file_bytes(upload) -> tuple[bytes | None, str]:
    """The content and name of an optional upload ((None, "") without one)."""
    if not upload:
        return None, ""
    return b"".join(upload.chunks()), upload.name
