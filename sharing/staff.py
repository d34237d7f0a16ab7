"""What the staff pages of sharing have in common: mounting an explicit view
in the staff site (signed in, second factor, the admin's look), permission
checks, and page context with working breadcrumbs.

A workflow view is thin: one form, one service call (all or nothing, the
service writes the trail), one redirect with a message.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Case, F, IntegerField, Value, When
from django.forms import Form, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pupils.admin_tools import ScopedAuditedAdmin
from pupils.models import Contact, School
from sharing.clocked_forms import ClockStepsForm
from sharing.dates import long_date
from sharing.deadlines import due_soon_limit


def mount(model_admin: admin.ModelAdmin, route: str, view: Callable, name: str) -> URLPattern:
    """``view(request, *, model_admin, **kwargs)`` at ``route`` below the model's pages."""
    wrapped = model_admin.admin_site.admin_view(partial(view, model_admin=model_admin))
    return path(route, wrapped, name=name)


def require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def get_for(request: HttpRequest, model_admin: Any, object_id: str, perm: str) -> Any:
    """The record for this user: 404 when another school's, 403 without ``perm``."""
    model_admin._ensure_visible(request, object_id)
    require(request, perm)
    return model_admin.get_queryset(request).get(pk=object_id)


def change_url(obj: models.Model) -> str:
    return reverse(f"admin:sharing_{obj._meta.model_name}_change", args=[obj.pk])


def back_to(obj: models.Model) -> HttpResponseRedirect:
    """Back to the record's own page in the staff site."""
    return HttpResponseRedirect(change_url(obj))


def render_page(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    template: str,
    title: str,
    **extra,
) -> TemplateResponse:
    """A staff page extending ``admin/base_site.html`` (``opts`` feeds its breadcrumbs)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.opts,
        **extra,
    }
    return TemplateResponse(request, template, context)


def add_errors(form: Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: by field where it names one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Requests on a clock (access, other rights) ---------------------------------------


def form_page(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    obj: Any,
    *,
    form: Form,
    save: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
    template: str,
    title: str,
    refused: str = "",
    context: Callable[[], dict[str, Any]] = dict,
) -> HttpResponse:
    """A workflow page about one record: a valid POST makes one service call
    (``save(cleaned_data)``), then goes back to the record with ``done(result)``;
    a refusal shows on the form, by field (and as ``refused``, with the
    reason, when given). ``context()`` adds to the page when it is shown."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
            if refused:
                messages.error(request, refused % {"why": " ".join(exc.messages)})
        else:
            messages.success(request, done(result))
            return back_to(obj)
    extra = context()
    return render_page(request, model_admin, template, title, original=obj, form=form, **extra)


def handle_steps_page(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    obj: Any,
    *,
    make_form: Callable[[Any], ClockStepsForm],
    handle: Callable[..., list[str]],
    template: str,
    context: Callable[[], dict[str, Any]] = dict,
) -> HttpResponse:
    """The DPO's "Handle this request" page of an open request: the form
    (``make_form(data)``) gives its steps to one handler (``handle(actor=,
    request=, steps=)``: all or nothing); a refusal shows on its field, with
    "Nothing was saved"; ``context()`` adds to the page."""
    if not obj.is_open:
        messages.info(request, gettext("This request is no longer open."))
        return back_to(obj)
    form = make_form(request.POST or None)
    return form_page(
        request,
        model_admin,
        obj,
        form=form,
        save=lambda _data: handle(actor=request.user, request=obj, steps=form.steps()),
        done=lambda steps: gettext("Request updated: %(steps)s.") % {"steps": "; ".join(steps)},
        refused=gettext("Nothing was saved: %(why)s"),
        template=template,
        title=gettext("Handle this request"),
        context=context,
    )


def due_label(due: datetime.date, today: datetime.date) -> str | SafeString:
    """The date, marked overdue or due within 5 working days."""
    label = long_date(due)
    if due < today:
        return format_html('<strong class="sar-overdue">{} ({})</strong>', label, _("overdue"))
    if due <= due_soon_limit(today):
        return format_html('<strong class="sar-due-soon">{} ({})</strong>', label, _("due soon"))
    return label


