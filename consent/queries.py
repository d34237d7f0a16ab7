"""Reads shared by the parents' pages, the staff pages and the services.

Two rules are written here once and used by every page and list:

- ``asked_about``: a purpose asks about the pupils in the year groups that
  use it (every year group when none is named). The family form, the
  overview, reminders, the "do not set up" and offline to-do lists all go
  through it, so a child who moves up into a year group that uses a
  service is simply missing an answer from then on.
- ``effective_answer``: what the school may do for one pupil and purpose.
  For most purposes the latest answer wins; for biometrics (Protection of
  Freedoms Act 2012 s26, see docs/law.md, "Biometrics and photographs")
  one parent's written objection, or the pupil's own, stops it, and it needs
  at least one parent's consent.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import BaseExpression

from providers.models import Provider, ProviderQuerySet, PurposeKind
from pupils.models import Contact, EnrolmentStatus, Pupil, School

from .models import AskedQuestion, ConsentRecord


def providers_needing_consent(school: School) -> ProviderQuerySet:
    """Purposes parents are asked about: cloud services, then photograph
    uses, then biometrics (the order of the form and the overview)."""
    return (
        Provider.objects.for_school(school)
        .needing_consent()
        .alias(
            kind_order=Case(
                When(kind=PurposeKind.CLOUD_SERVICE, then=Value(0)),
                When(kind=PurposeKind.PHOTOGRAPHS, then=Value(1)),
                default=Value(2),
            )
        )
        .order_by("kind_order", "name", "pk")
    )


def asked_about(provider: Provider, prefix: str = "") -> Q:
    """The pupils ``provider`` asks about, as a filter on pupils (``prefix``
    reaches pupils from another model, e.g. ``"pupil__"``)."""
    if not provider.year_groups:
        return Q()
    return Q(**{f"{prefix}nc_year__in": provider.year_groups})


def uses_year(provider: Provider, nc_year: str) -> bool:
    """``asked_about`` for one year group."""
    return not provider.year_groups or nc_year in provider.year_groups


def is_asked_about(provider: Provider, pupil: Pupil) -> bool:
    """``asked_about`` for one pupil already loaded."""
    return uses_year(provider, pupil.nc_year)


def active_pupils(school: School) -> QuerySet[Pupil]:
    """Applicants and pupils on roll: everyone the school may still ask."""
    return Pupil.objects.for_school(school).exclude(enrolment_status=EnrolmentStatus.LEFT)


def pupils_asked(provider: Provider) -> QuerySet[Pupil]:
    """Applicants and pupils on roll this purpose asks about."""
    return active_pupils(provider.school).filter(asked_about(provider))


def effective_answer(provider: Provider) -> BaseExpression:
    """An expression on pupils: True (may go ahead), False (must not: said
    no, or for biometrics someone objected) or None (no answer yet)."""
    if provider.kind == PurposeKind.BIOMETRIC:
        return _biometric_answer(provider)
    return Subquery(
        ConsentRecord.objects.filter(pupil=OuterRef("pk"), provider=provider)
        .order_by("-seq")
        .values("given")[:1],
        output_field=BooleanField(null=True),
    )


def _biometric_answer(provider: Provider) -> BaseExpression:
    # PoFA 2012 s26: written consent of at least one parent and no written
    # objection from any parent; the pupil's objection (at any age) stops it.
    # A pupil's "yes" only takes back their own objection: it is not consent.
    standing = ConsentRecord.objects.current_per_person().filter(
        pupil=OuterRef("pk"), provider=provider
    )
    return Case(
        When(Exists(standing.filter(given=False)), then=Value(False)),
        When(Exists(standing.filter(given=True, by_pupil=False)), then=Value(True)),
        default=Value(None),
        output_field=BooleanField(null=True),
    )


def answer_key(provider: Provider) -> str:
    """The annotation name ``with_answers`` gives ``provider``'s answer."""
    return f"answer_{provider.pk}"


def with_answers(pupils: QuerySet[Pupil], providers: Iterable[Provider]) -> QuerySet[Pupil]:
    """Annotate each pupil with the effective answer for each provider
    (``answer_key``): one query however many pupils."""
    return pupils.annotate(**{answer_key(p): effective_answer(p) for p in providers})


def missing_q(providers: Iterable[Provider]) -> Q:
    """Pupils (annotated by ``with_answers``) with no answer for a purpose
    that asks about them."""
    q = Q(pk__in=[])
    for provider in providers:
        q |= asked_about(provider) & Q(**{f"{answer_key(provider)}__isnull": True})
    return q


