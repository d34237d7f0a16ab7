"""Admin building blocks every app uses: school scoping, the special
category guard and the audit trail.

Admin saves go through ``pupils.audit`` exactly as service functions do, so
no change made in the admin escapes the trail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models.constants import LOOKUP_SEP
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from . import audit
from .admin_history import TrailHistoryAdmin
from .models import (
    AuditAction,
    AuditEvent,
    MedicalCondition,
    School,
    SenNeed,
    SpecialCategoryRecord,
    sees_every_school,
)

VIEW_SPECIAL = "pupils.view_special_category"
CHANGE_SPECIAL = "pupils.change_special_category"

#: The models that hold special category data (UK GDPR Art 9; docs/law.md,
#: "Special category data"). A lookup that reaches one of them reveals which
#: pupils have an entry there, whatever the value compared.
SPECIAL_MODELS: tuple[type[models.Model], ...] = (
    SpecialCategoryRecord,
    SenNeed,
    MedicalCondition,
)
#: Their trail entries' record types (``AuditEvent.object_type``).
SPECIAL_OBJECT_TYPES = frozenset(m._meta.label_lower for m in SPECIAL_MODELS)
#: Names a trail entry about another record may list among its fields that
#: still tell special category data: relation names, CTF sections, disclosure
#: categories.
SPECIAL_FIELD_NAMES = frozenset(
    {
        "special",
        "sen_needs",
        "medical_conditions",
        "ethnicity",
        "sen_provision",
        "sen",
        "medical",
    }
)


def may_see_special(user) -> bool:
    return bool(user.has_perm(VIEW_SPECIAL))


def touches_special(model: type[models.Model], lookup: str) -> bool:
    """Whether a lookup, search field or ordering (``pupil__sen_needs__isnull``,
    ``-special__ethnicity``, ``=medical_conditions__condition``) passes
    through a model holding special category data."""
    path = lookup.lstrip("-=^@")
    if model in SPECIAL_MODELS:
        return True
    for part in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # the rest are lookups or transforms ("isnull", "year")
        related = field.related_model
        if not field.is_relation or related is None or isinstance(related, str):
            return False
        if related in SPECIAL_MODELS:
            return True
        model = related
    return False


def is_special_filter(model: type[models.Model], item: Any) -> bool:
    """A ``list_filter`` item that filters by special category data: a field
    path through a special model, or a filter class marked
    ``special_category = True``."""
    if isinstance(item, (list, tuple)):
        item = item[0]
    if isinstance(item, str):
        return touches_special(model, item)
    return bool(getattr(item, "special_category", False))


def visible_trail(user, events: models.QuerySet[AuditEvent], *, limit: int) -> list[AuditEvent]:
    """The trail entries this user may read. Without the special category
    permission, entries about special category records (and views of them)
    are left out, and special names are taken out of other entries' fields:
    "Created: medical condition" alone tells who has one."""
    if may_see_special(user):
        return list(events[:limit])
    kept = events.exclude(object_type__in=SPECIAL_OBJECT_TYPES).exclude(
        action=AuditAction.VIEW_SPECIAL
    )
    shown = list(kept[:limit])
    for event in shown:
        event.fields = [f for f in event.fields or () if f not in SPECIAL_FIELD_NAMES]
    return shown


class SpecialCategoryGuard(admin.ModelAdmin):
    """Users without the special category permission cannot filter, search,
    sort or look up by special category data, through any parameter of any
    list (``?medical_conditions__isnull=False`` is refused with a 400, as
    Django refuses a lookup it does not allow). Users with it may, and each
    such list is written to the trail as a view of special category data."""

    def lookup_allowed(self, lookup, value, request):
        if touches_special(self.model, lookup) and not may_see_special(request.user):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if may_see_special(request.user):
            return filters
        return [f for f in filters if not is_special_filter(self.model, f)]

    def get_search_fields(self, request):
        return self._without_special(request, super().get_search_fields(request))

    def get_ordering(self, request):
        return self._without_special(request, super().get_ordering(request) or ())

    def get_sortable_by(self, request):
        return self._without_special(request, super().get_sortable_by(request))

    def _without_special(self, request, names: Iterable[Any]) -> Sequence[Any]:
        if may_see_special(request.user):
            return tuple(names)
        return tuple(
            n for n in names if not (isinstance(n, str) and touches_special(self.model, n))
        )

    def changelist_view(self, request, extra_context=None):
        by = self._special_criteria(request) if may_see_special(request.user) else []
        if by:
            profile = getattr(request.user, "staff_profile", None)
            # On the viewer's school's trail, where its DPO can read it; it
            # names what the list was narrowed by, never the values asked for.
            audit.record(
                actor=request.user,
                action=AuditAction.VIEW_SPECIAL,
                school_id=profile.school_id if profile else None,
                summary=f"Listed {self.opts.verbose_name_plural} by {', '.join(by)}",
            )
        return super().changelist_view(request, extra_context)

    def _special_criteria(self, request) -> list[str]:
        """What this list is narrowed or sorted by that is special category
        data, in words ("SEN provision", "medical condition")."""
        titles = {
            f.parameter_name: str(f.title)
            for f in self.get_list_filter(request)
            if isinstance(f, type)
            and issubclass(f, admin.SimpleListFilter)
            and getattr(f, "special_category", False)
        }
        found = []
        for name in request.GET:
            if not request.GET.get(name):
                continue
            if name in titles:
                found.append(titles[name])
            elif touches_special(self.model, name):
                found.append(str(_special_model_on(self.model, name)._meta.verbose_name))
        return sorted(set(found))


def _special_model_on(model: type[models.Model], lookup: str) -> type[models.Model]:
    """The first special category model a lookup reaches (see touches_special)."""
    for part in lookup.lstrip("-=^@").split(LOOKUP_SEP):
        if model in SPECIAL_MODELS:
            break
        model = model._meta.get_field(part).related_model  # type: ignore[assignment]
    return model


#: The browser's own date picker for every date in the staff site.
DATE_INPUT = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
DATE_FORMFIELDS: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {
    models.DateField: DATE_INPUT
}


class PlainListAdmin(admin.ModelAdmin):
    """Lists titled in plain words ("Pupils", not "Select pupil to change")
    and dates entered with the browser's date picker."""

    formfield_overrides = DATE_FORMFIELDS

    def changelist_view(self, request, extra_context=None):
        title = str(self.opts.verbose_name_plural)
        extra = {"title": title[:1].upper() + title[1:], **(extra_context or {})}
        return super().changelist_view(request, extra)


