"""Staff pages of CTF imports: the list of uploads, with the upload, the
preview/confirmation and the leaver's export as explicit views (``views``)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pupils.admin_tools import SchoolScopedAdmin
from sharing.staff import mount, require

from . import views
from .models import CtfImportBatch
from .report import ImportReport


@admin.register(CtfImportBatch)
class CtfImportBatchAdmin(SchoolScopedAdmin):
    """Upload a CTF, see what it would do, then confirm."""

    list_display = ("file_name", "uploaded_at", "uploaded_by", "status", "outcome")
    list_filter = ("status",)
    list_select_related = ("uploaded_by",)
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request):
        return request.user.has_perm(views.IMPORT_CTF)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("outcome"))
    def outcome(self, obj) -> str:
        report = obj.result or obj.preview
        if not report:
            return ""
        return ImportReport.from_dict(report).summary

    def get_urls(self):
        return [
            mount(self, "upload/", views.upload_view, "sharing_ctf_upload"),
            mount(self, "<path:object_id>/preview/", views.preview_view, "sharing_ctf_preview"),
            mount(self, "export/", views.export_view, "sharing_export_ctf"),
            *super().get_urls(),
        ]

    # The admin's own add and change pages lead to the workflow's views.
    def add_view(self, request, form_url="", extra_context=None):
        require(request, views.IMPORT_CTF)
        return HttpResponseRedirect(reverse("admin:sharing_ctf_upload"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._ensure_visible(request, object_id)
        require(request, views.IMPORT_CTF)
        return HttpResponseRedirect(reverse("admin:sharing_ctf_preview", args=[object_id]))
