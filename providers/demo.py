"""Demo data: the cloud services a primary school typically uses, reviews in
different states, and a published privacy notice generated from the school.

Idempotent: providers are looked up by service; assessments and the notice
are only added when the provider or school has none yet.
"""

from __future__ import annotations

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction

from . import criteria, services
from .models import (
    Answer,
    Art9Condition,
    DataCategory,
    Decision,
    Dpia,
    DpiaDecision,
    LawfulBasis,
    PolicyDocument,
    PrivacyNotice,
    Provider,
    ProviderRole,
    ProviderStatus,
    PurposeKind,
    ResidualRisk,
    Schedule1Paragraph,
    StorageLocation,
    TransferSafeguard,
)

D = DataCategory
CONTRACT_SIGNED_ON = datetime.date(2025, 8, 28)
TRANSFER_RISK_ASSESSED_ON = datetime.date(2025, 8, 20)

#: Fields that say what the law needs of a provider. An older demo database
#: made before they existed gets them filled in where empty, so that
#: ``seed_demo`` can put its providers back in use.
LEGAL_FIELDS = (
    "dpa_signed_on",
    "contract_reference",
    "contract_location",
    "transfer_safeguard",
    "transfer_risk_assessed_on",
    "art9_condition",
    "schedule1_paragraph",
)

