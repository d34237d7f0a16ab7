"""The DPO's registers in the staff site: the record of processing (its
published versions are the model's list; the record as the data stands, its
CSV and PDF, publishing and the audit pack are explicit views), and the
DPO's own rows of the record. Staff guide: docs/registers.md."""

from __future__ import annotations

from functools import partial

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pupils.admin_tools import ScopedAuditedAdmin
from sharing.staff import mount

from . import views
from .models import ProcessingNote, ProcessingRecordVersion


@admin.register(ProcessingRecordVersion)
class ProcessingRecordVersionAdmin(ScopedAuditedAdmin):
    list_display = ("version", "school", "published_at", "published_by", "downloads")
    list_select_related = ("school", "published_by")
    fields = ("school", "version", "published_at", "published_by", "downloads")
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # a version is published from the record's page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # every version is kept

    @admin.display(description=_("download"))
    def downloads(self, obj):
        csv = reverse("admin:sharing_processingrecordversion_version_csv", args=[obj.pk])
        pdf = reverse("admin:sharing_processingrecordversion_version_pdf", args=[obj.pk])
        return format_html('<a href="{}">CSV</a> · <a href="{}">PDF</a>', csv, pdf)

    def get_urls(self):
        name = "sharing_processingrecordversion_"
        return [
            mount(self, "record/", views.record_view, name + "record"),
            mount(self, "record/csv/", views.record_csv_view, name + "record_csv"),
            mount(self, "record/pdf/", views.record_pdf_view, name + "record_pdf"),
            mount(self, "record/publish/", views.publish_view, name + "publish"),
            mount(self, "audit-pack/", views.audit_pack_view, name + "audit_pack"),
            *(
                mount(
                    self,
                    f"export/{which}.csv",
                    partial(views.export_view, which=which),
                    f"sharing_export_{which}",
                )
                for which in views.EXPORTS
            ),
            mount(self, "<path:object_id>/csv/", views.version_csv_view, name + "version_csv"),
            mount(self, "<path:object_id>/pdf/", views.version_pdf_view, name + "version_pdf"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"record_url": reverse("admin:sharing_processingrecordversion_record")}
        return super().changelist_view(request, {**(extra_context or {}), **extra})


@admin.register(ProcessingNote)
class ProcessingNoteAdmin(ScopedAuditedAdmin):
    list_display = ("section", "item", "school", "added_at")
    list_filter = ("section",)
    list_select_related = ("school",)
    fields = ("school", "section", "item", "detail")
    search_fields = ("item", "detail")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
