"""Staff sign-in, failure and sign-out entries in the audit trail."""

from __future__ import annotations

from .. import audit
from ..models import AuditAction, StaffProfile


def record_staff_event(user, action: AuditAction, summary: str) -> None:
    """A sign-in, failure or sign-out in the trail, under the member of staff's
    school so that its DPO sees it (username only: nothing else personal)."""
    profile = StaffProfile.objects.filter(user_id=user.pk).values("school_id").first()
    school_id = profile["school_id"] if profile else None
    audit.record(actor=user, action=action, summary=summary, school_id=school_id)