def never_asked(providers: Iterable[Provider]) -> Q:
    """Pupils asked about one of ``providers`` (its year groups) who have no
    answer for it and whose family was never sent a link asking about it:
    a pupil new on roll, or one who moved into a year group that uses it.
    A purpose nobody has been asked about yet is left out: the school sends
    its first round itself (Send consent requests), not the daily step."""
    q = Q(pk__in=[])
    for provider in providers:
        q |= (
            asked_about(provider)
            & ~Exists(AskedQuestion.objects.filter(pupil=OuterRef("pk"), provider=provider))
            & ~Exists(ConsentRecord.objects.filter(pupil=OuterRef("pk"), provider=provider))
        )
    return q


def started(providers: Iterable[Provider]) -> list[Provider]:
    """The purposes the school has already asked some family about."""
    providers = list(providers)
    asked = set(
        AskedQuestion.objects.filter(provider__in=providers)
        .values_list("provider_id", flat=True)
        .distinct()
    )
    return [p for p in providers if p.pk in asked]


def unasked_questions(
    pupils: Iterable[Pupil], providers: Iterable[Provider]
) -> set[tuple[int, int]]:
    """(pupil id, provider id) of ``family_questions`` never put to the
    family by a link and not answered (two queries)."""
    pupils, providers = list(pupils), list(providers)
    ids = [p.pk for p in pupils]
    done = set(
        AskedQuestion.objects.filter(pupil__in=ids, provider__in=providers).values_list(
            "pupil_id", "provider_id"
        )
    ) | set(
        ConsentRecord.objects.filter(pupil__in=ids, provider__in=providers).values_list(
            "pupil_id", "provider_id"
        )
    )
    return {
        (child.pk, provider.pk)
        for provider, children in family_questions(pupils, providers)
        for child in children
        if (child.pk, provider.pk) not in done
    }


def family_pupils(contact: Contact) -> QuerySet[Pupil]:
    """The children at the contact's school this contact answers for.

    One join, no DISTINCT: a pupil is linked to a contact at most once
    (``PupilContact``'s ``unique_pupil_contact``), so each child is one row."""
    return (
        Pupil.objects.for_school(contact.school)
        .exclude(enrolment_status=EnrolmentStatus.LEFT)
        .filter(contact_links__contact=contact, contact_links__parental_responsibility=True)
        .order_by("date_of_birth", "pk")
    )


def family_questions(
    pupils: list[Pupil], providers: list[Provider]
) -> list[tuple[Provider, list[Pupil]]]:
    """Each purpose with the children it asks this family about; purposes
    that ask about none of them are left out."""
    questions = [(p, [child for child in pupils if is_asked_about(p, child)]) for p in providers]
    return [(provider, children) for provider, children in questions if children]


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


Answers = dict[tuple[int, int], ConsentRecord]


def latest_answers(contact: Contact, pupils: Iterable[Pupil]) -> tuple[Answers, Answers]:
    """In one query: the latest answer for each (pupil, purpose), whoever
    gave it, and this contact's own latest answer for each. A family's
    children have a few answers each, so reading them all in order of
    ``seq`` is cheaper than asking the database for the latest per person."""
    latest: Answers = {}
    own: Answers = {}
    records = ConsentRecord.objects.for_pupils(list(pupils)).order_by("seq")
    for record in records:
        key = (record.pupil_id, record.provider_id)
        latest[key] = record
        if record.given_by_contact_id == contact.pk:
            own[key] = record
    return latest, own


def shown_to_contact(
    latest: Answers, own: Answers, pupils: list[Pupil], providers: list[Provider]
) -> Answers:
    """The answers a family's pages and receipt show a contact: the latest
    answer, except for biometrics, where each parent has their own say and
    sees their own."""
    answers = dict(latest)
    for provider in providers:
        if provider.kind == PurposeKind.BIOMETRIC:
            for pupil in pupils:
                key = (pupil.pk, provider.pk)
                if key in own:
                    answers[key] = own[key]
                else:
                    answers.pop(key, None)
    return answers


def answers_for_family(contact: Contact, pupils: list[Pupil], providers: list[Provider]) -> Answers:
    """``shown_to_contact`` read from the database (one query)."""
    return shown_to_contact(*latest_answers(contact, pupils), pupils, providers)
