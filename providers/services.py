"""Writes to providers, risk assessments and privacy notices.

Views, admin actions, management commands and demo data all call these, so
the audit trail and the public page cache are never skipped.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pupils import audit
from pupils.audit import Actor
from pupils.models import AuditAction, School

from . import cache, criteria, dpia, notice, policy, risk
from .models import (
    DPIA_ALLOWS,
    Answer,
    AssessmentAnswer,
    AssessmentStatus,
    ContractDocument,
    Decision,
    Dpia,
    DpiaStatus,
    NoticeStatus,
    PolicyDocument,
    PrivacyNotice,
    Provider,
    ProviderStatus,
    ResidualRisk,
    RiskAssessment,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: Months until the next review when the assessor does not say (DfE and
#: most DPOs review cloud services yearly; configurable per assessment).
DEFAULT_REVIEW_MONTHS = 12

STATUSES_NEEDING_APPROVAL = frozenset({ProviderStatus.APPROVED, ProviderStatus.IN_USE})


def default_next_review(assessed_on: datetime.date) -> datetime.date:
    return assessed_on + relativedelta(months=DEFAULT_REVIEW_MONTHS)


def check_status_allowed(provider: Provider, status: str) -> None:
    """Raise ValidationError when ``provider`` may not take ``status``."""
    if (problem := provider.dpia_problem(status)) is not None:
        raise ValidationError(problem, code="needs_dpia")
    check_assessment_allows(provider, status)


def check_assessment_allows(provider: Provider, status: str) -> None:
    """Raise ValidationError when ``provider``'s latest review does not let
    it take ``status``. Checked when the status changes only: a provider in
    use whose latest review rejects it can still have its record corrected
    (the DPIA rule, in ``Provider.clean``, is checked on every save)."""
    if status in STATUSES_NEEDING_APPROVAL and not (
        provider.pk and provider.has_approving_assessment()
    ):
        raise ValidationError(
            _(
                "%(service)s cannot be marked “%(status)s”: its latest published risk "
                "assessment must approve it. Record and publish an assessment first."
            )
            % {"service": provider.service, "status": ProviderStatus(status).label},
            code="needs_approving_assessment",
        )


@transaction.atomic
def set_provider_status(*, provider: Provider, status: str, actor: Actor) -> Provider:
    if status not in ProviderStatus.values:
        raise ValidationError(_("Unknown status."), code="invalid")
    check_status_allowed(provider, status)
    provider.status = status
    provider.full_clean()
    provider.save(update_fields=["status", "updated_at"])
    audit.record_change(actor=actor, obj=provider, created=False, fields=["status"])
    cache.invalidate(provider.school_id)
    return provider


def _next_version(queryset) -> int:
    return (queryset.aggregate(v=Max("version"))["v"] or 0) + 1


@transaction.atomic
def start_assessment(*, provider: Provider, actor: Actor) -> RiskAssessment:
    """A new draft review with one unanswered row per criterion."""
    Provider.objects.select_for_update().get(pk=provider.pk)
    assessment = RiskAssessment.objects.create(
        provider=provider,
        version=_next_version(provider.assessments.all()),
        assessor=audit.acting_user(actor),
        storage_location=provider.storage_location,
        special_category=provider.receives_special_category_data,
    )
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(assessment=assessment, criterion=c.code) for c in criteria.CRITERIA
    )
    audit.record_change(actor=actor, obj=assessment, created=True)
    return assessment


@transaction.atomic
def start_assessments(*, providers: Iterable[Provider], actor: Actor) -> list[RiskAssessment]:
    """A new draft review for each provider: all of them, or none."""
    return [start_assessment(provider=p, actor=actor) for p in providers]


def rate_assessment(assessment: RiskAssessment) -> risk.Rating:
    answers = dict(assessment.answers.values_list("criterion", "answer"))
    return risk.rate(
        answers,
        storage=assessment.storage_location or assessment.provider.storage_location,
        special_category=assessment.special_category
        or assessment.provider.receives_special_category_data,
    )


@transaction.atomic
def publish_assessment(
    *,
    assessment: RiskAssessment,
    actor: Actor,
    decision: str | None = None,
    next_review_on: datetime.date | None = None,
) -> RiskAssessment:
    """Rate and publish a draft review; from now on it never changes."""
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_published:
        raise ValidationError(_("This assessment is already published."), code="published")
    decision = decision or assessment.decision
    if decision not in Decision.values:
        raise ValidationError(_("Choose a decision before publishing."), code="no_decision")
    if decision == Decision.APPROVE_WITH_CONDITIONS and not assessment.conditions.strip():
        raise ValidationError(
            _("Say what the conditions are before approving with conditions."), code="conditions"
        )
    provider = assessment.provider
    # Snapshot what the rating depends on, as the provider is now.
    assessment.storage_location = provider.storage_location
    assessment.special_category = provider.receives_special_category_data
    rating = rate_assessment(assessment)
    assessment.rating = rating.level
    assessment.decision = decision
    assessment.next_review_on = (
        next_review_on or assessment.next_review_on or default_next_review(assessment.assessed_on)
    )
    if assessment.next_review_on <= assessment.assessed_on:
        raise ValidationError(
            _("The next review must be after the assessment date."), code="review_date"
        )
    if assessment.assessor_id is None and (assessor := audit.acting_user(actor)) is not None:
        assessment.assessor = assessor
    assessment.status = AssessmentStatus.PUBLISHED
    assessment.published_at = timezone.now()
    assessment.full_clean()
    assessment.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=assessment,
        school_id=provider.school_id,
        summary=f"Risk assessment v{assessment.version} published: {provider.service}",
        fields=["status", "rating", "decision"],
    )
    cache.invalidate(provider.school_id)
    return assessment


@transaction.atomic
def record_assessment(
    *,
    provider: Provider,
    answers: Mapping[str, tuple[str, str] | str],
    decision: str,
    actor: Actor,
    assessor: User | None = None,
    assessed_on: datetime.date | None = None,
    next_review_on: datetime.date | None = None,
    conditions: str = "",
    notes: str = "",
) -> RiskAssessment:
    """Record a complete review in one go and publish it. ``answers`` maps
    criterion codes to an answer or (answer, evidence); criteria left out
    are recorded as unknown."""
    unknown = set(answers) - set(criteria.BY_CODE)
    if unknown:
        raise ValidationError(
            _("Unknown criteria: %(codes)s") % {"codes": ", ".join(sorted(unknown))},
            code="criteria",
        )
    assessment = start_assessment(provider=provider, actor=actor)
    if assessor is not None:
        assessment.assessor = assessor
    assessment.assessed_on = assessed_on or timezone.localdate()
    assessment.conditions = conditions
    assessment.notes = notes
    assessment.save()
    rows = {a.criterion: a for a in assessment.answers.all()}
    for code, value in answers.items():
        answer, evidence = (value, "") if isinstance(value, str) else value
        if answer not in Answer.values:
            raise ValidationError(
                _("Unknown answer: %(answer)s") % {"answer": answer}, code="answer"
            )
        rows[code].answer, rows[code].evidence = answer, evidence
    AssessmentAnswer.objects.bulk_update(rows.values(), ["answer", "evidence"])
    return publish_assessment(
        assessment=assessment, actor=actor, decision=decision, next_review_on=next_review_on
    )


#: What a copy of a contract may be: its size, and the file types staff
#: upload (checked by extension and by the first bytes where they are fixed).
CONTRACT_MAX_BYTES = 10 * 1024 * 1024
CONTRACT_TYPES = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK",
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", b"PK"),
    ".png": ("image/png", b"\x89PNG"),
    ".jpg": ("image/jpeg", b"\xff\xd8"),
    ".jpeg": ("image/jpeg", b"\xff\xd8"),
}


def contract_document_from(
    *, file_name: str, content: bytes, school: School, actor: Actor
) -> ContractDocument:
    """An unsaved copy of a contract, checked; ``save_provider`` stores it
    with the provider that refers to it."""
    suffix = ("." + file_name.rsplit(".", 1)[-1].lower()) if "." in file_name else ""
    kind = CONTRACT_TYPES.get(suffix)
    if kind is None or not content.startswith(kind[1]):
        raise ValidationError(
            _("Upload the contract as a PDF, Word (.docx), OpenDocument (.odt), PNG or JPEG file."),
            code="contract_type",
        )
    if len(content) > CONTRACT_MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="contract_size")
    return ContractDocument(
        school=school,
        file_name=file_name.replace("\\", "/").rsplit("/", 1)[-1][:200],
        content_type=kind[0],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=audit.acting_user(actor),
    )


@transaction.atomic
def save_provider(*, provider: Provider, actor: Actor, fields: list[str] | None = None) -> Provider:
    """Create or change a provider (the admin's save goes through here). A
    new copy of the contract from ``contract_document_from`` is stored with
    it, in the same transaction."""
    created = provider.pk is None
    stored = None if created else Provider.objects.filter(pk=provider.pk).first()
    if stored is None or stored.status != provider.status:
        check_assessment_allows(provider, provider.status)
    # The DPIA rule stands on every save while approved or in use: full_clean
    # (Provider.clean) refuses a provider that gained a DPIA trigger.
    document = provider.contract_document if provider.contract_document_id is None else None
    if document is not None and document.pk is None:
        document.full_clean()
        document.save()
        provider.contract_document = document
    provider.full_clean()
    provider.save()
    audit.record_change(actor=actor, obj=provider, created=created, fields=fields or [])
    cache.invalidate(provider.school_id)
    return provider


@transaction.atomic
def start_dpia(*, provider: Provider, actor: Actor) -> Dpia:
    """A new draft DPIA, with what the provider record already says."""
    Provider.objects.select_for_update().get(pk=provider.pk)
    draft = Dpia(
        school_id=provider.school_id,
        provider=provider,
        version=_next_version(provider.dpias.all()),
        screening=provider.dpia_reasons,
        description=provider.purpose,
    )
    draft.full_clean()
    draft.save()
    audit.record_change(actor=actor, obj=draft, created=True)
    return draft


@transaction.atomic
def start_processing_dpia(
    *,
    school: School,
    processing: str,
    actor: Actor,
    screening: Iterable[str] = (),
    description: str = "",
) -> Dpia:
    """A new draft DPIA of the school's own processing (no provider): CCTV,
    a new safeguarding system, one of its purposes. Numbered per school and
    processing, like a provider's."""
    School.objects.select_for_update().get(pk=school.pk)
    processing = " ".join(processing.split())
    screening = list(screening)
    if set(screening) - set(dpia.BY_CODE):
        raise ValidationError({"screening": _("Unknown DPIA screening answer.")})
    draft = Dpia(
        school=school,
        processing=processing,
        version=_next_version(
            Dpia.objects.filter(school=school, provider__isnull=True, processing=processing)
        ),
        screening=screening,
        description=description.strip(),
    )
    draft.full_clean()
    draft.save()
    audit.record_change(actor=actor, obj=draft, created=True)
    return draft


@transaction.atomic
def sign_off_dpia(*, dpia: Dpia, actor: User) -> Dpia:
    """The DPO signs off a completed DPIA; from now on it never changes."""
    # Only the DPIA row is locked: its provider (a nullable join) is read along.
    locked = Dpia.objects.select_for_update(of=("self",)).select_related("provider").get(pk=dpia.pk)
    if locked.is_published:
        raise ValidationError(_("This DPIA is already signed off."), code="published")
    if not actor.has_perm("providers.publish_dpia"):
        raise ValidationError(_("Only the DPO can sign off a DPIA."), code="not_dpo")
    required = {
        "risks": _("the risks"),
        "measures": _("the measures"),
        "residual_risk": _("the risk that remains"),
        "dpo_advice": _("the DPO's advice"),
        "decision": _("the decision"),
        "review_on": _("the review date"),
    }
    missing = [label for name, label in required.items() if not getattr(locked, name)]
    if missing:
        raise ValidationError(
            _("Complete the DPIA before signing it off: %(fields)s.")
            % {"fields": ", ".join(missing)},
            code="incomplete",
        )
    if locked.review_on is not None and locked.review_on <= timezone.localdate():
        raise ValidationError(_("The review date must be in the future."), code="review_on")
    if locked.residual_risk == ResidualRisk.HIGH and locked.decision in DPIA_ALLOWS:
        raise ValidationError(
            _(
                "A high risk remains: the school must consult the ICO before going ahead "
                "(UK GDPR Art 36). Choose “Consult the ICO first” or reduce the risk."
            ),
            code="high_risk",
        )
    locked.status = DpiaStatus.PUBLISHED
    locked.signed_off_by = actor
    locked.published_at = timezone.now()
    locked.full_clean()
    locked.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        school_id=locked.school_id,
        summary=f"DPIA v{locked.version} signed off: {locked.subject}",
        fields=["status", "decision", "residual_risk"],
    )
    return locked


