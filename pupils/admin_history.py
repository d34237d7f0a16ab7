"""Each record's History page reads the trail; Django's admin log is not written.

Django's admin writes a ``LogEntry`` for every add, change and delete: the
record's name (``object_repr``: a pupil's name and UPN) and, for rows added
on a pupil's page, their values ('Added medical condition "Asthma"'). That
copy would outlive retention and erasure, and its History page would show
special category data to staff without the permission. The trail
(``pupils.audit``) already records every change, naming fields, never
values, so the log is not written and the History page shows the trail,
filtered for the reader (``visible_trail``).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .models import AuditEvent


class TrailHistoryAdmin(admin.ModelAdmin):
    def trail_for(self, request, events: QuerySet[AuditEvent]) -> list[AuditEvent]:
        """The entries this user may read (``admin_tools.visible_trail``)."""
        raise NotImplementedError

    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return None

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Trail for %(record)s") % {"record": obj},
            "subtitle": None,
            "opts": self.opts,
            "object": obj,
            "events": self.trail_for(request, events),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/object_trail.html", context)