PROVIDERS: list[dict[str, Any]] = [
    {
        "service": "Google Workspace for Education",
        "name": "Google LLC",
        "purpose": "Pupils' school e-mail, Google Classroom homework and shared documents "
        "in Years 3 to 6.",
        "website": "https://edu.google.com/",
        "privacy_policy_url": "https://workspace.google.com/terms/education_privacy/",
        "data_categories": [D.NAME, D.YEAR_GROUP, D.WORK],
        "data_fields": "forename, surname, class, school e-mail address, work pupils upload",
        "pupils_covered": "Years 3 to 6",
        "year_groups": ["3", "4", "5", "6"],
        "storage_location": StorageLocation.IDTA,
        "storage_detail": "Google data centres in the EU and the USA (UK Addendum)",
        "transfer_safeguard": TransferSafeguard.UK_ADDENDUM,
        "transfer_risk_assessed_on": TRANSFER_RISK_ASSESSED_ON,
        "certifications": "ISO 27001, ISO 27018, SOC 2",
        "retention": "Accounts deleted within 30 days of a pupil leaving; Google deletes "
        "within 180 days.",
        "lawful_basis": LawfulBasis.CONSENT,
        "offline_alternative": "Homework on paper in a homework book, marked in class.",
        "status": ProviderStatus.IN_USE,
        "dpa_signed_on": CONTRACT_SIGNED_ON,
        "contract_reference": "DPA-2025-01",
        "contract_location": "Signed copy in the contracts file, school office",
        "review": "good",
    },
    {
        "service": "Seesaw",
        "name": "Seesaw Learning, Inc.",
        "purpose": "Learning journals in Reception to Year 2: photos of pupils' work shared "
        "with their parents.",
        "website": "https://seesaw.com/",
        "privacy_policy_url": "https://seesaw.com/privacy/",
        "data_categories": [D.NAME, D.YEAR_GROUP, D.WORK, D.PHOTOS],
        "data_fields": "forename, class, photos and videos of work, teachers' comments",
        "pupils_covered": "Reception to Year 2",
        "year_groups": ["R", "1", "2"],
        "storage_location": StorageLocation.IDTA,
        "storage_detail": "AWS, USA (UK Addendum)",
        "transfer_safeguard": TransferSafeguard.UK_ADDENDUM,
        "transfer_risk_assessed_on": TRANSFER_RISK_ASSESSED_ON,
        "certifications": "ISO 27001",
        "retention": "Deleted 60 days after the class is archived.",
        "lawful_basis": LawfulBasis.CONSENT,
        "offline_alternative": "A paper learning journal sent home each half term.",
        "status": ProviderStatus.IN_USE,
        "dpa_signed_on": CONTRACT_SIGNED_ON,
        "contract_reference": "DPA-2025-02",
        "contract_location": "Signed copy in the contracts file, school office",
        "review": "overdue",
    },
    {
        "service": "Arbor",
        "name": "Arbor Education Partners Ltd",
        "purpose": "Messages and letters to parents, parents' evening bookings and the parent app.",
        "website": "https://arbor-education.com/",
        "privacy_policy_url": "https://arbor-education.com/privacy-policy/",
        "data_categories": [D.NAME, D.YEAR_GROUP, D.CONTACT, D.ATTENDANCE],
        "data_fields": "pupil name and class, parents' names, e-mail addresses and mobile "
        "numbers, attendance alerts",
        "pupils_covered": "All pupils",
        "storage_location": StorageLocation.UK,
        "storage_detail": "AWS London region",
        "certifications": "ISO 27001, Cyber Essentials Plus",
        "retention": "Deleted 12 months after the contract ends.",
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "offline_alternative": "Letters on paper sent home with the pupil.",
        "status": ProviderStatus.IN_USE,
        "dpa_signed_on": CONTRACT_SIGNED_ON,
        "contract_reference": "DPA-2025-03",
        "contract_location": "Signed copy in the contracts file, school office",
        "review": "good",
    },
    {
        "service": "Bug Club",
        "name": "Pearson Education Ltd",
        "purpose": "Online reading books matched to each pupil's reading level.",
        "website": "https://www.pearson.com/",
        "privacy_policy_url": "https://www.pearson.com/en-gb/privacy-center.html",
        "data_categories": [D.NAME, D.YEAR_GROUP, D.ASSESSMENT],
        "data_fields": "forename, class, reading level, books read and quiz scores",
        "pupils_covered": "Years 1 to 4",
        "year_groups": ["1", "2", "3", "4"],
        "storage_location": StorageLocation.UK,
        "storage_detail": "UK data centre",
        "certifications": "ISO 27001",
        "retention": "Deleted at the end of the subscription year unless renewed.",
        "lawful_basis": LawfulBasis.CONSENT,
        "offline_alternative": "Printed reading books from the school library.",
        "status": ProviderStatus.IN_USE,
        "dpa_signed_on": CONTRACT_SIGNED_ON,
        "contract_reference": "DPA-2025-04",
        "contract_location": "Signed copy in the contracts file, school office",
        "review": "conditions",
    },
    {
        "service": "Times Tables Rock Stars",
        "name": "Maths Circle Ltd",
        "purpose": "Times-tables practice at school and at home.",
        "website": "https://ttrockstars.com/",
        "privacy_policy_url": "https://ttrockstars.com/privacy",
        "data_categories": [D.NAME, D.YEAR_GROUP, D.ASSESSMENT],
        "data_fields": "forename, surname initial, class, times-tables scores",
        "pupils_covered": "Years 2 to 6",
        "year_groups": ["2", "3", "4", "5", "6"],
        "storage_location": StorageLocation.UK,
        "storage_detail": "Microsoft Azure UK South",
        "certifications": "Cyber Essentials",
        "retention": "Deleted 3 months after the subscription ends.",
        "lawful_basis": LawfulBasis.CONSENT,
        "offline_alternative": "Times-tables practice sheets and class games.",
        "status": ProviderStatus.IN_USE,
        "dpa_signed_on": CONTRACT_SIGNED_ON,
        "contract_reference": "DPA-2025-05",
        "contract_location": "Signed copy in the contracts file, school office",
        "review": "good",
    },
    {
        "service": "ParentPay",
        "name": "ParentPay Ltd",
        "purpose": "Paying for school meals and trips online, and recording meal choices "
        "and dietary needs for the kitchen.",
        "website": "https://www.parentpay.com/",
        "privacy_policy_url": "https://www.parentpay.com/privacy-policy/",
        "data_categories": [D.NAME, D.YEAR_GROUP, D.CONTACT, D.DIETARY, D.HEALTH],
        "data_fields": "pupil name and class, parents' names and e-mail addresses, meal "
        "choices, allergies and dietary needs",
        "pupils_covered": "All pupils",
        "storage_location": StorageLocation.UK,
        "storage_detail": "UK data centres",
        "certifications": "ISO 27001, PCI DSS, Cyber Essentials Plus",
        "retention": "Deleted 6 years after the last payment (financial records).",
        # Meals are a school function (Education Act 1996 s512): public task.
        # The pupil is not a party to ParentPay's contract with a parent, so
        # "contract" cannot cover the pupil's data. Allergies are health
        # data, shared to keep the child safe from harm at mealtimes:
        # docs/law.md, "Special category data".
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "art9_condition": Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST,
        "schedule1_paragraph": Schedule1Paragraph.SAFEGUARDING,
        "offline_alternative": "Payment by cheque or cash at the school office.",
        "status": ProviderStatus.IN_USE,
        "dpa_signed_on": CONTRACT_SIGNED_ON,
        "contract_reference": "DPA-2025-06",
        "contract_location": "Signed copy in the contracts file, school office",
        "review": "good",
    },
    {
        "service": "Class and individual photographs",
        "name": "Tempest Photography",
        "purpose": "Annual class and individual photographs offered to parents to buy.",
        "website": "https://www.tempest-photography.co.uk/",
        "privacy_policy_url": "https://www.tempest-photography.co.uk/privacy-policy",
        "data_categories": [D.NAME, D.YEAR_GROUP, D.PHOTOS],
        "data_fields": "forename, surname, class, photographs",
        "pupils_covered": "All pupils",
        "storage_location": StorageLocation.OTHER,
        "storage_detail": "Image hosting provider outside the UK, no safeguard documented",
        "certifications": "",
        "retention": "Unclear: the contract does not say.",
        "lawful_basis": LawfulBasis.CONSENT,
        "offline_alternative": "No photograph is taken of your child.",
        "status": ProviderStatus.PROPOSED,
        "review": "rejected",
    },
    {
        "service": "Tapestry",
        "name": "The Foundation Stage Forum Ltd",
        "purpose": "Online learning journal for the Reception class (proposed to replace "
        "Seesaw in Reception).",
        "website": "https://tapestry.info/",
        "privacy_policy_url": "https://tapestry.info/privacy-policy.html",
        "data_categories": [D.NAME, D.DATE_OF_BIRTH, D.WORK, D.PHOTOS, D.SEN],
        "data_fields": "forename, surname, date of birth, observations, photos, SEN notes",
        "pupils_covered": "Reception",
        "year_groups": ["R"],
        "storage_location": StorageLocation.UK,
        "storage_detail": "AWS London region",
        "certifications": "ISO 27001, Cyber Essentials Plus",
        "retention": "Deleted when the school closes the account.",
        "lawful_basis": LawfulBasis.CONSENT,
        "art9_condition": Art9Condition.EXPLICIT_CONSENT,
        # Observations, photographs and SEN notes of every Reception child.
        "dpia_screening": ["special-at-scale"],
        "offline_alternative": "A paper learning journal.",
        "status": ProviderStatus.PROPOSED,
        "review": None,  # proposed: not assessed yet
    },
]