@transaction.atomic
def draft_policy_document(*, school: School, actor: Actor) -> PolicyDocument:
    """A new draft of the appropriate policy document, generated from the
    conditions the school relies on today."""
    School.objects.select_for_update().get(pk=school.pk)
    draft = PolicyDocument(
        school=school,
        version=_next_version(school.policy_documents.all()),
        title=policy.default_title(),
        body=policy.generate(school),
    )
    draft.full_clean()
    draft.save()
    audit.record_change(actor=actor, obj=draft, created=True)
    return draft


@transaction.atomic
def publish_policy_document(*, document: PolicyDocument, actor: Actor) -> PolicyDocument:
    locked = PolicyDocument.objects.select_for_update().get(pk=document.pk)
    _publish(
        locked,
        actor=actor,
        name="Appropriate policy document",
        empty=_("A document with no text cannot be published."),
    )
    return locked


def _publish(
    locked: PrivacyNotice | PolicyDocument, *, actor: Actor, name: str, empty: str
) -> None:
    """Publish a draft version (row locked by the caller) of a published
    document (``PublishedDocument``): once, with text; the public pages
    show it at once (their cache goes)."""
    if locked.is_published:
        raise ValidationError(_("This version is already published."), code="published")
    if not locked.body.strip():
        raise ValidationError(empty, code="empty")
    locked.status = NoticeStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        school_id=locked.school_id,
        summary=f"{name} v{locked.version} published",
        fields=["status"],
    )
    cache.invalidate(locked.school_id)


@transaction.atomic
def draft_notice(
    *, school: School, actor: Actor, title: str | None = None, body: str | None = None
) -> PrivacyNotice:
    """A new draft version, by default generated from what the app knows."""
    School.objects.select_for_update().get(pk=school.pk)
    draft = PrivacyNotice(
        school=school,
        version=_next_version(school.privacy_notices.all()),
        title=title or notice.default_title(),
        body=body if body is not None else notice.generate(school),
    )
    draft.full_clean()
    draft.save()
    audit.record_change(actor=actor, obj=draft, created=True)
    return draft


@transaction.atomic
def publish_notice(*, notice: PrivacyNotice, actor: Actor) -> PrivacyNotice:
    locked = PrivacyNotice.objects.select_for_update().get(pk=notice.pk)
    _publish(
        locked,
        actor=actor,
        name="Privacy notice",
        empty=_("A notice with no text cannot be published."),
    )
    return locked
