"""Admin building blocks every app uses: school scoping and the audit trail.

Admin saves go through ``pupils.audit`` exactly as service functions do, so
no change made in the admin escapes the trail.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models, transaction
from django.http import Http404

from . import audit
from .models import School


class SchoolScopedAdmin(admin.ModelAdmin):
    """Staff see only their own school's records; others are 404, not 403."""

    #: Path from this model to its School, e.g. "school" or "pupil__school".
    school_path = "school"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        visible = School.objects.visible_to(request.user)
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