class LabelledInlineFormSet(BaseInlineFormSet):
    """A table row's delete box named for screen readers (Django's tabular
    inline shows it under a column heading, with no label of its own)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Delete this row")


class StaffInline(admin.options.InlineModelAdmin):
    """Inlines with the browser's date picker and every input named for
    screen readers (a tabular inline's cells have no labels, only column
    headings). Put it before TabularInline/StackedInline."""

    formfield_overrides = DATE_FORMFIELDS
    formset = LabelledInlineFormSet

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            name = str(db_field.verbose_name)
            formfield.widget.attrs.setdefault("aria-label", name[:1].upper() + name[1:])
        return formfield


class SchoolScopedAdmin(TrailHistoryAdmin, SpecialCategoryGuard, PlainListAdmin):
    """Staff see only their own school's records; others are 404, not 403.
    Special category data stays behind its permission in every lookup."""

    #: Path from this model to its School, e.g. "school" or "pupil__school".
    school_path = "school"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        user = request.user
        school_id = getattr(getattr(user, "staff_profile", None), "school_id", None)
        if school_id is not None and not sees_every_school(user):
            # One school: a plain ``school_id = n`` lets the database use
            # the indexes that lead with the school (the pupil list's order).
            field = "pk" if self.school_path == "pk" else f"{self.school_path}_id"
            return qs.filter(**{field: school_id})
        visible = School.objects.visible_to(user)
        return qs.filter(**{f"{self.school_path}__in": visible})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._ensure_visible(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._ensure_visible(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._ensure_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def trail_for(self, request, events):
        return visible_trail(request.user, events, limit=500)

    def _ensure_visible(self, request, object_id) -> None:
        try:
            visible = self.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, TypeError, models.ObjectDoesNotExist):
            visible = False
        if not visible:
            raise Http404

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Never offer another school (or its pupils) in a drop-down.
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @staticmethod
    def _scope_choices(db_field, request, kwargs) -> None:
        if "queryset" in kwargs:
            return
        manager = db_field.related_model.objects
        if hasattr(manager, "visible_to"):
            kwargs["queryset"] = manager.visible_to(request.user)


class AuditedAdmin(admin.ModelAdmin):
    """Every add, change and delete made in the admin is written to the trail."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record_change(
                actor=request.user, obj=obj, created=not change, fields=form.changed_data
            )

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            instances = formset.save(commit=False)
            # Deletions are written to the trail while the rows still exist.
            audit.record_many(
                audit.deletion_entry(actor=request.user, obj=obj) for obj in formset.deleted_objects
            )
            for obj in formset.deleted_objects:
                obj.delete()
            changed = {f.instance.pk: f.changed_data for f in formset.forms if f.instance.pk}
            entries = []
            for obj in instances:
                created = obj.pk is None
                obj.save()
                fields = [] if created else changed.get(obj.pk, [])
                entries.append(
                    audit.change_entry(actor=request.user, obj=obj, created=created, fields=fields)
                )
            audit.record_many(e for e in entries if e is not None)
            formset.save_m2m()

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record_deletion(actor=request.user, obj=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            audit.record_many(audit.deletion_entry(actor=request.user, obj=obj) for obj in queryset)
            super().delete_queryset(request, queryset)


class ScopedAuditedAdmin(SchoolScopedAdmin, AuditedAdmin):
    pass
