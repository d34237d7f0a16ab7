import datetime
from functools import partial

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import audit, pupil_page
from .admin_export import csvexport_view
from .admin_tools import (
    CHANGE_SPECIAL,
    VIEW_SPECIAL,
    LabelledInlineFormSet,
    SchoolScopedAdmin,
    ScopedAuditedAdmin,
    StaffInline,
    visible_trail,
)
from .admin_yeargroups import move_up_view
from .form_renderer import page_renderer
from .language import preferred_language_field
from .models import (
    AssessmentResult,
    AttendanceSummary,
    AuditEvent,
    ClosureDay,
    Contact,
    Destination,
    EnrolmentStatus,
    Exclusion,
    MedicalCondition,
    Pupil,
    PupilContact,
    School,
    SenNeed,
    SpecialCategoryRecord,
    StaffProfile,
    Term,
    sees_every_school,
)
from .pupil_page import PUPIL_PANELS  # noqa: F401  (the hook upper apps add panels to)
from .retention import admin as retention_admin  # noqa: F401  (schedule, holds, due page)
from .staff import admin as staff_admin  # noqa: F401  (registers the user admin)

SOURCE_FIELDS = ("source", "source_detail", "received_on")


class TermInline(StaffInline, admin.TabularInline):
    model = Term
    extra = 0


class ClosureDayInline(StaffInline, admin.TabularInline):
    model = ClosureDay
    extra = 0


@admin.register(School)
class SchoolAdmin(ScopedAuditedAdmin):
    school_path = "pk"
    list_display = ("name", "urn", "dfe_number", "school_type", "dpo_name")
    search_fields = ("name", "urn")
    inlines = [TermInline, ClosureDayInline]

    # Staff keep their own school's details up to date; creating or removing
    # a school (a whole tenant) is for the superuser only.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(StaffProfile)
class StaffProfileAdmin(ScopedAuditedAdmin):
    list_display = ("user", "school", "trust_wide")
    list_select_related = ("user", "school")
    autocomplete_fields = ("user",)

    # A profile decides which schools a user sees (``trust_wide`` sees them
    # all), so only the superuser, who manages staff accounts, may write one:
    # a school's DPO could otherwise widen their own access to every school.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class RecordFormSet(LabelledInlineFormSet):
    """A pupil's records, cut from the rows the page already fetched with the
    pupil (``PupilAdmin.get_object``) rather than one query per table per
    form. ``row_filter`` keeps the rows this page edits (today's, or the
    past ones when correcting); ``locked_past`` refuses new or changed rows
    that would be history, so past terms change only through "Correct past
    records"."""

    row_filter = None  # (row) -> bool, set by the inline per request
    locked_past = None  # (row) -> bool: rows that may not be written here

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.renderer = page_renderer  # the management form and the formset's errors

    @cached_property
    def empty_form(self):
        # The blank row "Add another" copies. Django builds a new one on every
        # read, and the admin reads it four times per section (the row, the
        # media twice, the inline's data); it is never bound or changed.
        return super().empty_form

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            rows = self._fetched_rows()
            if rows is None:
                return super().get_queryset()
            keep = type(self).row_filter
            self._queryset = [r for r in rows if keep is None or keep(r)]
        return self._queryset

    def _fetched_rows(self) -> list | None:
        pupil = self.instance
        if pupil is None or pupil.pk is None:
            return None
        name = self.fk.remote_field.get_accessor_name()
        prefetched = getattr(pupil, "_prefetched_objects_cache", {})
        if name in prefetched:
            return list(prefetched[name])
        if self.fk.one_to_one and name in pupil._state.fields_cache:
            row = pupil._state.fields_cache[name]
            return [] if row is None else [row]
        return None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        contact = form.fields.get("contact")
        instance = form.instance
        if contact is not None and instance.pk and "contact" in instance._state.fields_cache:
            widget = getattr(contact.widget, "widget", contact.widget)
            if isinstance(widget, KnownChoiceAutocomplete):
                widget.known = {str(instance.contact_id): str(instance.contact)}

    def clean(self):
        super().clean()
        locked = type(self).locked_past
        if locked is None:
            return
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            if form.is_valid() and locked(form.instance):
                form.add_error(
                    None,
                    ValidationError(
                        _(
                            "This is a past record. To change it, choose "
                            "\u201cCorrect past records\u201d at the top of the page."
                        ),
                        code="past_record",
                    ),
                )


