"""The staff site's view of background work: the e-mail outbox (who, what
kind, how many attempts, the last error; never a message's body) with a
"send again" action, for the DPO."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import outbox
from .admin_tools import SchoolScopedAdmin
from .models import OutboxMessage, OutboxStatus

OUTBOX_FIELDS = (
    "to",
    "kind",
    "status",
    "attempts",
    "last_error",
    "created_at",
    "next_attempt_at",
    "sent_at",
)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(SchoolScopedAdmin):
    list_display = ("to", "kind", "status", "attempts", "last_error", "created_at")
    list_filter = ("status", "kind")
    # The body is never shown: it may carry a parent's consent link.
    fields = OUTBOX_FIELDS
    readonly_fields = OUTBOX_FIELDS
    actions = ["send_again"]
    date_hierarchy = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Send the selected e-mails again now"), permissions=["change"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        retried = 0
        for message in queryset.exclude(status=OutboxStatus.SENT):
            outbox.retry_message(actor=request.user, message=message)
            retried += 1
        messages.success(
            request,
            ngettext(
                "%(n)d e-mail queued to be sent again.",
                "%(n)d e-mails queued to be sent again.",
                retried,
            )
            % {"n": retried},
        )