def _photo_use(service: str, purpose: str, where: str) -> dict[str, Any]:
    """One use of photographs and video, asked about on its own."""
    return {
        "service": service,
        "name": "The school",
        # The school's own processing: it is the controller, with no processor.
        "role": ProviderRole.SCHOOL,
        "kind": PurposeKind.PHOTOGRAPHS,
        "purpose": purpose,
        "data_categories": [D.NAME, D.PHOTOS],
        "data_fields": "photographs and video; first name only where a caption is needed",
        "pupils_covered": "All pupils",
        "storage_location": StorageLocation.UK,
        "storage_detail": where,
        "retention": "Taken down or deleted when consent is withdrawn or the pupil leaves.",
        "lawful_basis": LawfulBasis.CONSENT,
        "offline_alternative": "Your child is not photographed or filmed for this use; they "
        "still take part in everything.",
        "status": ProviderStatus.IN_USE,
        "review": "good",
    }


# Photographs and video per use (docs/law.md, "Biometrics and photographs").
PROVIDERS += [
    _photo_use(
        "Photos: displays in school",
        "Photos of your child on classroom and corridor displays inside school.",
        "Printed; the originals on the school's own network",
    ),
    _photo_use(
        "Photos: school website",
        "Photos and short videos of school life on the school's public website.",
        "The school's website host in the UK",
    ),
    _photo_use(
        "Photos: newsletter",
        "Photos in the school newsletter sent to families.",
        "The school's own network",
    ),
    _photo_use(
        "Photos: social media",
        "Photos on the school's social media pages, which anyone can see.",
        "The social media company's servers",
    ),
    _photo_use(
        "Photos: press",
        "Photos given to local newspapers for stories about the school; the paper may "
        "print your child's name.",
        "The newspaper's own systems",
    ),
    {
        "service": "Fingerprint meals (biometric)",
        "name": "Cashless Catering Ltd",
        "kind": PurposeKind.BIOMETRIC,
        "purpose": "Pupils pay for school meals by placing a finger on a reader. The reader "
        "keeps a number made from the fingerprint, never an image of it.",
        "website": "https://catering.example/",
        "privacy_policy_url": "https://catering.example/privacy",
        "data_categories": [D.NAME, D.YEAR_GROUP, D.DIETARY, D.BIOMETRIC],
        "data_fields": "forename, surname, class, meal choices, fingerprint template",
        "pupils_covered": "Years 3 to 6",
        "year_groups": ["3", "4", "5", "6"],
        "storage_location": StorageLocation.UK,
        "storage_detail": "On the reader in the school hall and the supplier's UK servers",
        "certifications": "Cyber Essentials Plus",
        "retention": "Fingerprint templates deleted when consent ends or the pupil leaves.",
        "lawful_basis": LawfulBasis.CONSENT,
        # Biometric data: explicit consent (Art 9(2)(a)), as the Protection of
        # Freedoms Act 2012 s26 requires a parent's written consent anyway.
        "art9_condition": Art9Condition.EXPLICIT_CONSENT,
        "dpa_signed_on": CONTRACT_SIGNED_ON,
        "contract_reference": "CCL-DPA-2025",
        "contract_location": "Signed copy in the contracts file, school office",
        "offline_alternative": "A named meal card, which works at the same till.",
        "status": ProviderStatus.IN_USE,
        "review": "good",
    },
]

