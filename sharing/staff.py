"""What the staff pages of sharing have in common: mounting an explicit view
in the staff site (signed in, second factor, the admin's look), permission
checks, and page context with working breadcrumbs.

A workflow view is thin: one form, one service call (all or nothing, the
service writes the trail), one redirect with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def mount(model_admin: admin.ModelAdmin, route: str, view: Callable, name: str) -> URLPattern:
    """``view(request, *, model_admin, **kwargs)`` at ``route`` below the model's pages."""
    wrapped = model_admin.admin_site.admin_view(partial(view, model_admin=model_admin))
    return path(route, wrapped, name=name)


def require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


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
    Mix in before the admin base class."""

    def add_with_service(self, request: HttpRequest, data: dict):
        raise NotImplementedError

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
