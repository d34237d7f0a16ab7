"""The registers a DPO hands over, downloaded from the pages where the DPO
looks at them: the requests register (the requests page), the disclosure
log summary (the disclosure log) and the provider register (the providers'
list). The audit pack's CSVs, formula-safe, each download in the trail,
the DPO's only."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone

from pupils.models import AuditAction, AuditEvent
from sharing.disclosures.models import (
    DataCategory,
    Dataset,
    LegalGateway,
    RecipientType,
    SendMethod,
)
from sharing.disclosures.services import log_disclosure
from sharing.rights.complaints import log_complaint
from tests.factories import ProviderFactory, PupilFactory
from tests.sharing.test_requests_due import access, rights

BASE = "/admin/sharing/processingrecordversion/export/"
REQUESTS, DISCLOSURES, PROVIDERS = (
    f"{BASE}{n}.csv" for n in ("requests", "disclosures", "providers")
)


def table(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_requests_register_lists_every_kind_and_names_no_requester(school, dpo_client):
    access(school, 5, name="Mrs Secret Asker")
    rights(school, 4)
    log_complaint(
        actor="test",
        school=school,
        complainant_name="Mr Secret Complainer",
        complainant_email="c@example.org",
        channel="email",
        received_at=timezone.now() - datetime.timedelta(days=1),
        summary='=HYPERLINK("http://evil.example")',
    )
    response = dpo_client.get(REQUESTS)
    rows = table(response)
    assert rows[0][:3] == ["Number", "Received", "Kind"]
    assert [r[2] for r in rows[1:]] == ["Subject access", "Erasure", "Complaint"]
    body = response.content.decode()
    assert "Secret" not in body and "HYPERLINK" not in body
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.summary == "Requests register downloaded (CSV)" and event.school_id == school.pk


def test_the_disclosure_log_summary_is_formula_safe_and_audited(school, dpo_client, dpo_user):
    log_disclosure(
        actor=dpo_user,
        school=school,
        recipient_type=RecipientType.ORGANISATION,
        recipient_name="=cmd|' /C calc'!A0",
        gateway=LegalGateway.SUBJECT_ACCESS,
        dataset=Dataset.SUBJECT_ACCESS,
        pupils=[PupilFactory(school=school)],
        categories=[DataCategory.IDENTITY],
        method=SendMethod.SECURE_EMAIL,
    )
    rows = table(dpo_client.get(DISCLOSURES))
    assert rows[1][2] == "'=cmd|' /C calc'!A0"  # shown as text, never run
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, summary="Disclosure log downloaded (CSV)"
    ).exists()


def test_the_provider_register_is_formula_safe_and_audited(school, dpo_client):
    ProviderFactory(school=school, service="+1+1 Maths", name="@SUM(A1)")
    rows = table(dpo_client.get(PROVIDERS))
    assert rows[1][:2] == ["'+1+1 Maths", "'@SUM(A1)"]
    assert AuditEvent.objects.filter(summary="Provider register downloaded (CSV)").exists()


@pytest.mark.parametrize("url", [REQUESTS, DISCLOSURES, PROVIDERS])
def test_office_staff_cannot_download_a_register(school, office_client, url):
    assert office_client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("url", [REQUESTS, DISCLOSURES, PROVIDERS])
def test_another_schools_dpo_cannot_download_this_schools_register(
    school, other_school_client, url
):
    assert other_school_client.get(url, {"school": school.pk}).status_code == 404


def test_each_list_offers_its_download_to_the_dpo_only(school, dpo_client, office_client):
    pages = {
        "/admin/sharing/rightsrequest/due/": REQUESTS,
        "/admin/sharing/disclosure/": DISCLOSURES,
        "/admin/providers/provider/": PROVIDERS,
    }
    for page, url in pages.items():
        assert url in dpo_client.get(page).content.decode(), page
        office = office_client.get(page)
        assert office.status_code in (200, 403) and url not in office.content.decode(), page
