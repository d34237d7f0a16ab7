"""What the public pages show, as plain data.

Built from an explicit list of public fields, never from model instances in
templates, so nothing staff-only (staff notes, assessment answers, evidence,
assessors, conditions) can reach /privacy or the JSON by accident.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.utils.translation import gettext as _

from pupils.models import School

from .models import (
    SPECIAL_CATEGORIES,
    DataCategory,
    LawfulBasis,
    NoticeStatus,
    PrivacyNotice,
    Provider,
    StorageLocation,
)


def _basis_phrases() -> dict[str, str]:
    # How each basis reads after "No: we rely on ..." (plain English).
    return {
        LawfulBasis.CONTRACT: _("a contract with you (UK GDPR Article 6(1)(b))"),
        LawfulBasis.LEGAL_OBLIGATION: _("a legal obligation (UK GDPR Article 6(1)(c))"),
        LawfulBasis.VITAL_INTERESTS: _(
            "protecting someone's life or health (UK GDPR Article 6(1)(d))"
        ),
        LawfulBasis.PUBLIC_TASK: _(
            "our public task of educating and caring for pupils (UK GDPR Article 6(1)(e))"
        ),
        LawfulBasis.CONSENT: _("your consent (UK GDPR Article 6(1)(a))"),
    }


def provider_rows(school: School) -> list[dict]:
    """The providers in use, with what parents may know about each."""
    labels = dict(DataCategory.choices)
    phrases = _basis_phrases()
    rows = []
    providers = (
        Provider.objects.for_school(school).in_use().with_last_assessment().order_by("service")
    )
    for p in providers:
        rows.append(
            {
                "service": p.service,
                "provider": p.name,
                "purpose": p.purpose,
                "website": p.website,
                "privacy_policy_url": p.privacy_policy_url,
                "role": p.get_role_display(),
                "data_categories": [
                    {
                        "code": code,
                        "label": str(labels.get(code, code)),
                        "special_category": code in SPECIAL_CATEGORIES,
                    }
                    for code in p.data_categories
                ],
                "special_category": p.receives_special_category_data,
                "data_fields": p.data_fields,
                "pupils_covered": p.pupils_covered,
                "storage_location": p.storage_location,
                "storage_location_label": str(StorageLocation(p.storage_location).label),
                "storage_detail": p.storage_detail,
                "asks_consent": p.asks_consent,
                "lawful_basis": p.lawful_basis,
                "lawful_basis_label": phrases.get(p.lawful_basis, p.get_lawful_basis_display()),
                "offline_alternative": p.offline_alternative,
                "certifications": p.certifications,
                "last_assessed_on": p.last_assessed_on,
            }
        )
    return rows


def published_versions(school: School) -> list[Mapping[str, object]]:
    return list(
        PrivacyNotice.objects.filter(school=school, status=NoticeStatus.PUBLISHED)
        .order_by("-version")
        .values("version", "published_at")
    )


def json_document(school: School) -> dict:
    notice = PrivacyNotice.objects.current_for(school)
    return {
        "school": school.name,
        "notice": _notice_json(notice) if notice else None,
        "providers": [_jsonable(row) for row in provider_rows(school)],
        "description": _("Cloud services the school uses, published with its privacy notice."),
    }


def _notice_json(notice: PrivacyNotice) -> dict:
    if notice.published_at is None:  # the table's check constraint rules this out
        raise ValueError(f"Published privacy notice {notice.pk} has no publication time.")
    return {
        "version": notice.version,
        "title": notice.title,
        "published_at": notice.published_at.isoformat(),
    }


def _jsonable(row: dict) -> dict:
    out = dict(row)
    if isinstance(out["last_assessed_on"], datetime.date):
        out["last_assessed_on"] = out["last_assessed_on"].isoformat()
    return out
