"""Demo consent answers for the demo school (``manage.py seed_demo``).

Answers only for the cloud services that need consent when this runs (the
providers app seeds them first); with none, there is nothing to answer.
Most families answered online, some on paper or by telephone, a few said no
(some of those already have the offline alternative arranged) and some have
not answered yet. Safe to run again: a school with answers is left alone.
"""

from __future__ import annotations

from providers.models import PurposeKind
from pupils.models import PupilContact

from .links import issue_link
from .models import ConsentMethod, ConsentRecord, ConsentRequestReason, OfflineArrangement
from .queries import is_asked_about, providers_needing_consent
from .services import record_consent


def seed(ctx) -> None:
    school, rng = ctx.school, ctx.rng
    providers = list(providers_needing_consent(school))
    if not providers or ConsentRecord.objects.filter(pupil__school=school).exists():
        return
    office = ctx.users.get("office")
    links = {}
    pupil_links = (
        PupilContact.objects.filter(
            pupil__school=school,
            pupil__enrolment_status="on_roll",
            parental_responsibility=True,
        )
        .select_related("pupil", "pupil__school", "contact", "contact__school")
        .order_by("pupil_id", "priority", "pk")
    )
    first_parent: dict[int, PupilContact] = {}
    for link in pupil_links:
        first_parent.setdefault(link.pupil_id, link)
    for link in first_parent.values():
        if rng.random() < 0.12:
            continue  # still to answer
        method = rng.choices(
            [ConsentMethod.ONLINE, ConsentMethod.PAPER, ConsentMethod.PHONE], [75, 15, 10]
        )[0]
        if method == ConsentMethod.ONLINE and link.contact_id not in links:
            links[link.contact_id] = issue_link(
                contact=link.contact,
                actor=office,
                reason=ConsentRequestReason.SENT_BY_STAFF,
                base_url="https://crookprimary.example",
            ).consent_request
        for provider in providers:
            if not is_asked_about(provider, link.pupil):
                continue
            given = rng.random() > 0.08
            # Biometrics need a parent's answer in writing (PoFA 2012 s27).
            written = method == ConsentMethod.PHONE and provider.kind == PurposeKind.BIOMETRIC
            record_consent(
                actor=office if method != ConsentMethod.ONLINE else "demo parent",
                pupil=link.pupil,
                provider=provider,
                given=given,
                given_by_contact=link.contact,
                method=ConsentMethod.PAPER if written else method,
                request=links.get(link.contact_id) if method == ConsentMethod.ONLINE else None,
            )
            if not given and office and rng.random() < 0.5:
                OfflineArrangement.objects.create(
                    pupil=link.pupil,
                    provider=provider,
                    arranged_by=office,
                    notes="Paper alternative agreed with the class teacher.",
                )
