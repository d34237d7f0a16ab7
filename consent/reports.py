"""Read-only queries behind the staff pages: a fixed number of queries each,
however many pupils a school has.

Every list asks ``consent.queries`` which pupils a purpose asks about
(``asked_about``: its year groups) and what the school may do for each
(``effective_answer``), so the lists, the overview and the reminders agree.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import OuterRef, Q, QuerySet, Subquery

from providers.models import Provider, PurposeKind
from pupils.csvexport import csv_safe
from pupils.models import EnrolmentStatus, NCYear, Pupil, School

from .models import ConsentRecord, OfflineArrangement
from .queries import (
    active_pupils,
    answer_key,
    effective_answer,
    is_asked_about,
    missing_q,
    providers_needing_consent,
    pupils_asked,
    started,
    unasked_questions,
    uses_year,
    with_answers,
)

__all__ = [  # active_pupils is re-exported: the command finds it here
    "active_pupils",
    "not_to_set_up",
    "offline_to_do",
    "overview",
    "photo_list",
    "pupils_missing_answers",
    "pupils_missing_at",
]


def not_to_set_up(provider: Provider) -> QuerySet[Pupil]:
    """Pupils who must NOT be set up on this purpose: said no (for
    biometrics: anyone objected), or no answer yet."""
    return (
        pupils_asked(provider)
        .annotate(latest_given=effective_answer(provider))
        .filter(Q(latest_given=False) | Q(latest_given__isnull=True))
        .order_by("nc_year", "legal_surname", "legal_forename", "pk")
    )


def offline_to_do(provider: Provider) -> QuerySet[Pupil]:
    """Pupils who must not be set up because of a "no", with who arranged
    the alternative and when."""
    latest = OfflineArrangement.objects.filter(pupil=OuterRef("pk"), provider=provider).order_by(
        "-arranged_at"
    )
    return (
        pupils_asked(provider)
        .annotate(latest_given=effective_answer(provider))
        .filter(latest_given=False)
        .annotate(
            arranged_at=Subquery(latest.values("arranged_at")[:1]),
            arranged_by=Subquery(latest.values("arranged_by__username")[:1]),
            arrangement_notes=Subquery(latest.values("notes")[:1]),
        )
        .order_by("arranged_at", "nc_year", "legal_surname", "pk")
    )


def pupils_missing_answers(school: School, providers: list[Provider]) -> QuerySet[Pupil]:
    """Applicants and pupils on roll with no answer for a purpose that asks
    about them (the office's to-do, and who a reminder goes to)."""
    return (
        with_answers(active_pupils(school), providers)
        .filter(missing_q(providers))
        .order_by("enrolment_status", "nc_year", "legal_surname", "pk")
    )


def missing_services(pupil: Pupil, providers: list[Provider]) -> list[str]:
    """The purposes a pupil from ``pupils_missing_answers`` has no answer for."""
    return [
        p.service
        for p in providers
        if is_asked_about(p, pupil) and getattr(pupil, answer_key(p)) is None
    ]


def pupils_missing_at(schools: Iterable[School]) -> list[Pupil]:
    """Applicants and pupils on roll at these schools still missing an answer
    for a purpose that asks about them (who a reminder goes to)."""
    pupils: list[Pupil] = []
    for school in schools:
        providers = list(providers_needing_consent(school))
        if providers:
            pupils += list(pupils_missing_answers(school, providers))
    return pupils


def _pct(n: int, total: int) -> int:
    return round(100 * n / total) if total else 0


def overview(school: School) -> dict:
    """Answers per purpose and year group, counting only the pupils each
    purpose asks about: counts and percentages."""
    providers = list(providers_needing_consent(school))
    keys = [answer_key(p) for p in providers]
    rows = with_answers(active_pupils(school), providers).values_list("nc_year", *keys)
    counts: dict = defaultdict(lambda: {True: 0, False: 0, None: 0})
    year_sizes: dict[str, int] = defaultdict(int)
    for year, *answers in rows:
        year_sizes[year] += 1
        for provider, answer in zip(providers, answers, strict=True):
            counts[(provider.pk, year)][answer] += 1
    labels = dict(NCYear.choices)
    table = []
    for provider in providers:
        years = []
        for year in NCYear.values:
            if year not in year_sizes or not uses_year(provider, year):
                continue
            c = counts[(provider.pk, year)]
            total = year_sizes[year]
            years.append(
                {
                    "year": labels[year],
                    "total": total,
                    "yes": c[True],
                    "no": c[False],
                    "missing": c[None],
                    "yes_pct": _pct(c[True], total),
                    "no_pct": _pct(c[False], total),
                    "missing_pct": _pct(c[None], total),
                }
            )
        table.append({"provider": provider, "years": years})
    return {"providers": providers, "table": table}


# --- Photographs ---------------------------------------------------------------------


def photo_uses(school: School) -> list[Provider]:
    return [p for p in providers_needing_consent(school) if p.kind == PurposeKind.PHOTOGRAPHS]


#: In ``photo_list``: the use is not for the pupil's year group, so the
#: family was never asked (not a "no answer").
NOT_USED = "not-used"


def photo_list(school: School, uses: list[Provider], year: str | None) -> list[dict]:
    """A class list: each pupil with, per photograph use, True (may be
    photographed for it), False (said no), None (no answer: do not) or
    ``NOT_USED`` (not used for the pupil's year group: not asked)."""
    pupils = active_pupils(school).order_by("nc_year", "legal_surname", "legal_forename", "pk")
    if year:
        pupils = pupils.filter(nc_year=year)
    rows = []
    for pupil in with_answers(pupils, uses):
        answers = [
            getattr(pupil, answer_key(use)) if is_asked_about(use, pupil) else NOT_USED
            for use in uses
        ]
        rows.append({"pupil": pupil, "answers": answers})
    return rows


# --- One pupil ---------------------------------------------------------------------


def pupil_consent_state(pupil: Pupil) -> list[dict]:
    """For the pupil's page: each purpose that asks about the pupil, what
    the school may do (``effective_answer``) and the answers standing behind
    it (the latest one; for biometrics each person's latest), with who gave
    each, when and how. Three queries."""
    providers = [p for p in providers_needing_consent(pupil.school) if is_asked_about(p, pupil)]
    annotated = with_answers(Pupil.objects.filter(pk=pupil.pk), providers).values(
        *[answer_key(p) for p in providers]
    )
    effective = annotated.first() or {}
    records = ConsentRecord.objects.for_pupil(pupil).select_related(
        "given_by_contact", "recorded_by"
    )
    latest = {r.provider_id: [r] for r in records.current()}
    per_person: dict[int, list[ConsentRecord]] = defaultdict(list)
    biometric = [p.pk for p in providers if p.kind == PurposeKind.BIOMETRIC]
    for record in records.current_per_person().filter(provider__in=biometric).order_by("at"):
        per_person[record.provider_id].append(record)
    not_asked = (
        {provider_id for _pupil, provider_id in unasked_questions([pupil], started(providers))}
        if pupil.enrolment_status == EnrolmentStatus.ON_ROLL
        else set()
    )
    return [
        {
            "provider": p,
            "may": effective.get(answer_key(p)),
            # Never put to the family: the daily step (consent.scheduled) asks.
            "not_asked": p.pk in not_asked,
            "answers": per_person[p.pk]
            if p.kind == PurposeKind.BIOMETRIC
            else latest.get(p.pk, []),
        }
        for p in providers
    ]


# --- Downloads ------------------------------------------------------------------------


def _csv(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return out.getvalue()


def not_to_set_up_csv(provider: Provider, pupils) -> str:
    return _csv(
        ["UPN", "Surname", "Forename", "Year", "Status", "Answer", "Service"],
        (
            (
                pupil.upn,
                pupil.legal_surname,
                pupil.forename,
                pupil.get_nc_year_display(),
                pupil.get_enrolment_status_display(),
                "Refused" if pupil.latest_given is False else "No answer yet",
                provider.service,
            )
            for pupil in pupils
        ),
    )


PHOTO_ANSWERS = {
    True: "Yes",
    False: "No",
    None: "No answer: do not",
    NOT_USED: "Not asked (not used for this year group)",
}


def photo_list_csv(uses: list[Provider], rows: list[dict]) -> str:
    return _csv(
        ["UPN", "Surname", "Forename", "Year", *[use.service for use in uses]],
        (
            (
                row["pupil"].upn,
                row["pupil"].legal_surname,
                row["pupil"].forename,
                row["pupil"].get_nc_year_display(),
                *[PHOTO_ANSWERS[a] for a in row["answers"]],
            )
            for row in rows
        ),
    )
