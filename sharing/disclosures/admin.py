"""Staff pages of the disclosure log (read and add, never change) and of
census days. Adding goes through ``services.log_disclosure``; the census
return and a pupil's history are explicit views (``views``).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from pupils.admin_export import csv_download, filtered_list, narrowed_by
from pupils.admin_tools import SchoolScopedAdmin, ScopedAuditedAdmin
from sharing.forms import file_bytes
from sharing.staff import AddedByServiceAdmin, mount

from . import views
from .export import export_disclosure_log
from .forms import DisclosureForm
from .models import CensusDate, Disclosure
from .services import log_disclosure

WHO_AND_WHY = ("recipient_type", "recipient_name", "gateway", "basis_detail")
CENSUS = ("census_term", "census_date")
EXPORT_CTF = "sharing.export_ctf"
#: Downloading the log (recipients' names, what went where): the DPO's, as
#: the audit pack's summary is.
EXPORT_LOG = "sharing.download_audit_pack"


@admin.register(Disclosure)
class DisclosureAdmin(AddedByServiceAdmin, SchoolScopedAdmin):
    """The log can be read and added to, never changed: corrections are new entries."""

    #: The list is "the disclosure log": count its entries (templates/admin/pagination.html).
    count_nouns = (_("entry"), _("entries"))

    form = DisclosureForm
    list_display = (
        "disclosed_at",
        "dataset",
        "recipient_name",
        "recipient_type",
        "pupil_count",
        "sent_by",
        "corrects",
    )
    list_filter = ("dataset", "recipient_type", "gateway")
    list_select_related = ("sent_by", "corrects")
    search_fields = ("recipient_name", "=pupils__upn")
    date_hierarchy = "disclosed_at"
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("school",)}),
        (_("To whom and why"), {"fields": WHO_AND_WHY}),
        (
            _("What"),
            {"fields": ("dataset", ("census_term", "census_date"), "pupils", "categories")},
        ),
        (_("How and when"), {"fields": ("disclosed_at", "method", "sent_file")}),
        (
            _("Requests from outside (ad-hoc disclosures)"),
            {"fields": ("requested_by", "request_reason", "approved_by")},
        ),
        (_("Notes and corrections"), {"fields": ("notes", "corrects")}),
    )  # fmt: skip
    readonly_fieldsets = (
        (None, {"fields": ("school", "recorded_at", "sent_by")}),
        (_("To whom and why"), {"fields": WHO_AND_WHY}),
        (_("What"), {"fields": ("dataset", CENSUS, "category_list", "pupil_list")}),
        (_("How and when"), {"fields": ("disclosed_at", "method", "file_name", "file_sha256")}),
        (
            _("Requests from outside (ad-hoc disclosures)"),
            {"fields": ("requested_by", "request_reason", "approved_by")},
        ),
        (_("Notes and corrections"), {"fields": ("notes", "corrects", "correction")}),
    )  # fmt: skip
    autocomplete_fields = ("pupils",)

    # --- Read-only after it is written ---------------------------------------

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        return self.readonly_fieldsets if obj is not None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return [f for _name, opts in self.readonly_fieldsets for f in _flatten(opts["fields"])]

    def get_queryset(self, request):
        # Pupils erased since (retention) are still counted, no longer named.
        qs = super().get_queryset(request)
        return qs.annotate(pupil_count=Count("pupils") + F("erased_pupils"))

    @admin.display(description=_("pupils"), ordering="pupil_count")
    def pupil_count(self, obj) -> int:
        return obj.pupil_count

    @admin.display(description=_("categories of data"))
    def category_list(self, obj) -> str:
        return obj.get_categories_display()

    @admin.display(description=_("pupils"))
    def pupil_list(self, obj) -> str:
        return "; ".join(str(p) for p in obj.pupils.all())

    @admin.display(description=_("corrected by"))
    def correction(self, obj):
        return getattr(obj, "correction", None) or "-"

    # --- Adding goes through the service ---------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        user = request.user

        # A subclass of the form class the admin built at run time: not a static type.
        class ScopedDisclosureForm(form_class):  # type: ignore[valid-type, misc]
            def __init__(self, *args, **kw):
                super().__init__(*args, user=user, **kw)

        return ScopedDisclosureForm

    def add_with_service(self, request, data):
        """The new entry, with its pupils and trail entries, is what the admin shows next."""
        content, file_name = file_bytes(data.get("sent_file"))
        text = {name: data.get(name) or "" for name in _TEXT_FIELDS}
        return log_disclosure(
            actor=request.user,
            school=data["school"],
            pupils=data["pupils"],
            categories=data["categories"],
            census_date=data.get("census_date"),
            disclosed_at=data.get("disclosed_at"),
            corrects=data.get("corrects"),
            file_bytes=content,
            file_name=file_name,
            **text,
        )

    # --- Extra pages -------------------------------------------------------------

    def get_urls(self):
        return [
            mount(self, "census/", views.census_return_view, "sharing_census"),
            mount(
                self, "pupil/<int:pupil_id>/", views.pupil_history_view, "sharing_disclosure_pupil"
            ),
            mount(self, "export.csv", _export_log_view, "sharing_disclosure_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_record_census": request.user.has_perm(views.ADD_LOG),
            "can_export_ctf": request.user.has_perm(EXPORT_CTF),
            # The summary the audit pack holds (sharing.registers): the DPO's.
            "can_export_log": request.user.has_perm(EXPORT_LOG),
        }
        return super().changelist_view(request, extra_context)


def _export_log_view(request, *, model_admin):
    """The log as the list shows it (filters, search, dates), every page, as CSV."""
    if not request.user.has_perm(EXPORT_LOG):
        raise PermissionDenied
    cl = filtered_list(model_admin, request)
    if isinstance(cl, HttpResponse):
        return cl
    profile = getattr(request.user, "staff_profile", None)
    text = export_disclosure_log(
        actor=request.user,
        disclosures=cl.queryset,
        school_id=profile.school_id if profile else None,
        narrowed_by=narrowed_by(cl, request),
    )
    return csv_download(text, "disclosure-log")


_TEXT_FIELDS = (
    "recipient_type", "recipient_name", "gateway", "basis_detail", "dataset", "census_term",
    "method", "requested_by", "request_reason", "approved_by", "notes",
)  # fmt: skip


def _flatten(fields):
    for field in fields:
        if isinstance(field, (tuple, list)):
            yield from field
        else:
            yield field


@admin.register(CensusDate)
class CensusDateAdmin(ScopedAuditedAdmin):
    list_display = ("academic_year", "term", "date", "school")
    list_filter = ("term",)
    list_select_related = ("school",)