class KnownChoiceAutocomplete(AutocompleteSelect):
    """The admin's autocomplete, naming the chosen contact from the row the
    page already has instead of one query per row."""

    known: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        chosen = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if not self.known or not chosen <= self.known.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for pk in sorted(chosen):
            options.append(self.create_option(name, pk, self.known[pk], True, len(options)))
        return [(None, options, 0)]


class RecordForm(forms.ModelForm):
    """A row of the pupil's page, its inputs drawn without a template each
    (pupils/form_renderer.py)."""

    default_renderer = page_renderer


class PupilRecordInline(StaffInline):
    form = RecordForm
    formset = RecordFormSet


class PupilContactInline(PupilRecordInline, admin.TabularInline):
    model = PupilContact
    extra = 0
    autocomplete_fields = ("contact",)
    fields = ("contact", "relationship", "parental_responsibility", "priority")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "contact":
            kwargs["widget"] = KnownChoiceAutocomplete(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class HistoryInline(PupilRecordInline):
    """A record with history: today's rows here; past ones read-only in the
    summary, editable only when correcting (``?correct=past``)."""

    @staticmethod
    def is_past(row, today: datetime.date) -> bool:
        raise NotImplementedError

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        today = timezone.localdate()
        is_past = type(self).is_past
        if pupil_page.correcting_past(request):
            rules: dict[str, object] = {"row_filter": None, "locked_past": None}
        else:
            rules = {
                "row_filter": staticmethod(lambda row: not is_past(row, today)),
                "locked_past": staticmethod(lambda row: is_past(row, today)),
            }
        return type(formset.__name__, (formset,), rules)


class AttendanceInline(HistoryInline, admin.TabularInline):
    model = AttendanceSummary
    extra = 0
    is_past = staticmethod(pupil_page.attendance_is_past)
    fields = (
        "academic_year",
        "term",
        "possible_sessions",
        "attended_sessions",
        "authorised_absences",
        "unauthorised_absences",
        *SOURCE_FIELDS,
    )


class AssessmentInline(HistoryInline, admin.TabularInline):
    model = AssessmentResult
    extra = 0
    is_past = staticmethod(pupil_page.assessment_is_past)
    fields = ("academic_year", "stage", "subject", "method", "result", *SOURCE_FIELDS)


class ExclusionInline(HistoryInline, admin.TabularInline):
    model = Exclusion
    extra = 0
    is_past = staticmethod(pupil_page.exclusion_is_past)
    fields = ("category", "reason", "start_date", "sessions", *SOURCE_FIELDS)


class DestinationInline(PupilRecordInline, admin.StackedInline):
    model = Destination
    extra = 0
    max_num = 1
    # Named, so the admin need not build a form to learn them (the model's order).
    fields = (*SOURCE_FIELDS, "school_name", "urn", "la_code", "estab_number", "starts_on")


class SpecialCategoryInline:
    """Shown only to users allowed to see special category data (Art 9)."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW_SPECIAL)

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(CHANGE_SPECIAL)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(CHANGE_SPECIAL)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(CHANGE_SPECIAL)


class EthnicitySenInline(SpecialCategoryInline, PupilRecordInline, admin.StackedInline):
    model = SpecialCategoryRecord
    extra = 0
    max_num = 1
    can_delete = False
    fields = (("ethnicity", "sen_provision"), SOURCE_FIELDS)


class SenNeedInline(SpecialCategoryInline, PupilRecordInline, admin.TabularInline):
    model = SenNeed
    extra = 0
    fields = ("need_type", "rank", "notes", *SOURCE_FIELDS)


class MedicalConditionInline(SpecialCategoryInline, PupilRecordInline, admin.TabularInline):
    model = MedicalCondition
    extra = 0
    fields = ("condition", "medication", "has_care_plan", "notes", *SOURCE_FIELDS)


class SenProvisionFilter(admin.SimpleListFilter):
    title = _("SEN provision")
    special_category = True  # offered only to those allowed (SpecialCategoryGuard)
    parameter_name = "sen"

    def lookups(self, request, model_admin):
        from .models import SenProvision

        return SenProvision.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(special__sen_provision=self.value())
        return queryset


class CappedCountPaginator(Paginator):
    """Counts the list's rows only as far as ``cap`` (a ``LIMIT``ed count,
    which the ordering index answers by reading at most ``cap + 1`` entries)
    instead of ``COUNT(*)`` over every pupil of the school on each page.
    When there are more, ``capped`` is true and the page says "more than"
    the cap; one extra page is always offered, so every row stays reachable
    by paging on (the cap grows with the page asked for)."""

    def __init__(self, object_list, per_page, *, cap: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()  # type: ignore[attr-defined]

    @property
    def capped(self) -> bool:
        return self.count > self.cap


#: How many pages beyond the one asked for the pupil list counts exactly.
COUNTED_PAGES_AHEAD = 20


class PupilAdminForm(forms.ModelForm):
    default_renderer = page_renderer

    class Meta:
        model = Pupil
        fields = ("enrolment_status",)  # the admin passes the full list from fieldsets


@admin.register(Pupil)
class PupilAdmin(ScopedAuditedAdmin):
    form = PupilAdminForm
    change_form_template = "admin/pupils/pupil/pupil_page.html"
    # The columns a person decides on; the rest is on the pupil's page.
    list_display = ("name", "upn_display", "date_of_birth", "nc_year", "status_tag")
    list_display_links = ("name",)
    # Names match from their start ("Smi" finds Smith), the UPN exactly:
    # both answered by an index (migration 0013), where "contains" read
    # every pupil of the school twice (the count, then the page).
    search_fields = (
        "=upn",
        "^legal_surname",
        "^legal_forename",
        "^preferred_surname",
        "^preferred_forename",
    )
    search_help_text = _("A name or the start of one (surname or forename), or a whole UPN.")
    ordering = ("legal_surname", "legal_forename", "id")
    list_per_page = 50
    show_full_result_count = False
    paginator = CappedCountPaginator
    date_hierarchy = None
    fieldsets = (
        (
            _("Identity"),
            {
                "fields": (
                    ("upn", "former_upn"),
                    ("legal_forename", "middle_names", "legal_surname"),
                    ("preferred_forename", "preferred_surname"),
                    ("date_of_birth", "sex"),
                    "first_language",
                )
            },
        ),
        (
            _("Enrolment"),
            {
                "fields": (
                    "school",
                    ("enrolment_status", "nc_year"),
                    ("admission_date", "leaving_date"),
                )
            },
        ),
        (_("Home address"), {"fields": ("address_line1", "address_line2", "town", "postcode")}),
        (_("Where this record came from"), {"fields": (SOURCE_FIELDS,)}),
    )
    base_inlines: list[type[admin.options.InlineModelAdmin]] = [
        PupilContactInline,
        AssessmentInline,
        AttendanceInline,
        ExclusionInline,
        DestinationInline,
    ]
    special_inlines = [EthnicitySenInline, SenNeedInline, MedicalConditionInline]

    list_filter = ("enrolment_status", "nc_year", "sex", SenProvisionFilter)

    @admin.display(description=_("name"), ordering="legal_surname")
    def name(self, obj):
        legal = f"{obj.legal_surname}, {obj.legal_forename}"
        if obj.preferred_forename and obj.preferred_forename != obj.legal_forename:
            return format_html(
                '{}<span class="pupil-name-preferred">{} {}</span>',
                legal,
                _("known as"),
                obj.preferred_forename,
            )
        return legal

    @admin.display(description=_("UPN"), ordering="upn")
    def upn_display(self, obj):
        return format_html('<span class="upn">{}</span>', obj.upn)

    @admin.display(description=_("status"), ordering="enrolment_status")
    def status_tag(self, obj):
        kind = {EnrolmentStatus.ON_ROLL: "ok", EnrolmentStatus.APPLICANT: "to-do"}
        return format_html(
            '<span class="tag tag--{}">{}</span>',
            kind.get(obj.enrolment_status, "none"),
            obj.get_enrolment_status_display(),
        )

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        try:
            page = max(int(request.GET.get("p", 1)), 1)
        except ValueError:
            page = 1
        return self.paginator(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            cap=(page + COUNTED_PAGES_AHEAD) * per_page,
        )

    def has_delete_permission(self, request, obj=None):
        # A pupil's record is erased by the retention service (erase_pupil:
        # holds checked, every app's erasure step, one trail entry per kind),
        # from the DPO's "Due for erasure" page or ``manage.py retention``;
        # a plain delete would skip all three (docs/retention.md).
        return False

    def get_inlines(self, request, obj):
        if request.user.has_perm(VIEW_SPECIAL):
            return self.base_inlines + self.special_inlines
        return self.base_inlines

    def get_readonly_fields(self, request, obj=None):
        # A pupil stays with their school: moving one is a transfer (CTF).
        found = tuple(super().get_readonly_fields(request, obj))
        return (*found, "school") if obj is not None else found

    def get_object(self, request, object_id, from_field=None):
        """The pupil with every record the page shows, in one query, fetched
        once per request (the visibility check reuses it)."""
        cached = getattr(request, "_pupil_page_object", None)
        if cached is not None and str(cached.pk) == str(object_id) and from_field is None:
            return cached
        queryset = pupil_page.with_records(self.get_queryset(request), request.user)
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        assert isinstance(field, models.Field)
        try:
            pupil = queryset.get(**{field.name: field.to_python(object_id)})
        except (Pupil.DoesNotExist, ValidationError, ValueError, TypeError):
            return None
        pupil_page.attach_records(pupil, request.user)
        if from_field is None:
            request._pupil_page_object = pupil
        return pupil

    def _ensure_visible(self, request, object_id) -> None:
        if self.get_object(request, object_id) is None:
            raise Http404

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # An upper app's "admin/pupils/pupil/change_form.html" (sharing adds
        # a Disclosures link) stays in the chain: the pupil page extends it.
        context["pupil_page_base"] = select_template(
            ["admin/pupils/pupil/change_form.html", "admin/change_form.html"]
        )
        if obj is not None and obj.pk:
            if request.user.has_perm(VIEW_SPECIAL):
                audit.record_special_category_view(
                    actor=request.user, pupil=obj, what="ethnicity, SEN and medical (pupil page)"
                )
            today = timezone.localdate()
            context.update(
                title=obj.full_name,
                subtitle=None,
                summary=pupil_page.summary(request, obj, today),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        """The pupil's own trail: every change, view and disclosure, newest first."""
        pupil = self.get_object(request, object_id)  # scoped: another school's is None
        if pupil is None:
            raise Http404
        events = visible_trail(request.user, AuditEvent.objects.filter(pupil=pupil), limit=500)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Trail for %(pupil)s") % {"pupil": pupil},
            "opts": self.opts,
            "object": pupil,
            "events": events,
        }
        return TemplateResponse(request, "admin/pupils/pupil/trail.html", context)

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_csv_view)
        move_up = self.admin_site.admin_view(partial(move_up_view, model_admin=self))
        return [
            path("export.csv", export, name="pupils_pupil_export"),
            path("move-up/", move_up, name="pupils_pupil_move_up"),
            *super().get_urls(),
        ]

    def export_csv_view(self, request):
        """The list as filtered and searched now, as a formula-safe CSV."""
        return csvexport_view(self, request)


