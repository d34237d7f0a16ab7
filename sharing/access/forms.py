"""Forms of subject access requests: logging one (any member of staff),
correcting its details (the admin's change page), and handling it (the
DPO's steps, taken by ``services.handle_access_request``)."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.models import Contact, Pupil
from sharing.clocked_forms import ClockStepsForm, blank_first, date_field, received_at_field
from sharing.disclosures.models import SendMethod
from sharing.forms import SentFileMixin, sent_file_field

from . import redactable
from .gathered import load
from .models import (
    AccessRequest,
    RedactionGround,
    RedactionOutcome,
    SearchedSystem,
)
from .services import HandlingSteps


class LogRequestForm(forms.ModelForm):
    received_at = received_at_field()

    class Meta:
        model = AccessRequest
        fields = [
            "school",
            "pupils",
            "requester_name",
            "requester_relationship",
            "requester_contact",
            "requester_address",
            "channel",
            "received_at",
            "details",
            "educational_record",
        ]


class CorrectRequestForm(forms.ModelForm):
    """What the change page may correct: who asked, how, and who handles it."""

    class Meta:
        model = AccessRequest
        fields = [
            "requester_name",
            "requester_relationship",
            "requester_address",
            "channel",
            "details",
            "handler",
        ]


def _search(widget_class, field_name: str, admin_site) -> forms.Widget:
    """The staff site's autocomplete for a request's pupils or contact: it
    searches with the pupil (contact) admin's own search fields and
    queryset, so school scoping and the special-category rules apply; the
    form's field still accepts only the request's school."""
    widget = widget_class(AccessRequest._meta.get_field(field_name), admin_site)
    widget.is_required = False
    return widget


class HandlingForm(ClockStepsForm):
    """One optional step of each kind (the clock's from ``ClockStepsForm``);
    blank fields are steps not taken."""

    search_system = forms.ChoiceField(
        label=_("System searched"),
        choices=blank_first(SearchedSystem.choices),
        required=False,
        help_text=_("This application's record is always searched; add every other place."),
    )
    search_detail = forms.CharField(label=_("Which"), required=False, max_length=200)
    search_by = forms.CharField(label=_("Searched by"), required=False, max_length=200)
    search_on = date_field(_("Searched on"))
    redaction_record = forms.ChoiceField(
        label=_("Decision about a record"),
        required=False,
        help_text=_(
            "Withheld, it is left out of the response; redacted, it appears with its content "
            "blanked. The response lists it by its kind and the ground, never its content."
        ),
    )
    redaction_contact = forms.ModelChoiceField(
        label=_("Or about a contact (a third party)"),
        queryset=Contact.objects.none(),
        required=False,
    )
    redaction_item = forms.CharField(
        label=_("Or about something held outside this application"),
        required=False,
        help_text=_(
            "e.g. a paper file. Printed in the response: describe it without revealing it."
        ),
    )
    redaction_outcome = forms.ChoiceField(
        label=_("Decision"), choices=blank_first(RedactionOutcome.choices), required=False
    )
    redaction_ground = forms.ChoiceField(
        label=_("Ground"), choices=blank_first(RedactionGround.choices), required=False
    )
    redaction_reason = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea)
    answered_on = date_field(_("Answered on"))

    match_pupils = forms.ModelMultipleChoiceField(
        label=_("The pupils this request is about"),
        queryset=Pupil.objects.none(),
        required=False,
        help_text=_(
            "The request was made online for a pupil the form could not match: see "
            "“what was asked for”."
        ),
    )
    match_contact = forms.ModelChoiceField(
        label=_("The requester's contact record, if the school holds one"),
        queryset=Contact.objects.none(),
        required=False,
    )

    #: (heading, fields) for the page, in the order the service takes the steps.
    GROUPS = (
        (_("Pupils"), ("match_pupils", "match_contact")),
        (_("Identity"), ("identity_method", "identity_on", "identity_note")),
        (_("Clock"), ("resume_on", "pause_reason", "pause_starts_on", "pause_note")),
        (_("Extension"), ("extend_told_on", "extend_reason")),
        (
            _("Systems searched (printed in the covering letter)"),
            ("search_system", "search_detail", "search_by", "search_on"),
        ),
        (
            _("What is disclosed, redacted or withheld"),
            (
                "redaction_record",
                "redaction_contact",
                "redaction_item",
                "redaction_outcome",
                "redaction_ground",
                "redaction_reason",
            ),
        ),
        (_("Answer"), ("answered_on",)),
    )

    def __init__(self, *args, request: AccessRequest, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._records = self._record_choices(request)
        contact_field = self.fields["redaction_contact"]
        assert isinstance(contact_field, forms.ModelChoiceField)
        contact_field.queryset = Contact.objects.filter(
            pupil_links__pupil__in=request.pupils.all()
        ).distinct()
        if request.pupils.exists():  # matched: the pupils are fixed
            del self.fields["match_pupils"], self.fields["match_contact"]
        else:
            pupils = self.fields["match_pupils"]
            contacts = self.fields["match_contact"]
            assert isinstance(pupils, forms.ModelMultipleChoiceField)
            assert isinstance(contacts, forms.ModelChoiceField)
            if admin_site is not None:  # a search, not a list of every pupil and contact
                pupils.widget = _search(AutocompleteSelectMultiple, "pupils", admin_site)
                contacts.widget = _search(AutocompleteSelect, "requester_contact", admin_site)
            pupils.queryset = Pupil.objects.for_school(request.school).order_by(
                "legal_surname", "legal_forename", "pk"
            )
            contacts.queryset = Contact.objects.filter(school=request.school).order_by(
                "surname", "forename", "pk"
            )

    def _record_choices(self, request: AccessRequest) -> dict[str, models.Model]:
        """The pupils' records, grouped by kind (and by pupil when there are
        several), for the select; returns value -> record."""
        pupils = list(request.pupils.order_by("legal_surname", "legal_forename", "pk"))
        choices: list = [("", "---------")]
        found: dict[str, models.Model] = {}
        for pupil in pupils:
            for group, rows in redactable.records_of(load(pupil.pk, request=request)):
                title = f"{pupil.full_name}: {group}" if len(pupils) > 1 else group
                options = []
                for obj, label in rows:
                    value = "{}:{}".format(*redactable.key(obj))
                    found[value] = obj
                    options.append((value, label))
                choices.append((title, options))
        field = self.fields["redaction_record"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        return found

    def clean_redaction_record(self) -> models.Model | None:
        value = self.cleaned_data.get("redaction_record")
        return self._records.get(value) if value else None

    def groups(self):
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.GROUPS
            if any(name in self.fields for name in names)
        ]

    def steps(self) -> HandlingSteps:
        data = self.cleaned_data
        steps = {name: data[name] for name in self.fields}
        if "match_pupils" in steps:
            steps["match_pupils"] = tuple(steps["match_pupils"])
        return HandlingSteps(**steps)


class SentForm(SentFileMixin, forms.Form):
    """When, how and to whom the response for one pupil was sent."""

    pupil = forms.ModelChoiceField(label=_("Response for"), queryset=Pupil.objects.none())
    sent_on = forms.DateField(
        label=_("Sent on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    method = forms.ChoiceField(label=_("How"), choices=blank_first(SendMethod.choices))
    sent_to = forms.CharField(
        label=_("To whom"), max_length=300, help_text=_("The name and address it went to.")
    )
    sent_file = sent_file_field()

    def __init__(self, *args, request: AccessRequest, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["pupil"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = request.pupils.order_by("legal_surname", "legal_forename")
        if not self.is_bound:
            self.fields["sent_to"].initial = ", ".join(
                x for x in (request.requester_name, request.requester_address) if x
            )