EVIDENCE = "Supplier's self-certification and DPA clause checked by the DPO."


def _answers(kind: str) -> dict[str, tuple[str, str]]:
    answers: dict[str, tuple[str, str]] = {
        c.code: (Answer.MET, EVIDENCE) for c in criteria.CRITERIA
    }
    if kind in ("conditions", "overdue"):
        answers["ncsc-13"] = (Answer.PARTLY, "Audit logs only on the premium plan.")
        answers["art28-h"] = (Answer.PARTLY, "Audits by questionnaire only.")
    if kind == "conditions":
        answers["ncsc-08"] = (Answer.UNKNOWN, "Sub-processor list requested, not received.")
        answers["ncsc-07"] = (Answer.UNKNOWN, "")
        answers["dfe-availability"] = (Answer.PARTLY, "No service level agreement.")
        answers["art28-d"] = (Answer.PARTLY, "Sub-processors changed by notice only.")
    if kind == "rejected":
        answers["art28-g"] = (Answer.NOT_MET, "No deletion on exit in the contract.")
        answers["dfe-transfers"] = (Answer.NOT_MET, "Transfers outside the UK undocumented.")
        answers["ncsc-01"] = (Answer.UNKNOWN, "")
    return answers


def _review(provider: Provider, kind: str, today: datetime.date, actor) -> None:
    assessed_on = today - relativedelta(months=2)
    decision = Decision.APPROVE
    conditions = ""
    if kind == "overdue":
        assessed_on = today - relativedelta(months=13)
    elif kind == "conditions":
        decision = Decision.APPROVE_WITH_CONDITIONS
        conditions = "Review the audit-log options at renewal."
        assessed_on = today - relativedelta(months=11, days=15)  # due within 30 days
    elif kind == "rejected":
        decision = Decision.REJECT
    services.record_assessment(
        provider=provider,
        answers=_answers(kind),
        decision=decision,
        conditions=conditions,
        assessed_on=assessed_on,
        next_review_on=services.default_next_review(assessed_on),
        actor=actor,
        notes="Demo review.",
    )


