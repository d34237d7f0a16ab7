"""The retention schedule, legal holds and the "due for erasure" page in the
staff site. Saves go through ``pupils.retention.services`` (and so the trail);
the due page is an explicit view (``views.due_view``) mounted by
``RetentionPeriodAdmin.get_urls``."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..admin_tools import SchoolScopedAdmin
from ..models import LegalHold, Pupil, RetentionPeriod, School
from . import services
from .rules import DEFAULTS_BY_KIND, Kind
from .views import due_view


class RetentionPeriodForm(forms.ModelForm):
    """Checks the service's own rule (``services.check_retention_period``):
    a refused period is an error on the form, never "changed successfully"."""

    class Meta:
        model = RetentionPeriod
        fields = ("school", "kind", "amount", "unit", "reason", "source")

    def clean(self):
        cleaned = super().clean() or {}
        kind = cleaned.get("kind", self.instance.kind if self.instance.pk else None)
        if kind is None or self.has_error("unit"):
            return cleaned  # the field's own error says it
        try:
            services.check_retention_period(
                kind=kind,
                amount=cleaned.get("amount"),
                unit=cleaned.get("unit") or "",
                reason=cleaned.get("reason") or "",
                source=cleaned.get("source") or "",
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    # "kind" is read-only when changing: the error goes on top.
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc)
        return cleaned


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(SchoolScopedAdmin):
    """A school's own periods; a kind without a row follows the default
    (both are shown on the "due for erasure" page)."""

    count_nouns = (_("period"), _("periods"))  # templates/admin/pagination.html

    form = RetentionPeriodForm
    list_display = ("kind", "amount", "unit", "school", "source", "changed_at")
    list_filter = ("kind",)
    list_select_related = ("school",)

    def get_readonly_fields(self, request, obj=None):
        return ("school", "kind") if obj is not None else ()

    def get_changeform_initial_data(self, request):
        # "Change" from the due page starts from the default's reason and source.
        initial = super().get_changeform_initial_data(request)
        kind = initial.get("kind")
        if isinstance(kind, str) and kind in set(Kind):
            default = DEFAULTS_BY_KIND[Kind(kind)]
            initial.setdefault("reason", default.reason)
            initial.setdefault("source", default.source)
        return initial

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The form checked the same rule (RetentionPeriodForm.clean).
        row = services.set_retention_period(
            actor=request.user,
            school=obj.school,
            kind=obj.kind,
            amount=obj.amount,
            unit=obj.unit,
            reason=obj.reason,
            source=obj.source,
        )
        obj.pk = row.pk

    def get_urls(self):
        view = self.admin_site.admin_view(partial(due_view, model_admin=self))
        mine = [path("due/", view, name="pupils_retentionperiod_due")]
        return mine + super().get_urls()


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ("pupil", "reason", "note")


@admin.register(LegalHold)
class LegalHoldAdmin(SchoolScopedAdmin):
    """Place a hold (add), release it (the action). A hold is never deleted:
    it is the record of why data was kept past its period."""

    school_path = "pupil__school"
    form = LegalHoldForm
    list_display = ("pupil", "reason", "placed_at", "placed_by", "released_at")
    list_filter = ("reason", ("released_at", admin.EmptyFieldListFilter))
    list_select_related = ("pupil", "placed_by")
    autocomplete_fields = ("pupil",)
    actions = ["release"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("pupil", "reason", "note", "placed_by", "placed_at", "released_by", "released_at")

    def has_change_permission(self, request, obj=None):
        # The change page is read-only; releasing is the action's.
        return super().has_change_permission(request, obj) and obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "pupil":
            kwargs["queryset"] = Pupil.objects.filter(
                school__in=School.objects.visible_to(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        hold = services.place_hold(
            actor=request.user, pupil=obj.pupil, reason=obj.reason, note=obj.note
        )
        obj.pk = hold.pk

    @admin.action(description=_("Release the selected holds"), permissions=["change"])
    def release(self, request, queryset):
        released = 0
        for hold in queryset.active():
            services.release_hold(actor=request.user, hold=hold)
            released += 1
        messages.success(
            request,
            ngettext("%(n)d hold released.", "%(n)d holds released.", released) % {"n": released},
        )