@admin.register(Contact)
class ContactAdmin(ScopedAuditedAdmin):
    list_display = ("surname", "forename", "email", "phone_mobile")
    search_fields = ("surname", "forename", "email")
    ordering = ("surname", "forename")
    fieldsets = (
        (None, {"fields": ("school", ("title", "forename", "surname"))}),
        (
            _("How to reach them"),
            {
                "fields": (
                    "email",
                    "phone_mobile",
                    "phone_home",
                    "phone_work",
                    "preferred_language",
                )
            },
        ),
        (_("Address"), {"fields": ("address_line1", "address_line2", "town", "postcode")}),
        (_("Where this record came from"), {"fields": (SOURCE_FIELDS,)}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "preferred_language":
            # The languages offered now (a choice list in the model would
            # need a migration for every new translation file).
            return preferred_language_field(
                label=capfirst(db_field.verbose_name), help_text=db_field.help_text
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(AuditEvent)
class AuditEventAdmin(SchoolScopedAdmin):
    """Read-only: the trail can be read here and changed nowhere."""

    count_nouns = (_("entry"), _("entries"))  # templates/admin/pagination.html

    list_display = ("at", "actor_label", "action", "pupil", "summary")
    list_filter = ("action",)
    search_fields = ("=pupil__upn", "actor_label")
    list_select_related = ("pupil",)
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_queryset(self, request):
        # Not SchoolScopedAdmin's: entries with no school (a failed sign-in by
        # an unknown name) are shown to those who see every school.
        qs = super(SchoolScopedAdmin, self).get_queryset(request)
        if sees_every_school(request.user):
            return qs
        visible = School.objects.visible_to(request.user).values("pk")
        return qs.filter(school_id__in=visible)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from . import admin_outbox  # noqa: F401, E402  (outbox and background jobs)
