"""Reads shared by the parents' pages, the staff pages and the services."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from providers.models import Provider
from pupils.models import Contact, EnrolmentStatus, Pupil, School

from .models import ConsentRecord


def providers_needing_consent(school: School) -> QuerySet[Provider]:
    return Provider.objects.for_school(school).needing_consent().order_by("name", "pk")


def family_pupils(contact: Contact) -> QuerySet[Pupil]:
    """The children at the contact's school this contact answers for."""
    return (
        Pupil.objects.for_school(contact.school)
        .exclude(enrolment_status=EnrolmentStatus.LEFT)
        .filter(contact_links__contact=contact, contact_links__parental_responsibility=True)
        .order_by("date_of_birth", "pk")
        .distinct()
    )


def contacts_to_email(pupils: Iterable[Pupil]) -> QuerySet[Contact]:
    """Everyone with parental responsibility for one of ``pupils`` and an
    e-mail address: who a consent request for these pupils goes to."""
    return (
        Contact.objects.filter(
            pupil_links__pupil__in=[p.pk for p in pupils],
            pupil_links__parental_responsibility=True,
        )
        .exclude(email="")
        .select_related("school")
        .distinct()
        .order_by("pk")
    )


def current_answers(pupils: Iterable[Pupil]) -> dict[tuple[int, int], ConsentRecord]:
    records = ConsentRecord.objects.current().for_pupils(list(pupils))
    return {(r.pupil_id, r.provider_id): r for r in records}


def missing_answers(pupil: Pupil) -> list[Provider]:
    providers = list(providers_needing_consent(pupil.school))
    answered = set(
        ConsentRecord.objects.for_pupil(pupil)
        .filter(provider__in=providers)
        .values_list("provider_id", flat=True)
    )
    return [p for p in providers if p.pk not in answered]
