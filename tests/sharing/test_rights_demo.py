"""The demo's rights requests and complaints (``sharing.rights.demo``):
through the real services, each state the DPO's requests page shows, dated
relative to today."""

import pytest
from django.utils import timezone

from pupils import demo as pupils_demo
from pupils.models import AuditEvent
from sharing.rights import demo
from sharing.rights.models import (
    Complaint,
    ComplaintStatus,
    RightKind,
    RightsDecision,
    RightsRequest,
    RightsRequestStatus,
)
from sharing.rights.register import DUE_SOON, open_requests

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_ctx():
    school, created = pupils_demo.seed_school()
    ctx = pupils_demo.DemoContext(school=school, created=created)
    pupils_demo.seed(ctx)
    return ctx


def test_the_demo_logs_each_kind_of_outcome_through_the_services(demo_ctx):
    demo.seed(demo_ctx)
    requests = {r.kind: r for r in RightsRequest.objects.all()}
    assert set(requests) == {
        RightKind.RECTIFICATION,
        RightKind.ERASURE,
        RightKind.OBJECTION,
        RightKind.RESTRICTION,
    }
    fixed, refused = requests[RightKind.RECTIFICATION], requests[RightKind.ERASURE]
    assert fixed.decision == RightsDecision.COMPLIED and fixed.changes_made
    assert "Jordan" in fixed.pupils.get().middle_names  # the change it records was made
    assert refused.decision == RightsDecision.REFUSED and not refused.changes_made
    assert "Art 17(3)(b)" in refused.decision_reason
    assert requests[RightKind.OBJECTION].status == RightsRequestStatus.OPEN
    assert requests[RightKind.RESTRICTION].status == RightsRequestStatus.PAUSED
    assert all(r.pupils.count() == 1 and r.requester_contact for r in requests.values())
    statuses = sorted(Complaint.objects.values_list("status", flat=True))
    assert statuses == [ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.RECEIVED]
    # The services wrote the trail for each.
    assert AuditEvent.objects.filter(summary="Rights request decided").count() == 2
    assert AuditEvent.objects.filter(summary="Complaint acknowledged").count() == 1


def test_the_objection_and_the_waiting_complaint_are_due_soon_whatever_today_is(demo_ctx):
    demo.seed(demo_ctx)
    rows = open_requests([demo_ctx.school], timezone.localdate(), access=False)
    soon = sorted(str(r.kind) for r in rows if r.urgency == DUE_SOON)
    assert len(soon) == 2 and soon[0] == "Complaint", soon
    assert not [r for r in rows if r.urgency and r.urgency != DUE_SOON]


def test_the_demo_runs_once(demo_ctx):
    demo.seed(demo_ctx)
    demo_ctx.created = False
    demo.seed(demo_ctx)
    assert RightsRequest.objects.count() == 4 and Complaint.objects.count() == 2