def _fill_legal_fields(provider: Provider, spec: dict[str, Any], actor) -> None:
    changed = [f for f in LEGAL_FIELDS if spec.get(f) and not getattr(provider, f)]
    if (
        provider.lawful_basis == LawfulBasis.CONTRACT
        and spec["lawful_basis"] != provider.lawful_basis
    ):
        changed.append("lawful_basis")
    for f in changed:
        setattr(provider, f, spec[f])
    if changed:
        services.save_provider(provider=provider, actor=actor, fields=changed)


def _complete_and_sign_off(draft: Dpia, today, dpo) -> None:
    """The demo's in-use purposes that need a DPIA have one, signed off."""
    draft.necessity = "Needed for the service; the alternative is offered to every family."
    draft.risks = "Loss or misuse of biometric templates; pressure on families to agree."
    draft.measures = (
        "Templates only, never images; deleted when consent ends; any objection stops it; "
        "a meal card for every pupil who does not take part."
    )
    draft.residual_risk = ResidualRisk.LOW
    draft.dpo_advice = "Go ahead with the measures listed; review yearly."
    draft.decision = DpiaDecision.PROCEED_WITH_MEASURES
    draft.review_on = today.replace(year=today.year + 1)
    draft.save()
    services.sign_off_dpia(dpia=draft, actor=dpo)


@transaction.atomic
def seed(ctx) -> None:
    dpo = ctx.users.get("dpo")
    actor = dpo or "seed_demo"
    for row in PROVIDERS:
        spec = dict(row)
        review = spec.pop("review")
        status = spec.pop("status")
        provider, created = Provider.objects.get_or_create(
            school=ctx.school,
            service=spec["service"],
            defaults={"role": ProviderRole.PROCESSOR, **spec, "status": ProviderStatus.PROPOSED},
        )
        if created:
            services.save_provider(provider=provider, actor=actor)
        else:
            _fill_legal_fields(provider, spec, actor)
        if review and not provider.assessments.exists():
            _review(provider, review, ctx.today, actor)
        if provider.needs_dpia and not provider.dpias.exists():
            dpia = services.start_dpia(provider=provider, actor=actor)
            if status in (ProviderStatus.IN_USE, ProviderStatus.APPROVED) and dpo is not None:
                _complete_and_sign_off(dpia, ctx.today, dpo)
        if provider.needs_dpia and dpo is None:
            continue  # no DPO to sign its DPIA off (providers seeded alone): stays proposed
        if provider.status != status:
            services.set_provider_status(provider=provider, status=status, actor=actor)
    if not PolicyDocument.objects.filter(school=ctx.school).exists():
        services.publish_policy_document(
            document=services.draft_policy_document(school=ctx.school, actor=actor), actor=actor
        )
    if not PrivacyNotice.objects.filter(school=ctx.school).exists():
        draft = services.draft_notice(school=ctx.school, actor=actor)
        services.publish_notice(notice=draft, actor=actor)