def open_first(open_statuses: Iterable[str]) -> tuple[Any, ...]:
    """A list's order: open requests first, soonest due first (paused ones,
    with no due date, after them), then the closed ones."""
    return (
        Case(
            When(status__in=list(open_statuses), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ).asc(),
        F("due_on").asc(nulls_last=True),
        "received_at",
        "id",
    )


class ReadOnlyInline(admin.TabularInline):
    """Records written by the services, shown on their parent's page."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or ()

    def has_add_permission(self, request, obj=None):
        return False


class PauseInline(ReadOnlyInline):
    """A clocked request's pauses (``sharing.clocked.ClockPauseBase``)."""

    fields = ("reason", "starts_on", "ends_on", "note")


class UrgencyFilter(admin.SimpleListFilter):
    """Requests on a legal clock (access, other rights): overdue, due within
    five working days, or open (``sharing.clocked.ClockedRequestQuerySet``)."""

    title = _("urgency")
    parameter_name = "urgency"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("soon", _("Due within 5 working days")),
            ("open", _("All open")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(today)
        if self.value() == "soon":
            return queryset.due_soon(today)
        if self.value() == "open":
            return queryset.open()
        return queryset


class AddedByServiceAdmin:
    """A record added through its service, corrected through the admin.

    Adding calls ``add_with_service(request, data)`` (the service saves the
    record whole, its pupils and its trail entries); changing an existing
    record goes through the admin's own save, audited by the base class.
    ``add_form`` (the short form that logs one: its fields are the add
    page's) and ``change_form`` with ``change_fieldsets`` (what the change
    page may correct, and how it is laid out) are optional. Mix in before
    the admin base class."""

    add_form: type[ModelForm] | None = None
    change_form: type[ModelForm] | None = None
    change_fieldsets: Any = None

    def add_with_service(self, request: HttpRequest, data: dict):
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = self.add_form if obj is None else self.change_form
        if form is not None:
            kwargs["form"] = form
        return super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]

    def get_readonly_fields(self, request, obj=None):
        """With ``change_fieldsets``: none on the add page; on the change
        page, every field shown that ``change_form`` does not edit."""
        if self.change_fieldsets is None:
            return super().get_readonly_fields(request, obj)  # type: ignore[misc]
        if obj is None:
            return ()
        editable = set(self.change_form._meta.fields or ()) if self.change_form else set()
        shown = (f for _title, opts in self.change_fieldsets for f in opts["fields"])
        return tuple(f for f in shown if f not in editable)

    def get_fieldsets(self, request, obj=None):
        if obj is None and self.add_form is not None:
            return [(None, {"fields": self.add_form._meta.fields})]
        if obj is not None and self.change_fieldsets is not None:
            return self.change_fieldsets
        return super().get_fieldsets(request, obj)  # type: ignore[misc]

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)  # type: ignore[misc]
        return self.add_with_service(request, form.cleaned_data)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)  # type: ignore[misc]


#: The change page's section on the clock's own fields (``sharing.clocked``).
IDENTITY_AND_EXTENSION = (
    _("Identity and extension"),
    {
        "fields": (
            "identity_check",
            "identity_checked_on",
            "identity_note",
            "extended_on",
            "extension_reason",
        )
    },
)


class ClockedRequestAdmin(AddedByServiceAdmin, ScopedAuditedAdmin):
    """The staff pages of a request on the clock (access, other rights):
    logged through its service, looked up and corrected here, handled in
    explicit views; never deleted (it is withdrawn instead). Its read-only
    fields and inlines show on an existing request only."""

    #: The permission to correct and handle a request of this kind.
    handle_permission: str
    search_fields = ("requester_name",)
    autocomplete_fields = ("pupils", "requester_contact")
    show_full_result_count = False

    @admin.display(description=_("due"), ordering="due_on")
    def due(self, obj):
        if not obj.is_open:
            return "-"
        if obj.due_on is None:
            return _("Clock paused")
        return due_label(obj.due_on, timezone.localdate())

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        schools = School.objects.visible_to(request.user)
        if db_field.name == "requester_contact":
            kwargs["queryset"] = Contact.objects.filter(school__in=schools)
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        if db_field.name == "handler":  # staff of this school only
            kwargs["queryset"] = db_field.related_model.objects.filter(
                is_active=True, staff_profile__school__in=schools
            )
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and request.user.has_perm(
            self.handle_permission
        )

    def has_delete_permission(self, request, obj=None):
        return False  # a logged request is part of the record: withdraw it instead

    def change_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        """What the change page shows besides the fields (``obj`` may be None)."""
        return {}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "can_handle": bool(
                obj and obj.is_open and request.user.has_perm(self.handle_permission)
            ),
            **self.change_context(request, obj),
        }
        return super().change_view(request, object_id, form_url, extra_context)
